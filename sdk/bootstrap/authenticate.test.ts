// The authentication order and retries, driven like ssh2 drives its authHandler.
import type { AnyAuthMethod, AuthenticationType } from "ssh2";
import { describe, expect, it } from "vitest";
import { Authenticator, type AuthOptions } from "./authenticate.js";
import { KeyRing } from "./identities.js";

type Step = AnyAuthMethod | false;

/** Calls the handler as ssh2 would (with what the server allows) and returns the next attempt. */
function step(a: Authenticator, methods: AuthenticationType[] | null): Promise<Step> {
  return new Promise((resolve) => {
    a.handler(methods as AuthenticationType[], false, (m) => resolve(m as Step));
  });
}

function make(over: Partial<AuthOptions> = {}): { auth: Authenticator; asked: string[]; messages: string[] } {
  const asked: string[] = [];
  const messages: string[] = [];
  const auth = new Authenticator({
    user: "me",
    host: "example.org",
    keyRing: new KeyRing([]),
    preferred: ["publickey", "keyboard-interactive", "password"],
    pubkey: true,
    keyboardInteractive: true,
    password: true,
    tries: 3,
    batchMode: false,
    prompt: async (q, { echo }) => {
      asked.push(`${q}|${echo}`);
      return "secret";
    },
    onMessage: (m) => messages.push(m),
    onAbort: () => undefined,
    ...over,
  });
  return { auth, asked, messages };
}

describe("Authenticator", () => {
  it("starts with none, then keyboard-interactive (prompting with the server's echo flags, retried after it prompted)", async () => {
    const { auth, asked } = make();
    expect(await step(auth, null)).toEqual({ type: "none", username: "me" });
    const all: AuthenticationType[] = ["publickey", "password", "keyboard-interactive"];
    const kbd = await step(auth, all);
    expect(kbd ? kbd.type : null).toBe("keyboard-interactive");
    if (kbd === false || kbd.type !== "keyboard-interactive") return;
    const answers = await new Promise<string[]>((resolve) =>
      kbd.prompt(
        "",
        "",
        "",
        [
          { prompt: "Password: ", echo: false },
          { prompt: "Code: ", echo: true },
        ],
        resolve,
      ),
    );
    expect(answers).toEqual(["secret", "secret"]);
    expect(asked).toEqual(["Password: |false", "Code: |true"]);
    const again = await step(auth, all);
    expect(again ? again.type : null).toBe("keyboard-interactive");
  });

  it("does not retry a keyboard-interactive method that never prompts, and stops after the password tries", async () => {
    const { auth, asked, messages } = make();
    await step(auth, null);
    const methods: AuthenticationType[] = ["publickey", "keyboard-interactive", "password"];
    expect(((await step(auth, methods)) as AnyAuthMethod).type).toBe("keyboard-interactive");
    for (let i = 0; i < 3; i++) {
      expect(await step(auth, methods)).toEqual({ type: "password", username: "me", password: "secret" });
    }
    expect(await step(auth, methods)).toBe(false);
    expect(asked).toEqual(Array(3).fill("me@example.org's password: |false"));
    expect(messages).toEqual([
      "Permission denied, please try again.",
      "Permission denied, please try again.",
    ]);
    expect(auth.failure().message).toBe(
      "me@example.org: Permission denied (publickey,keyboard-interactive,password).",
    );
    expect(auth.failure().code).toBe("auth-failed");
  });

  it("never prompts in batch mode, honours PreferredAuthentications and the restriction after a changed host key", async () => {
    const batch = make({ batchMode: true });
    await step(batch.auth, null);
    expect(await step(batch.auth, ["password", "keyboard-interactive"])).toBe(false);
    expect(batch.asked).toEqual([]);

    const pwFirst = make({ preferred: ["password", "publickey"] });
    await step(pwFirst.auth, null);
    expect(((await step(pwFirst.auth, ["publickey", "password"])) as AnyAuthMethod).type).toBe("password");

    const restricted = make();
    restricted.auth.restrictAuth = true;
    await step(restricted.auth, null);
    expect(await step(restricted.auth, ["password", "keyboard-interactive"])).toBe(false);
  });

  it("aborts the connection when the user cancels a prompt", async () => {
    const aborted: Error[] = [];
    const { auth } = make({
      prompt: async () => {
        throw new Error("interrupted");
      },
      onAbort: (e) => aborted.push(e),
    });
    await step(auth, null);
    auth.handler(["password"], false, () => aborted.push(new Error("must not continue")));
    await new Promise((r) => setImmediate(r));
    expect(aborted.map((e) => e.message)).toEqual(["interrupted"]);
  });
});
