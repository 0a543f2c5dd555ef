// mosh-ts-server's locale check: mosh-server's rules and texts, and without running locale(1) for C.UTF-8 it must agree with `locale charmap`.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { checkLocale } from "./locale-check.js";

const hasLocale = spawnSync("locale", ["charmap"], { encoding: "utf8" }).status === 0;

/** What the C library says for this environment: UTF-8, and no category it cannot set. */
function glibcSaysUtf8(env: Record<string, string>): boolean {
  const r = spawnSync("locale", ["charmap"], { env, encoding: "utf8" });
  return r.stdout.trim() === "UTF-8" && !/Cannot set/.test(r.stderr);
}

describe("the locale check", () => {
  it("checks the locale: a UTF-8 native locale is kept, else the client's -l settings, else mosh's message", () => {
    const native = checkLocale({ PATH: "/usr/bin:/bin", LANG: "C.UTF-8", FOO: "bar" }, []);
    expect(native.ok).toBe(true);
    expect(native.env).toEqual({ PATH: "/usr/bin:/bin", LANG: "C.UTF-8", FOO: "bar" });
    const fixed = checkLocale({ PATH: "/usr/bin:/bin", LANG: "C", LC_ALL: "POSIX" }, ["LANG=C.UTF-8"]);
    expect(fixed.ok).toBe(true);
    expect(fixed.env).toEqual({ PATH: "/usr/bin:/bin", LANG: "C.UTF-8" });
    const bad = checkLocale({ PATH: "/usr/bin:/bin", LANG: "C" }, ["LC_CTYPE=POSIX"]);
    expect(bad.ok).toBe(false);
    expect(bad.stderr).toBe(
      "mosh-server needs a UTF-8 native locale to run.\n\n" +
        'Unfortunately, the local environment (LANG=C) specifies\nthe character set "US-ASCII",\n\n' +
        'The client-supplied environment (LC_CTYPE=POSIX) specifies\nthe character set "US-ASCII".\n\n',
    );
  });

  it.skipIf(!hasLocale)("agrees with locale(1) for spellings of C.UTF-8 and mixes with other locales", () => {
    const values = ["C.UTF-8", "C.utf8", "C.UTF8", "C.Utf-8", "c.UTF-8", "C.UTF-16", "C", "en_ZZ.UTF-8", ""];
    for (const lang of values) {
      for (const other of [undefined, "C.UTF-8", "xx_YY.UTF-8"]) {
        const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: lang };
        if (other !== undefined) env.LC_TIME = other;
        const r = checkLocale(env, []);
        expect({ lang, other, clean: r.ok && r.stderr === "" }).toEqual({
          lang,
          other,
          clean: glibcSaysUtf8(env),
        });
      }
    }
  });
});
