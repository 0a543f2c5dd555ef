// Perl's Getopt::Long with its default configuration (what the mosh wrapper parses its options with): -x and --x alike, unique prefixes, --no-x, permutation.

/** One option: its names (the first is the one reported) and what it takes. */
export interface LongOption {
  /** Names and aliases, e.g. `["predict-overwrite", "o"]`. */
  names: readonly string[];
  /**
   * `flag`: no value (true); `negatable`: also `--noNAME` / `--no-NAME` (false); `string`: one
   * mandatory value (`--name=value`, `--name value`, `-name value`).
   */
  type: "flag" | "negatable" | "string";
}

/** One option as found, in command-line order. */
export interface FoundOption {
  /** The option's first name. */
  name: string;
  value: string | boolean;
}

/** The outcome of {@link getoptLong}. */
export interface LongParse {
  /** Options in the order given (later ones override earlier ones for the same setting). */
  options: FoundOption[];
  /** The arguments that are not options, in order (everything after `--` included). */
  operands: string[];
  /** Getopt::Long's warnings (`Unknown option: x`, …); when any, the command line is invalid. */
  errors: string[];
}

/**
 * Parses `args` as Getopt::Long's `GetOptions` does by default: options start with `-`, `--` or
 * `+` (`-` alone is an operand), names are case-insensitive and may be shortened to a unique
 * prefix, values follow `=` or come in the next argument (a mandatory value takes it whatever it
 * looks like), negatable options take `no`/`no-` prefixes, options and operands mix, and `--`
 * ends the options. With `POSIXLY_CORRECT` set, as Getopt::Long: the first operand ends the
 * options, names must be whole, and only `--name=value` splits at `=`.
 */
export function getoptLong(
  args: readonly string[],
  spec: readonly LongOption[],
  env: NodeJS.ProcessEnv = process.env,
): LongParse {
  // Every spelling Getopt::Long accepts, with the option it means and whether it negates.
  const table = new Map<string, { option: LongOption; negated: boolean }>();
  for (const option of spec) {
    for (const n of option.names) {
      table.set(n.toLowerCase(), { option, negated: false });
      if (option.type === "negatable") {
        table.set(`no${n}`.toLowerCase(), { option, negated: true });
        table.set(`no-${n}`.toLowerCase(), { option, negated: true });
      }
    }
  }
  const names = [...table.keys()].sort();
  // POSIXLY_CORRECT: the first operand ends the options, no abbreviations, no `+x`, no `-x=value`.
  const posix = env.POSIXLY_CORRECT !== undefined;
  const out: LongParse = { options: [], operands: [], errors: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.length < 2 || !(arg[0] === "-" || (arg[0] === "+" && !posix))) {
      if (posix) {
        out.operands.push(...args.slice(i));
        break;
      }
      out.operands.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    let body = arg.slice(long ? 2 : 1);
    let optarg: string | undefined;
    const eq = long || !posix ? body.indexOf("=", 1) : -1;
    if (eq > 0) {
      optarg = body.slice(eq + 1);
      body = body.slice(0, eq);
    }
    const typed = body.toLowerCase();
    let key = typed;
    if (!table.has(typed)) {
      const hits = posix ? [] : names.filter((n) => n.startsWith(typed));
      const meanings = new Set(
        hits.map((h) => `${table.get(h)?.negated ? "no" : ""}${table.get(h)?.option.names[0]}`),
      );
      if (typed !== "" && meanings.size > 1) {
        out.errors.push(`Option ${typed} is ambiguous (${hits.join(", ")})`);
        continue;
      }
      if (typed === "" || hits.length === 0) {
        out.errors.push(`Unknown option: ${typed}`);
        continue;
      }
      key = hits[0];
    }
    const found = table.get(key);
    if (!found) continue;
    const { option, negated } = found;
    if (option.type !== "string") {
      if (optarg !== undefined) out.errors.push(`Option ${key} does not take an argument`);
      else out.options.push({ name: option.names[0], value: !negated });
      continue;
    }
    if (optarg === "" || (optarg === undefined && i + 1 >= args.length)) {
      out.errors.push(`Option ${key} requires an argument`);
      continue;
    }
    out.options.push({ name: option.names[0], value: optarg ?? args[++i] });
  }
  return out;
}
