// User authentication in OpenSSH's order (publickey via agent and key files, keyboard-interactive, password) as an ssh2 authHandler.
import type { AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware, NextAuthHandler, Prompt } from "ssh2";
import { BootstrapError } from "./errors.js";
import type { KeyRing } from "./identities.js";
import type { MessageListener } from "./progress.js";
import type { PromptFn } from "./prompt.js";

/** What the authenticator may use. */
export interface AuthOptions {
  user: string;
  /** The host as shown in `user@host's password:` and `Permission denied` (the HostName). */
  host: string;
  keyRing: KeyRing;
  /** PreferredAuthentications order. */
  preferred: readonly string[];
  pubkey: boolean;
  keyboardInteractive: boolean;
  password: boolean;
  /** NumberOfPasswordPrompts. */
  tries: number;
  batchMode: boolean;
  prompt?: PromptFn;
  onMessage?: MessageListener;
  /** Called before the first attempt. */
  onStart?: () => void;
  /** Stops the connection (the user aborted at a prompt). */
  onAbort: (err: Error) => void;
}

/** Drives ssh2's authentication and remembers what the server last allowed, for the error message. */
export class Authenticator {
  #o: AuthOptions;
  #started = false;
  #pubkeyDone = false;
  #kbdTries = 0;
  #kbdUseless = false;
  #kbdPrompted = false;
  #passwordTries = 0;
  #methods: string[] = [];
  /** Set by the connection when a changed host key was accepted (StrictHostKeyChecking=no). */
  restrictAuth = false;

  constructor(options: AuthOptions) {
    this.#o = options;
  }

  /** The ssh2 `authHandler`. */
  readonly handler: AuthHandlerMiddleware = (methodsLeft, _partial, next) => {
    if (!this.#started) {
      this.#started = true;
      this.#o.onStart?.();
    }
    if (methodsLeft === null || methodsLeft === undefined) {
      next({ type: "none", username: this.#o.user });
      return;
    }
    this.#methods = [...methodsLeft];
    void this.#next(methodsLeft, next);
  };

  /** OpenSSH's final message: `user@host: Permission denied (methods).` */
  failure(): BootstrapError {
    const methods = this.#methods.length > 0 ? this.#methods.join(",") : "none";
    return new BootstrapError(
      "auth-failed",
      `${this.#o.user}@${this.#o.host}: Permission denied (${methods}).`,
    );
  }

  async #next(methodsLeft: AuthenticationType[], next: NextAuthHandler): Promise<void> {
    const o = this.#o;
    const canAsk = !o.batchMode && o.prompt !== undefined;
    for (const method of o.preferred) {
      if (!methodsLeft.includes(method as AuthenticationType)) continue;
      if (method === "publickey" && o.pubkey && !this.#pubkeyDone) {
        this.#pubkeyDone = true;
        if (o.keyRing.size === 0) continue;
        next({ type: "agent", username: o.user, agent: o.keyRing });
        return;
      }
      if (
        method === "keyboard-interactive" &&
        o.keyboardInteractive &&
        !this.restrictAuth &&
        canAsk &&
        !this.#kbdUseless &&
        this.#kbdTries < o.tries
      ) {
        if (this.#kbdTries > 0 && this.#kbdPrompted) o.onMessage?.("Permission denied, please try again.");
        this.#kbdTries++;
        this.#kbdPrompted = false;
        next(this.#keyboardInteractive());
        return;
      }
      if (
        method === "password" &&
        o.password &&
        !this.restrictAuth &&
        canAsk &&
        this.#passwordTries < o.tries
      ) {
        if (this.#passwordTries > 0) o.onMessage?.("Permission denied, please try again.");
        this.#passwordTries++;
        let password: string;
        try {
          password = await o.prompt!(`${o.user}@${o.host}'s password: `, { echo: false });
        } catch (err) {
          o.onAbort(err instanceof Error ? err : new BootstrapError("aborted", "password prompt aborted"));
          return;
        }
        next({ type: "password", username: o.user, password });
        return;
      }
    }
    // ssh2 types `next` as taking a method; `false` is its documented "no more methods".
    (next as (m: AnyAuthMethod | false) => void)(false);
  }

  #keyboardInteractive(): AnyAuthMethod {
    const o = this.#o;
    // A keyboard-interactive round that fails before any prompt (no backend on the server) is not retried.
    this.#kbdUseless = true;
    return {
      type: "keyboard-interactive",
      username: o.user,
      prompt: (
        name: string,
        instructions: string,
        _lang: string,
        prompts: Prompt[],
        finish: (a: string[]) => void,
      ) => {
        if (prompts.length > 0) {
          this.#kbdUseless = false;
          this.#kbdPrompted = true;
        }
        if (name) o.onMessage?.(name);
        if (instructions) o.onMessage?.(instructions);
        void (async () => {
          const answers: string[] = [];
          try {
            for (const p of prompts) answers.push(await o.prompt!(p.prompt, { echo: p.echo === true }));
          } catch (err) {
            o.onAbort(err instanceof Error ? err : new BootstrapError("aborted", "prompt aborted"));
            return;
          }
          finish(answers);
        })();
      },
    };
  }
}
