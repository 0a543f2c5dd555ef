// The package version (from package.json, its one place) and the version block the drop-in programs print.
import pkg from "../package.json" with { type: "json" };

/** mosh-ts's version, as package.json gives it (the build inlines it). */
export const VERSION: string = pkg.version;

/** The mosh release whose wire protocol and behaviour mosh-ts follows. */
export const MOSH_COMPAT_VERSION = "1.4.0";

/** The `--version` block of a drop-in program, in the shape mosh prints it. */
export function versionBlock(program: string): string {
  return (
    `${program} (mosh-ts ${VERSION}) [compatible with mosh ${MOSH_COMPAT_VERSION}]\n` +
    "License GPLv3+: GNU GPL version 3 or later <http://gnu.org/licenses/gpl.html>.\n" +
    "This is free software: you are free to change and redistribute it.\n" +
    "There is NO WARRANTY, to the extent permitted by law.\n"
  );
}
