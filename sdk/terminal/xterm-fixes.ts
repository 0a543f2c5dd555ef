// Work-arounds for @xterm/headless 6.0 bugs that let terminal output crash the emulator.

/** xterm's internal CSI parameter object, as far as the patched handlers read it. */
interface InternalParams {
  readonly params: ArrayLike<number>;
  readonly length: number;
}

/** The parts of xterm's internal InputHandler and active buffer the work-arounds touch. */
interface InternalInputHandler {
  eraseInDisplay(params: InternalParams, respectProtect?: boolean): boolean;
  eraseInLine(params: InternalParams, respectProtect?: boolean): boolean;
  readonly _activeBuffer?: { x: number; y: number; readonly lines: { readonly length: number } };
}

/** The minimal view of an xterm Terminal needed here. */
interface PatchableTerminal {
  readonly cols: number;
}

/**
 * Patches one terminal instance. Returns whether the patch applied (false if xterm's internals
 * changed shape, in which case the terminal is left as it is).
 *
 * ED 1 (`CSI 1 J`) with the cursor in the last column clears the wrap flag of "the next line"
 * using a screen row as a buffer index; on the bottom row that line does not exist and xterm
 * throws inside its write loop (the write never completes). Here that case erases above with
 * the cursor moved one column left, then erases the whole line (EL 2), which gives the same screen.
 */
export function patchXterm(term: PatchableTerminal): boolean {
  const core = (term as unknown as { _core?: { _inputHandler?: InternalInputHandler } })._core;
  const ih = core?._inputHandler;
  if (!ih || typeof ih.eraseInDisplay !== "function" || typeof ih.eraseInLine !== "function") return false;
  const eraseInDisplay = ih.eraseInDisplay.bind(ih);
  const eraseInLine = ih.eraseInLine.bind(ih);
  ih.eraseInDisplay = (params: InternalParams, respectProtect = false): boolean => {
    const buf = ih._activeBuffer;
    if (params.params[0] !== 1 || !buf || buf.x + 1 < term.cols || buf.y + 1 < buf.lines.length) {
      return eraseInDisplay(params, respectProtect);
    }
    const x = Math.min(buf.x, term.cols);
    buf.x = Math.max(0, term.cols - 2);
    try {
      eraseInDisplay(params, respectProtect);
    } finally {
      buf.x = x;
    }
    return eraseInLine({ params: [2], length: 1 }, respectProtect);
  };
  return true;
}
