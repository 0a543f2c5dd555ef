// The built package's exports: every value its type declarations promise exists at run time, from ESM and from CJS.
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const dist = join(import.meta.dirname, "..", "dist");

/** The names a declaration file exports as values (classes, functions, constants, enums), and as types only. */
function declaredExports(file: string): { values: string[]; types: string[] } {
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`cannot read ${file}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${file} is not a module`);
  const values: string[] = [];
  const types: string[] = [];
  for (const sym of checker.getExportsOfModule(moduleSymbol)) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    // `export type { X }` of a class leaves a type-only alias: no value however the target is declared.
    const typeOnly = sym.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d)) ?? false;
    if (target.flags & ts.SymbolFlags.Value && !typeOnly) values.push(sym.name);
    else types.push(sym.name);
  }
  return { values: values.sort(), types: types.sort() };
}

const esm = declaredExports(join(dist, "index.d.ts"));
const cjs = declaredExports(join(dist, "index.d.cts"));

describe("the package's exports", () => {
  it("declares the same names for ESM and CJS, including the screen model (Frame, Row, Attr, colours)", () => {
    expect(cjs).toEqual(esm);
    for (const name of [
      "MoshSession",
      "MoshServer",
      "MoshError",
      "Frame",
      "Row",
      "Attr",
      "DEFAULT_COLOR",
      "PALETTE",
      "RGB",
      "paletteColor",
      "rgbColor",
      "decodeColor",
    ]) {
      expect(esm.values).toContain(name);
    }
    for (const name of ["Color", "DecodedColor", "FrameState", "MoshErrorCode"])
      expect(esm.types).toContain(name);
  });

  it("every declared value exists at run time in dist/index.js (import) and dist/index.cjs (require)", async () => {
    const fromEsm = (await import(pathToFileURL(join(dist, "index.js")).href)) as Record<string, unknown>;
    const fromCjs = createRequire(import.meta.url)(join(dist, "index.cjs")) as Record<string, unknown>;
    expect(esm.values.filter((n) => fromEsm[n] === undefined)).toEqual([]);
    expect(cjs.values.filter((n) => fromCjs[n] === undefined)).toEqual([]);
    // Nothing exported at run time that the declarations do not name.
    expect(Object.keys(fromEsm).sort()).toEqual(esm.values);
    expect(Object.keys(fromCjs).sort()).toEqual(cjs.values);
  });

  it("cellAttrs() and the colour words of a frame decode with the exported Attr and decodeColor", async () => {
    const m = (await import(pathToFileURL(join(dist, "index.js")).href)) as typeof import("../sdk/index.js");
    const frame = new m.Frame(2, 1, [
      new m.Row(
        "ab",
        new Uint32Array([0, 1, 2]),
        new Uint16Array([(1 << 8) | m.Attr.bold | m.Attr.underline, 1 << 8]),
        new Uint32Array([m.paletteColor(196), m.rgbColor(1, 2, 3)]),
        new Uint32Array([m.DEFAULT_COLOR, m.DEFAULT_COLOR]),
        false,
      ),
    ]);
    const row = frame.row(0);
    expect(row.cellAttrs(0) & m.Attr.bold).toBe(m.Attr.bold);
    expect(row.cellAttrs(0) & m.Attr.italic).toBe(0);
    expect(m.decodeColor(row.fg[0])).toEqual({ kind: "palette", index: 196 });
    expect(m.decodeColor(row.fg[1])).toEqual({ kind: "rgb", r: 1, g: 2, b: 3 });
    expect(m.decodeColor(row.bg[0])).toEqual({ kind: "default" });
    expect(frame).toBeInstanceOf(m.Frame);
    expect(frame.lines()).toEqual(["ab"]);
  });
});
