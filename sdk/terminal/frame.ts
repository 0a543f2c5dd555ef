// Immutable screen snapshots (Frame, Row): packed cells, cheap row comparison, blank frames and text helpers.

/** Attribute bits of a cell (mosh's renditions, plus xterm's dim which mosh ignores). */
export const Attr = {
  bold: 1,
  italic: 2,
  underline: 4,
  blink: 8,
  inverse: 16,
  invisible: 32,
  dim: 64,
} as const;

/** Mask of all attribute bits in a cell's meta word. */
export const ATTR_MASK = 0x7f;

/**
 * A colour, packed in one number: 0 = the default colour; `PALETTE | n` = palette index
 * n (0–255); `RGB | 0xRRGGBB` = truecolor. See {@link paletteColor}, {@link rgbColor}.
 */
export type Color = number;
/** The default colour. */
export const DEFAULT_COLOR = 0;
/** Flag of a palette colour (index in the low 8 bits). */
export const PALETTE = 0x1000000;
/** Flag of a truecolor colour (RGB in the low 24 bits). */
export const RGB = 0x2000000;

/** A palette colour (0–7 basic, 8–15 bright, 16–255 the 256-colour cube and greys). */
export function paletteColor(index: number): Color {
  return PALETTE | (index & 0xff);
}

/** A truecolor colour. */
export function rgbColor(r: number, g: number, b: number): Color {
  return RGB | ((r & 0xff) << 16) | ((g & 0xff) << 8) | (b & 0xff);
}

/** A {@link Color} taken apart: the default colour, a palette index, or red, green and blue. */
export type DecodedColor =
  | { readonly kind: "default" }
  | { readonly kind: "palette"; readonly index: number }
  | { readonly kind: "rgb"; readonly r: number; readonly g: number; readonly b: number };

/**
 * Takes a cell's colour ({@link Row.fg}, {@link Row.bg}) apart.
 * @example
 * const c = decodeColor(frame.row(0).fg[0]);
 * if (c.kind === "palette" && c.index < 8) console.log("basic colour", c.index);
 */
export function decodeColor(color: Color): DecodedColor {
  if (color & RGB) return { kind: "rgb", r: (color >> 16) & 0xff, g: (color >> 8) & 0xff, b: color & 0xff };
  if (color & PALETTE) return { kind: "palette", index: color & 0xff };
  return { kind: "default" };
}

/** Mouse reporting modes mosh tracks (0 = none, else the DEC private mode number). */
export type MouseMode = 0 | 9 | 1000 | 1001 | 1002 | 1003;
/** Mouse encodings mosh tracks (0 = default, else the DEC private mode number). */
export type MouseEncoding = 0 | 1005 | 1006 | 1015;

/**
 * One immutable screen row. Cells are packed: `text` holds every cell's grapheme back to back
 * (`offsets[x]..offsets[x+1]`), `meta[x]` = width << 8 | attribute bits, `fg`/`bg` = colours.
 * An empty cell ('' text, never written or erased) has width 1; the right half of a wide
 * character has width 0 and '' text. `hash` covers everything, so unequal rows almost always
 * differ in hash and `rowEquals` of equal-hash rows is exact.
 */
export class Row {
  /** Number of cells. */
  readonly cols: number;
  /** The graphemes of all cells, concatenated. */
  readonly text: string;
  /** Start of each cell's grapheme in `text`; `offsets[cols]` = `text.length`. */
  readonly offsets: Uint32Array;
  /** Per cell: width (0, 1, 2) << 8 | attribute bits ({@link Attr}). */
  readonly meta: Uint16Array;
  /** Per cell foreground {@link Color} (take it apart with {@link decodeColor}). */
  readonly fg: Uint32Array;
  /** Per cell background {@link Color} (take it apart with {@link decodeColor}). */
  readonly bg: Uint32Array;
  /** Whether the row soft-wrapped into the next one (mosh's wrap flag on its last cell). */
  readonly wrap: boolean;
  /** Signature of the whole row. */
  readonly hash: number;

  /**
   * Takes ownership of the arrays (sessions build their rows themselves; within mosh-ts, use
   * `RowBuilder` or `blankRow`). `hash`, if
   * given, must be what `hashRow` returns for these contents (a reader that already
   * computed it passes it to save the second pass).
   */
  constructor(
    text: string,
    offsets: Uint32Array,
    meta: Uint16Array,
    fg: Uint32Array,
    bg: Uint32Array,
    wrap: boolean,
    hash?: number,
  ) {
    this.cols = meta.length;
    this.text = text;
    this.offsets = offsets;
    this.meta = meta;
    this.fg = fg;
    this.bg = bg;
    this.wrap = wrap;
    this.hash = hash ?? hashRow(text, offsets, meta, fg, bg, wrap);
  }

  /** The grapheme in cell x ('' = empty or the right half of a wide character). */
  cellText(x: number): string {
    return this.text.slice(this.offsets[x], this.offsets[x + 1]);
  }

  /** Whether cell x has no grapheme. */
  cellEmpty(x: number): boolean {
    return this.offsets[x] === this.offsets[x + 1];
  }

  /** Width of cell x: 1, 2 (wide), or 0 (the right half of a wide character). */
  cellWidth(x: number): 0 | 1 | 2 {
    return (this.meta[x] >> 8) as 0 | 1 | 2;
  }

  /** Attribute bits of cell x ({@link Attr}). */
  cellAttrs(x: number): number {
    return this.meta[x] & ATTR_MASK;
  }

  /** The row's text: empty cells as spaces, wide characters once, trailing spaces removed. */
  toString(): string {
    let s = "";
    for (let x = 0; x < this.cols; x++) {
      const w = this.meta[x] >> 8;
      if (w === 0) continue;
      s += this.offsets[x] === this.offsets[x + 1] ? " " : this.cellText(x);
    }
    return s.replace(/ +$/, "");
  }
}

/** FNV-1a over everything in a row: its text's UTF-16 units, then per cell meta, fg, bg and end offset. */
export function hashRow(
  text: string,
  offsets: Uint32Array,
  meta: Uint16Array,
  fg: Uint32Array,
  bg: Uint32Array,
  wrap: boolean,
): number {
  let h = wrap ? 0x811c9dc5 : 0x050c5d1f;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  for (let x = 0; x < meta.length; x++) {
    h = Math.imul(h ^ meta[x], 0x01000193);
    h = Math.imul(h ^ fg[x], 0x01000193);
    h = Math.imul(h ^ bg[x], 0x01000193);
    h = Math.imul(h ^ offsets[x + 1], 0x01000193);
  }
  return h >>> 0;
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether two rows are equal in every cell and in their wrap flag; O(1) for shared rows. */
export function rowEquals(a: Row, b: Row): boolean {
  if (a === b) return true;
  return (
    a.hash === b.hash &&
    a.wrap === b.wrap &&
    a.text === b.text &&
    sameArray(a.meta, b.meta) &&
    sameArray(a.fg, b.fg) &&
    sameArray(a.bg, b.bg) &&
    sameArray(a.offsets, b.offsets)
  );
}

/** Whether cell `x` of row `a` equals cell `y` of row `b` (grapheme, width, attributes, colours). */
export function cellEquals(a: Row, x: number, b: Row, y: number): boolean {
  if (a.meta[x] !== b.meta[y] || a.fg[x] !== b.fg[y] || a.bg[x] !== b.bg[y]) return false;
  const as = a.offsets[x];
  const bs = b.offsets[y];
  const n = a.offsets[x + 1] - as;
  if (n !== b.offsets[y + 1] - bs) return false;
  for (let i = 0; i < n; i++) if (a.text.charCodeAt(as + i) !== b.text.charCodeAt(bs + i)) return false;
  return true;
}

const blankRows = new Map<number, Row>();

/** A row of empty cells with default colours (shared per width). */
export function blankRow(cols: number): Row {
  let row = blankRows.get(cols);
  if (!row) {
    const meta = new Uint16Array(cols).fill(1 << 8);
    row = new Row("", new Uint32Array(cols + 1), meta, new Uint32Array(cols), new Uint32Array(cols), false);
    blankRows.set(cols, row);
  }
  return row;
}

/**
 * Builds a row cell by cell (for overlays such as predictions and the notification bar).
 * Start blank or from an existing row; `build()` returns an immutable {@link Row}.
 */
export class RowBuilder {
  private readonly texts: string[];
  private readonly meta: Uint16Array;
  private readonly fg: Uint32Array;
  private readonly bg: Uint32Array;
  private wrap = false;

  /** A builder for a blank row of `cols` cells. */
  constructor(cols: number) {
    this.texts = new Array<string>(cols).fill("");
    this.meta = new Uint16Array(cols).fill(1 << 8);
    this.fg = new Uint32Array(cols);
    this.bg = new Uint32Array(cols);
  }

  /** A builder holding a copy of `row`. */
  static from(row: Row): RowBuilder {
    const b = new RowBuilder(row.cols);
    for (let x = 0; x < row.cols; x++) b.texts[x] = row.cellText(x);
    b.meta.set(row.meta);
    b.fg.set(row.fg);
    b.bg.set(row.bg);
    b.wrap = row.wrap;
    return b;
  }

  /** Number of cells. */
  get cols(): number {
    return this.meta.length;
  }

  /**
   * Sets one cell. A wide (width 2) cell should be followed by a width-0 cell; `setCell` does
   * that itself when there is room.
   */
  setCell(x: number, text: string, width: 0 | 1 | 2, attrs = 0, fg: Color = 0, bg: Color = 0): this {
    this.texts[x] = text;
    this.meta[x] = (width << 8) | (attrs & ATTR_MASK);
    this.fg[x] = fg;
    this.bg[x] = bg;
    if (width === 2 && x + 1 < this.meta.length) {
      this.texts[x + 1] = "";
      this.meta[x + 1] = attrs & ATTR_MASK;
      this.fg[x + 1] = fg;
      this.bg[x + 1] = bg;
    }
    return this;
  }

  /** Sets the row's wrap flag. */
  setWrap(wrap: boolean): this {
    this.wrap = wrap;
    return this;
  }

  /** The finished row. */
  build(): Row {
    const cols = this.meta.length;
    const offsets = new Uint32Array(cols + 1);
    let n = 0;
    for (let x = 0; x < cols; x++) {
      offsets[x] = n;
      n += this.texts[x].length;
    }
    offsets[cols] = n;
    return new Row(
      this.texts.join(""),
      offsets,
      this.meta.slice(),
      this.fg.slice(),
      this.bg.slice(),
      this.wrap,
    );
  }
}

/** Everything in a frame apart from its rows. */
export interface FrameState {
  /** Cursor row (0-based). */
  readonly cursorRow: number;
  /** Cursor column (0-based, always inside the screen: a pending wrap shows as the last column). */
  readonly cursorCol: number;
  /** DECTCEM (?25). */
  readonly cursorVisible: boolean;
  /** Window title (OSC 0/2). */
  readonly title: string;
  /** Icon name (OSC 0/1). */
  readonly iconName: string;
  /** Whether some OSC ever set the title or icon name (mosh sends titles only then). */
  readonly titleSet: boolean;
  /** The last OSC 52 clipboard payload (selection `c`), as received. */
  readonly clipboard: string;
  /** How many times the bell rang. */
  readonly bellCount: number;
  /** DECSCNM (?5). */
  readonly reverseVideo: boolean;
  /** Bracketed paste (?2004). */
  readonly bracketedPaste: boolean;
  /** Mouse reporting mode. */
  readonly mouseMode: MouseMode;
  /** Mouse encoding. */
  readonly mouseEncoding: MouseEncoding;
  /** Focus events (?1004). */
  readonly focusEvents: boolean;
}

/** The state of a freshly reset terminal. */
export const INITIAL_STATE: FrameState = Object.freeze({
  cursorRow: 0,
  cursorCol: 0,
  cursorVisible: true,
  title: "",
  iconName: "",
  titleSet: false,
  clipboard: "",
  bellCount: 0,
  reverseVideo: false,
  bracketedPaste: false,
  mouseMode: 0,
  mouseEncoding: 0,
  focusEvents: false,
});

/**
 * An immutable snapshot of a terminal screen: the rows plus cursor, title, clipboard, bell
 * count and the modes mosh synchronises. Unchanged rows are shared between snapshots.
 */
export class Frame implements FrameState {
  /** Width in cells. */
  readonly cols: number;
  /** Height in rows. */
  readonly rows: number;
  /** The rows, top to bottom. */
  readonly grid: readonly Row[];
  readonly cursorRow: number;
  readonly cursorCol: number;
  readonly cursorVisible: boolean;
  readonly title: string;
  readonly iconName: string;
  readonly titleSet: boolean;
  readonly clipboard: string;
  readonly bellCount: number;
  readonly reverseVideo: boolean;
  readonly bracketedPaste: boolean;
  readonly mouseMode: MouseMode;
  readonly mouseEncoding: MouseEncoding;
  readonly focusEvents: boolean;

  /** `grid` must hold `rows` rows of `cols` cells each. */
  constructor(cols: number, rows: number, grid: readonly Row[], state: FrameState = INITIAL_STATE) {
    if (grid.length !== rows) throw new RangeError(`frame has ${grid.length} rows, expected ${rows}`);
    this.cols = cols;
    this.rows = rows;
    this.grid = grid;
    this.cursorRow = Math.min(Math.max(state.cursorRow, 0), rows - 1);
    this.cursorCol = Math.min(Math.max(state.cursorCol, 0), cols - 1);
    this.cursorVisible = state.cursorVisible;
    this.title = state.title;
    this.iconName = state.iconName;
    this.titleSet = state.titleSet;
    this.clipboard = state.clipboard;
    this.bellCount = state.bellCount;
    this.reverseVideo = state.reverseVideo;
    this.bracketedPaste = state.bracketedPaste;
    this.mouseMode = state.mouseMode;
    this.mouseEncoding = state.mouseEncoding;
    this.focusEvents = state.focusEvents;
  }

  /** Row y. */
  row(y: number): Row {
    return this.grid[y];
  }

  /** A copy with some state fields and/or rows replaced (rows are shared otherwise). */
  with(state: Partial<FrameState>, grid: readonly Row[] = this.grid): Frame {
    return new Frame(this.cols, this.rows, grid, { ...this.state(), ...state });
  }

  /** The non-row state as a plain object. */
  state(): FrameState {
    return {
      cursorRow: this.cursorRow,
      cursorCol: this.cursorCol,
      cursorVisible: this.cursorVisible,
      title: this.title,
      iconName: this.iconName,
      titleSet: this.titleSet,
      clipboard: this.clipboard,
      bellCount: this.bellCount,
      reverseVideo: this.reverseVideo,
      bracketedPaste: this.bracketedPaste,
      mouseMode: this.mouseMode,
      mouseEncoding: this.mouseEncoding,
      focusEvents: this.focusEvents,
    };
  }

  /** The text of every row (empty cells as spaces, trailing spaces removed). */
  lines(): string[] {
    return this.grid.map((r) => r.toString());
  }
}

/**
 * Whether cell `x` of `a` and `b` look the same: equal, or one empty and the other a printed
 * space with the same colours and attributes (mosh draws short blank runs as spaces, docs/mosh-protocol.md §9.4).
 */
export function cellLooksEqual(a: Row, b: Row, x: number): boolean {
  if (cellEquals(a, x, b, x)) return true;
  if (a.meta[x] !== b.meta[x] || a.fg[x] !== b.fg[x] || a.bg[x] !== b.bg[x]) return false;
  return isBlankText(a, x) && isBlankText(b, x);
}

function isBlankText(r: Row, x: number): boolean {
  const s = r.offsets[x];
  const n = r.offsets[x + 1] - s;
  return n === 0 || (n === 1 && r.text.charCodeAt(s) === 0x20);
}

/**
 * Whether two frames show the same thing: size, cells (a printed space and an empty cell with
 * the same renditions count as equal), cursor, title, clipboard and modes. Wrap flags and the
 * bell count are not compared. This is the convergence check between a server's screen and a
 * client's copy: mosh's own diffs leave such spaces behind, and an xterm client loses wrap
 * flags that mosh-server's line feeds pass over.
 */
export function viewEquals(a: Frame, b: Frame): boolean {
  if (a === b) return true;
  if (
    a.cols !== b.cols ||
    a.rows !== b.rows ||
    a.cursorRow !== b.cursorRow ||
    a.cursorCol !== b.cursorCol ||
    a.cursorVisible !== b.cursorVisible ||
    a.title !== b.title ||
    a.clipboard !== b.clipboard ||
    a.reverseVideo !== b.reverseVideo ||
    a.bracketedPaste !== b.bracketedPaste ||
    a.mouseMode !== b.mouseMode ||
    a.mouseEncoding !== b.mouseEncoding ||
    a.focusEvents !== b.focusEvents
  ) {
    return false;
  }
  for (let y = 0; y < a.rows; y++) {
    const ra = a.grid[y];
    const rb = b.grid[y];
    if (ra === rb) continue;
    for (let x = 0; x < a.cols; x++) if (!cellLooksEqual(ra, rb, x)) return false;
  }
  return true;
}

/** A blank frame: empty cells, cursor at the top left and visible, no title, default modes. */
export function blankFrame(cols: number, rows: number): Frame {
  const row = blankRow(cols);
  return new Frame(cols, rows, new Array<Row>(rows).fill(row));
}

/**
 * Frame equality as mosh defines it (§9.1): rows, title, clipboard, bell count, size, cursor
 * and modes. The icon name and the title-set flag are not compared.
 */
export function frameEquals(a: Frame, b: Frame): boolean {
  if (a === b) return true;
  if (
    a.cols !== b.cols ||
    a.rows !== b.rows ||
    a.cursorRow !== b.cursorRow ||
    a.cursorCol !== b.cursorCol ||
    a.cursorVisible !== b.cursorVisible ||
    a.title !== b.title ||
    a.clipboard !== b.clipboard ||
    a.bellCount !== b.bellCount ||
    a.reverseVideo !== b.reverseVideo ||
    a.bracketedPaste !== b.bracketedPaste ||
    a.mouseMode !== b.mouseMode ||
    a.mouseEncoding !== b.mouseEncoding ||
    a.focusEvents !== b.focusEvents
  ) {
    return false;
  }
  for (let y = 0; y < a.rows; y++) if (!rowEquals(a.grid[y], b.grid[y])) return false;
  return true;
}
