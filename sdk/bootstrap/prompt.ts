// The prompt callback contract, and its implementation on the controlling terminal (/dev/tty) for the CLI.
import { openSync, writeSync } from "node:fs";
import { ReadStream } from "node:tty";
import { BootstrapError } from "./errors.js";

/**
 * Asks the user something (a passphrase, a password, a yes/no question). `echo: false` means the
 * answer is secret and must not be shown. Rejecting aborts the connection attempt.
 */
export type PromptFn = (question: string, options: { echo: boolean }) => Promise<string>;

/**
 * A {@link PromptFn} on the controlling terminal, like OpenSSH's `read_passphrase`: the question is
 * written to /dev/tty and the answer read from it with the tty in raw mode (echoed only when
 * `echo` is true). Ctrl-C rejects with `BootstrapError("aborted")`; without a controlling
 * terminal every prompt rejects.
 */
export function ttyPrompt(path = "/dev/tty"): PromptFn {
  return (question, { echo }) =>
    new Promise<string>((resolve, reject) => {
      let fd: number;
      try {
        fd = openSync(path, "r+");
      } catch (err) {
        reject(
          new BootstrapError(
            "aborted",
            `cannot ask "${question.trim()}": no terminal (${(err as Error).message})`,
          ),
        );
        return;
      }
      const input = new ReadStream(fd);
      const out = (s: string) => {
        try {
          writeSync(fd, s);
        } catch {
          // the terminal went away; the read below ends too
        }
      };
      let answer = "";
      let done = false;
      const finish = (err: Error | null) => {
        if (done) return;
        done = true;
        input.off("data", onData);
        try {
          input.setRawMode(false);
        } catch {
          // not a tty any more
        }
        out("\r\n");
        input.destroy();
        if (err) reject(err);
        else resolve(answer);
      };
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString("utf8")) {
          if (ch === "\r" || ch === "\n") return finish(null);
          if (ch === "\x03") return finish(new BootstrapError("aborted", "interrupted"));
          if (ch === "\x04") {
            if (answer === "") return finish(null);
            continue;
          }
          if (ch === "\x7f" || ch === "\b") {
            if (answer.length > 0) {
              answer = [...answer].slice(0, -1).join("");
              if (echo) out("\b \b");
            }
            continue;
          }
          if (ch === "\x15") {
            if (echo) out("\b \b".repeat([...answer].length));
            answer = "";
            continue;
          }
          if (ch < " ") continue;
          answer += ch;
          if (echo) out(ch);
        }
      };
      try {
        input.setRawMode(true);
      } catch (err) {
        input.destroy();
        reject(new BootstrapError("aborted", `cannot read from the terminal: ${(err as Error).message}`));
        return;
      }
      out(question.replace(/\n/g, "\r\n"));
      input.on("data", onData);
      input.on("end", () => finish(null));
      input.on("error", (err) => finish(err));
      input.resume();
    });
}
