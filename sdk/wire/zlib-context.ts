// Reused zlib contexts for the per-datagram deflate/inflate: one native stream reset between uses.
import { constants, Deflate, deflateSync, Inflate, inflateSync, type ZlibOptions } from "node:zlib";

/**
 * The part of Node's native zlib handle that `zlib.deflateSync` itself drives (node:zlib's
 * `processChunkSync`): a synchronous write into a caller's output buffer, and a reset.
 */
interface NativeZlibHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
  reset(): void;
}

/** A zlib stream object with the internals {@link ZlibContext} uses; all optional, checked before use. */
interface EngineInternals {
  _handle?: NativeZlibHandle | null;
  _writeState?: Uint32Array;
}

/** Output room of the fast path; a result that does not fit is redone by the one-shot function. */
const OUT_BYTES = 64 * 1024;

/**
 * One reusable zlib stream (deflate or inflate). Each call is a complete, independent zlib
 * stream, exactly what `deflateSync`/`inflateSync` produce for the same input, but the native
 * context (about 300 KB of tables) is reset instead of allocated and freed per datagram.
 *
 * It drives the handle the way node:zlib's own sync functions do (`_handle.writeSync` and the
 * `_writeState` pair). If those internals are missing, or anything unusual happens (an error,
 * output larger than 64 KiB, input left over), the call is redone with the one-shot function,
 * so results and errors are always those of `deflateSync`/`inflateSync`.
 */
class ZlibContext {
  readonly #make: () => Deflate | Inflate;
  readonly #oneShot: (input: Uint8Array) => Buffer;
  #engine: (Deflate | Inflate) | null = null;
  #handle: NativeZlibHandle | null = null;
  #state: Uint32Array | null = null;
  #out: Buffer | null = null;
  /** False once the internals proved unusable: every call then uses the one-shot function. */
  #fast = true;

  constructor(make: () => Deflate | Inflate, oneShot: (input: Uint8Array) => Buffer) {
    this.#make = make;
    this.#oneShot = oneShot;
  }

  /** Compresses or decompresses `input` as one whole zlib stream. */
  run(input: Uint8Array): Uint8Array {
    if (this.#fast && (this.#handle !== null || this.#open())) {
      const handle = this.#handle as NativeZlibHandle;
      const state = this.#state as Uint32Array;
      const out = this.#out as Buffer;
      let ok = false;
      try {
        handle.writeSync(constants.Z_FINISH, input, 0, input.length, out, 0, OUT_BYTES);
        // [0] = output room left, [1] = input left; a full output buffer may mean more to come.
        ok = (this.#engine as EngineInternals)._handle === handle && state[0] !== 0 && state[1] === 0;
      } catch {
        ok = false;
      }
      if (ok) {
        const result = new Uint8Array(OUT_BYTES - state[0]);
        result.set(out.subarray(0, result.length));
        handle.reset();
        return result;
      }
      this.#drop();
    }
    const r = this.#oneShot(input);
    return new Uint8Array(r.buffer, r.byteOffset, r.byteLength);
  }

  #open(): boolean {
    try {
      const engine = this.#make();
      // Errors are seen through the handle; the stream's own 'error' event must not go unhandled.
      engine.on("error", () => undefined);
      const internals = engine as unknown as EngineInternals;
      const handle = internals._handle;
      const state = internals._writeState;
      if (
        !handle ||
        typeof handle.writeSync !== "function" ||
        typeof handle.reset !== "function" ||
        !(state instanceof Uint32Array) ||
        state.length < 2
      ) {
        this.#fast = false;
        engine.close();
        return false;
      }
      this.#engine = engine;
      this.#handle = handle;
      this.#state = state;
      this.#out ??= Buffer.allocUnsafe(OUT_BYTES);
      return true;
    } catch {
      this.#fast = false;
      return false;
    }
  }

  /** Forgets the current stream (after an error or an oversized result); the next call opens a new one. */
  #drop(): void {
    const engine = this.#engine;
    this.#engine = null;
    this.#handle = null;
    this.#state = null;
    try {
      engine?.close();
    } catch {
      // already closed by the error
    }
  }
}

const INFLATE_LIMIT = 4 * 1024 * 1024;
const inflateOptions: ZlibOptions = { maxOutputLength: INFLATE_LIMIT };
const deflateOptions: ZlibOptions = {};

const deflater = new ZlibContext(
  () => new Deflate(deflateOptions),
  (input) => deflateSync(input, deflateOptions),
);
const inflater = new ZlibContext(
  () => new Inflate(inflateOptions),
  (input) => inflateSync(input, inflateOptions),
);

/**
 * Compresses `input` into one complete zlib stream (header `78 9C`, default level), byte for
 * byte what `zlib.deflateSync(input)` returns, reusing one native context.
 */
export function deflateDatagram(input: Uint8Array): Uint8Array {
  return deflater.run(input);
}

/**
 * Decompresses one complete zlib stream of at most 4 MiB (mosh's limit), as
 * `zlib.inflateSync(input, { maxOutputLength: 4 MiB })` does, reusing one native context.
 * @throws Error as `inflateSync` does on bad, truncated or oversized data.
 */
export function inflateDatagram(input: Uint8Array): Uint8Array {
  return inflater.run(input);
}
