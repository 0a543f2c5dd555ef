// Example: connect to a running mosh server, run one command, print the screen, and leave.
//
//   MOSH_HOST=127.0.0.1 MOSH_PORT=60001 MOSH_KEY=... MOSH_COMMAND='uname -a' node dist/examples/run-command.js
import { MoshSession } from "../sdk/index.js";

async function main(): Promise<void> {
  const { MOSH_HOST = "127.0.0.1", MOSH_PORT, MOSH_KEY, MOSH_COMMAND = "uname -a" } = process.env;
  if (!MOSH_PORT || !MOSH_KEY) {
    console.error("set MOSH_PORT and MOSH_KEY (and optionally MOSH_HOST, MOSH_COMMAND)");
    process.exit(2);
  }
  delete process.env.MOSH_KEY;
  const session = new MoshSession({
    host: MOSH_HOST,
    port: Number(MOSH_PORT),
    key: MOSH_KEY,
    cols: 100,
    rows: 30,
  });
  await session.connect();
  // Run the command, then print a marker we can wait for (its text only appears once the command is done).
  const marker = `__done_${Date.now()}__`;
  session.write(`${MOSH_COMMAND}; echo ${marker.slice(0, 6)}""${marker.slice(6)}\r`);
  const frame = await session.waitFor(marker, { timeout: 30_000 });
  process.stdout.write(frame.lines().join("\n").trimEnd() + "\n");
  await session.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
