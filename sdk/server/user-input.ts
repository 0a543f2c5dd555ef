// The server's input translator (mosh's Terminal::UserInput): `ESC O A–D` becomes `ESC [ A–D` unless the application enabled DECCKM.

const ESC = 0x1b;
const O = 0x4f;
const LBRACKET = 0x5b;
const A = 0x41;
const D = 0x44;

const GROUND = 0;
const SEEN_ESC = 1;
const SEEN_SS3 = 2;

/**
 * Rewrites the user's keystrokes before they reach the application, exactly as mosh-server does
 * (docs/mosh-protocol.md §8.1, pitfall 9). The real client always puts the user's terminal in application cursor mode,
 * so arrows arrive as `ESC O A`…`ESC O D`; unless the application turned on cursor-key
 * application mode (DECCKM, `CSI ? 1 h`), they are turned into `ESC [ A`…`ESC [ D`. Everything
 * else passes through unchanged. The state survives between calls: an `ESC O` at the end of one
 * batch is completed by the next (the `O` is held until then, as mosh holds it).
 */
export class UserInputTranslator {
  #state = GROUND;

  /**
   * Translates one batch of user bytes.
   * @param applicationCursorKeys whether the application enabled DECCKM (then `ESC O x` is kept)
   */
  translate(bytes: Uint8Array, applicationCursorKeys: boolean): Uint8Array {
    // Fast path: nothing to rewrite and nothing held.
    if (this.#state === GROUND && !bytes.includes(ESC)) return bytes;
    const out: number[] = [];
    for (const c of bytes) {
      switch (this.#state) {
        case GROUND:
          if (c === ESC) this.#state = SEEN_ESC;
          out.push(c);
          break;
        case SEEN_ESC:
          if (c === O) {
            this.#state = SEEN_SS3;
          } else {
            this.#state = GROUND;
            out.push(c);
          }
          break;
        default:
          this.#state = GROUND;
          if (!applicationCursorKeys && c >= A && c <= D) out.push(LBRACKET, c);
          else out.push(O, c);
          break;
      }
    }
    return Uint8Array.from(out);
  }
}
