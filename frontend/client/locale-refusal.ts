// mosh-client's refusal of a locale that is not UTF-8 (docs/mosh-protocol.md §11.1), asking the C library as mosh-client does.
import { localeView, unavailableMessage } from "../../sdk/terminal/locale.js";

/**
 * mosh-client's refusal of a locale that is not UTF-8, or null if `env`'s locale is UTF-8: the
 * unavailable-locale hint if the C library lacks it, then `ARGV0 needs a UTF-8 native locale to run.` with the
 * variable and character set. mosh-client then runs `locale` and exits 1.
 */
export function clientLocaleRefusal(env: Record<string, string | undefined>, argv0: string): string | null {
  const v = localeView(env);
  if (v.charset.toUpperCase() === "UTF-8") return null;
  return (
    (v.available ? "" : unavailableMessage(v)) +
    `${argv0} needs a UTF-8 native locale to run.\n\n` +
    `Unfortunately, the client's environment (${v.ctype}) specifies\nthe character set "${v.charset}".\n\n`
  );
}
