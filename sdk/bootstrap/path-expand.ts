// OpenSSH's expansions in config values: `~`, `%` tokens (%h %p %r %u %d %n %l %L %i %k %C %%) and `${VAR}`.
import { BootstrapError } from "./errors.js";

/** The values of the `%` tokens for one connection (letters without the `%`). */
export type TokenValues = Readonly<Record<string, string>>;

/** Replaces a leading `~` or `~/` with `home` (OpenSSH's `tilde_expand_filename` for the current user). */
export function expandTilde(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return home.replace(/\/+$/, "") + path.slice(1);
  return path;
}

/**
 * Expands `%X` tokens with `tokens` (`%%` is a literal `%`).
 * @throws BootstrapError("bad-argument") on a token OpenSSH would not know here, naming `directive`.
 */
export function expandTokens(value: string, tokens: TokenValues, directive: string): string {
  return value.replace(/%(.?)/g, (whole, letter: string) => {
    if (letter === "%") return "%";
    const v = tokens[letter];
    if (v === undefined) {
      throw new BootstrapError(
        "bad-argument",
        `${directive}: unknown key ${whole === "%" ? "%" : whole} in "${value}"`,
      );
    }
    return v;
  });
}

/**
 * Expands `${VAR}` from `env`, as OpenSSH does in IdentityFile, IdentityAgent and UserKnownHostsFile.
 * @throws BootstrapError("bad-argument") if a variable is not set.
 */
export function expandEnv(value: string, env: NodeJS.ProcessEnv, directive: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_whole, name: string) => {
    const v = env[name];
    if (v === undefined)
      throw new BootstrapError("bad-argument", `${directive}: environment variable ${name} is not set`);
    return v;
  });
}

/** `~`, then `${VAR}`, then `%` tokens: the full expansion OpenSSH applies to file-like directives. */
export function expandPath(
  value: string,
  home: string,
  tokens: TokenValues,
  env: NodeJS.ProcessEnv,
  directive: string,
): string {
  return expandTokens(expandEnv(expandTilde(value, home), env, directive), tokens, directive);
}
