// Where mosh-mux's socket lives, and the checks that refuse one another user owns or could reach.
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkSocketDir,
  checkSocketFile,
  checkSocketName,
  ensureSocketDir,
  type FileStatus,
  muxSocketDir,
  muxSocketPath,
} from "./socket-path.js";

/** A fake lstat result. */
function st(o: { uid: number; mode: number; type: "dir" | "socket" | "link" | "file" }): FileStatus {
  return {
    uid: o.uid,
    mode: o.mode,
    isDirectory: () => o.type === "dir",
    isSocket: () => o.type === "socket",
    isSymbolicLink: () => o.type === "link",
  };
}

describe("socket location", () => {
  it("is $XDG_RUNTIME_DIR/mosh-mux/NAME, else /tmp/mosh-mux-UID/NAME", () => {
    expect(muxSocketDir({ XDG_RUNTIME_DIR: "/run/user/1000" }, 1000)).toBe("/run/user/1000/mosh-mux");
    expect(muxSocketDir({}, 1000)).toBe("/tmp/mosh-mux-1000");
    expect(muxSocketDir({ XDG_RUNTIME_DIR: "relative" }, 7)).toBe("/tmp/mosh-mux-7");
    expect(muxSocketPath("work", { XDG_RUNTIME_DIR: "/run/user/5" })).toBe("/run/user/5/mosh-mux/work");
  });

  it("refuses names that are not one file name", () => {
    for (const bad of ["", "a/b", "..", "."]) expect(() => checkSocketName(bad)).toThrow(/bad socket name/);
    expect(() => checkSocketName("work-2")).not.toThrow();
  });
});

describe("ownership and permission checks (stat injected)", () => {
  const me = 1000;
  const lstat = (s: FileStatus) => () => s;

  it("accept the user's own 0700 directory and own socket", () => {
    expect(() =>
      checkSocketDir("/d", { uid: me, lstat: lstat(st({ uid: me, mode: 0o40700, type: "dir" })) }),
    ).not.toThrow();
    expect(() =>
      checkSocketFile("/d/s", { uid: me, lstat: lstat(st({ uid: me, mode: 0o140755, type: "socket" })) }),
    ).not.toThrow();
  });

  it("refuse a directory of another user", () => {
    const check = () =>
      checkSocketDir("/d", { uid: me, lstat: lstat(st({ uid: 1001, mode: 0o40700, type: "dir" })) });
    expect(check).toThrow(expect.objectContaining({ code: "unsafe-socket" }));
    expect(check).toThrow(
      "/d belongs to uid 1001, not to you (uid 1000): refusing to use it for mosh-mux's socket",
    );
  });

  it("refuse a directory others may enter or read", () => {
    for (const mode of [0o40755, 0o40710, 0o40701, 0o40777]) {
      const check = () => checkSocketDir("/d", { uid: me, lstat: lstat(st({ uid: me, mode, type: "dir" })) });
      expect(check).toThrow(expect.objectContaining({ code: "unsafe-socket" }));
      expect(check).toThrow(`/d has permissions 0${(mode & 0o777).toString(8)}`);
      expect(check).toThrow(/chmod 700 \/d/);
    }
  });

  it("refuse a symbolic link or a file in place of the directory", () => {
    for (const type of ["link", "file"] as const)
      expect(() =>
        checkSocketDir("/d", { uid: me, lstat: lstat(st({ uid: me, mode: 0o40700, type })) }),
      ).toThrow("/d is not a directory");
  });

  it("refuse a socket of another user, or something else than a socket", () => {
    expect(() =>
      checkSocketFile("/d/s", { uid: me, lstat: lstat(st({ uid: 0, mode: 0o140700, type: "socket" })) }),
    ).toThrow("/d/s belongs to uid 0, not to you (uid 1000): refusing to connect to it");
    expect(() =>
      checkSocketFile("/d/s", { uid: me, lstat: lstat(st({ uid: me, mode: 0o100600, type: "file" })) }),
    ).toThrow("/d/s is not a socket");
  });
});

describe("ensureSocketDir", () => {
  let dir = "";
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("creates the directory 0700 and accepts it; refuses it once opened up", () => {
    dir = mkdtempSync(join(tmpdir(), "mux-sock-"));
    const d = join(dir, "mosh-mux");
    ensureSocketDir(d);
    expect(statSync(d).mode & 0o777).toBe(0o700);
    ensureSocketDir(d);
    chmodSync(d, 0o755);
    expect(() => ensureSocketDir(d)).toThrow(/has permissions 0755/);
  });
});
