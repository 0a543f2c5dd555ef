// Types of build/check-layers.mjs (for its test).

/** The SDK's layers, bottom first; those on one row are siblings. */
export const SDK_STACK: string[][];
/** What each unit may import besides itself. */
export const ALLOWED: Record<string, string[]>;
/** Packages shipped code may import, and where. */
export const PACKAGES: Record<string, string[]>;
/** The unit of a file (a path relative to the root), or null if no rule covers it. */
export function unitOf(file: string): string | null;
/** Whether a file is test code. */
export function isTest(file: string): boolean;
/** Every import specifier of a source text. */
export function importsOf(source: string): string[];
/** The violations of the layer rule among `files` (path relative to the root → source). */
export function checkLayers(files: Map<string, string>): string[];
/** The source files of the tree at `root` (plus package.json). */
export function readTree(root: string): Map<string, string>;
