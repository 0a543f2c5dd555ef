// The locale as mosh reads it: which variable sets the character type, and the client's verdict on its character set.
import { describe, expect, it } from "vitest";
import { clientCharset, ctypeLocale, LOCALE_VARS } from "./locale.js";

describe("locale", () => {
  it("lists mosh's locale variables in mosh's order, LC_ALL last", () => {
    expect(LOCALE_VARS[0]).toBe("LANG");
    expect(LOCALE_VARS.at(-1)).toBe("LC_ALL");
    expect(new Set(LOCALE_VARS).size).toBe(15);
  });

  it("picks LC_ALL, then LC_CTYPE, then LANG (empty counts as unset), else C", () => {
    expect(ctypeLocale({ LC_ALL: "a", LC_CTYPE: "b", LANG: "c" })).toBe("a");
    expect(ctypeLocale({ LC_ALL: "", LC_CTYPE: "b", LANG: "c" })).toBe("b");
    expect(ctypeLocale({ LANG: "c" })).toBe("c");
    expect(ctypeLocale({})).toBe("C");
  });

  it("judges the character set as mosh-client does", () => {
    expect(clientCharset({ LANG: "en_US.UTF-8" })).toBe("UTF-8");
    expect(clientCharset({ LC_CTYPE: "C.utf8" })).toBe("UTF-8");
    expect(clientCharset({})).toBe("ANSI_X3.4-1968");
    expect(clientCharset({ LC_ALL: "POSIX", LANG: "C.UTF-8" })).toBe("ANSI_X3.4-1968");
    expect(clientCharset({ LANG: "de_DE.ISO-8859-1" })).toBe("de_DE.ISO-8859-1");
  });
});
