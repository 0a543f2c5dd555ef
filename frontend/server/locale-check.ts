// mosh-server's locale check (docs/mosh-protocol.md §10.3): the native locale if it is UTF-8, else the client's `-l` settings, with the C library's verdict and mosh-server's texts.
import { LOCALE_VARS, localeView, unavailableMessage } from "../../sdk/terminal/locale.js";

/**
 * mosh-server's locale check (§10.3): keep the native locale if it is UTF-8; otherwise clear the
 * locale variables, apply the client's `-l NAME=VALUE` assignments and check again.
 * @returns whether it is UTF-8, the session's environment (on failure: the one `locale` is then
 *   run with, before exiting 1), and what to print on stderr.
 */
export function checkLocale(
  env: Record<string, string | undefined>,
  localeVars: readonly string[],
): { ok: boolean; env: Record<string, string>; stderr: string } {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  let stderr = "";
  const native = localeView(out);
  if (!native.available) stderr += unavailableMessage(native);
  if (native.charset.toUpperCase() === "UTF-8") return { ok: true, env: out, stderr };
  for (const name of LOCALE_VARS) delete out[name];
  for (const assignment of localeVars) {
    const eq = assignment.indexOf("=");
    if (eq > 0) out[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    else if (eq < 0) delete out[assignment];
  }
  const client = localeView(out);
  if (!client.available) stderr += unavailableMessage(client);
  if (client.charset.toUpperCase() === "UTF-8") return { ok: true, env: out, stderr };
  stderr +=
    "mosh-server needs a UTF-8 native locale to run.\n\n" +
    `Unfortunately, the local environment (${native.ctype}) specifies\nthe character set "${native.charset}",\n\n` +
    `The client-supplied environment (${client.ctype}) specifies\nthe character set "${client.charset}".\n\n`;
  return { ok: false, env: out, stderr };
}
