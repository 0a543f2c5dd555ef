// mosh's `--ssh=COMMAND` (e.g. "ssh -p 2222 -o User=me"), read as settings for the in-process SSH client: shell words, then ssh's own options.
import { basename } from "node:path";
import { BootstrapError } from "../../sdk/bootstrap/errors.js";

/** What an `--ssh` command line sets. */
export interface SshCommandSettings {
  /** `-o`, and `-p`, `-l`, `-J`, `-4`/`-6` as the `Key=Value` options they stand for. */
  sshOptions: string[];
  /** `-i` */
  identityFiles: string[];
  /** `-F` (ssh then reads no other configuration file). */
  configFile?: string;
}

/** Splits a command as a POSIX shell (and Perl's `shellwords`, which mosh uses) would: quotes and backslashes. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n") {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new BootstrapError("bad-argument", `unbalanced quotes in --ssh=${text}`);
      word = (word ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let s = "";
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++)
        s += text[j] === "\\" && j + 1 < text.length ? text[++j] : text[j];
      if (j >= text.length) throw new BootstrapError("bad-argument", `unbalanced quotes in --ssh=${text}`);
      word = (word ?? "") + s;
      i = j;
    } else if (c === "\\" && i + 1 < text.length) {
      word = (word ?? "") + text[++i];
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** ssh's options with a value, and the ssh_config keyword each one sets (null: its own setting). */
const WITH_VALUE: Record<string, string | null> = {
  p: "Port",
  l: "User",
  J: "ProxyJump",
  o: null,
  i: null,
  F: null,
};
/** ssh's options with a value that the in-process client does not implement, or that make no sense for starting mosh-server. */
const UNSUPPORTED_WITH_VALUE = new Set([
  "B",
  "b",
  "c",
  "D",
  "E",
  "e",
  "I",
  "L",
  "m",
  "O",
  "P",
  "Q",
  "R",
  "S",
  "W",
  "w",
]);
/** ssh's flags that change nothing for mosh's one command over SSH (verbosity, compression, pty, X11, agent). */
const IGNORED_FLAGS = new Set([
  "1",
  "2",
  "A",
  "a",
  "C",
  "g",
  "K",
  "k",
  "n",
  "q",
  "T",
  "t",
  "v",
  "X",
  "x",
  "Y",
  "y",
]);

/**
 * Reads `--ssh=COMMAND`: the program must be ssh (SSH runs in-process, so only its options can be
 * honoured); `-p`, `-i`, `-o`, `-l`, `-J`, `-F`, `-4` and `-6` are honoured, flags without
 * meaning here (`-v`, `-C`, `-t`, `-A`, …) are ignored, and the rest (`-L`, `-R`, `-D`, `-N`,
 * `-c`, a host, a command, …) are refused with a clear error.
 * @throws BootstrapError("bad-argument")
 */
export function parseSshCommand(text: string, argv0 = "mosh-ts"): SshCommandSettings {
  const words = shellWords(text);
  const bad = (why: string) => new BootstrapError("bad-argument", `${argv0}: --ssh=${text}: ${why}`);
  if (words.length === 0) throw bad("no command");
  if (basename(words[0]) !== "ssh") {
    throw bad(
      `${argv0} runs SSH itself, so --ssh can only give ssh's options (e.g. --ssh="ssh -p 2222"), not another program`,
    );
  }
  const out: SshCommandSettings = { sshOptions: [], identityFiles: [] };
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w.length < 2 || w[0] !== "-" || w === "--") {
      throw bad(
        `"${w}": a host or command cannot be given here (${argv0} adds [user@]host and the server command)`,
      );
    }
    for (let j = 1; j < w.length; j++) {
      const f = w[j];
      if (f === "4" || f === "6") {
        out.sshOptions.push(`AddressFamily=${f === "4" ? "inet" : "inet6"}`);
        continue;
      }
      if (IGNORED_FLAGS.has(f)) continue;
      if (f in WITH_VALUE || UNSUPPORTED_WITH_VALUE.has(f)) {
        const value = j + 1 < w.length ? w.slice(j + 1) : words[++i];
        if (value === undefined) throw bad(`option -${f} needs a value`);
        if (UNSUPPORTED_WITH_VALUE.has(f)) throw bad(`ssh's -${f} is not supported`);
        const keyword = WITH_VALUE[f];
        if (keyword) out.sshOptions.push(`${keyword}=${value}`);
        else if (f === "o") out.sshOptions.push(value);
        else if (f === "i") out.identityFiles.push(value);
        else out.configFile = value;
        break;
      }
      throw bad(`ssh's -${f} is not supported`);
    }
  }
  return out;
}
