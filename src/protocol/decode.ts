import { HEADER_BYTES, MAX_FRAME_LENGTH } from './encode.js';
import { frameTypeName, isKnownFrameType } from './frame-type.js';
import { unpackPayload } from './payload-codec.js';
import { ProtocolError } from './protocol-error.js';

/** One decoded frame. `payload` is `undefined` for a frame without payload bytes. */
export interface Frame {
  readonly type: number;
  readonly payload: unknown;
}

/** Receives each frame `pushTo()` decodes, in order, as it is decoded. */
export type FrameHandler = (type: number, payload: unknown) => void;

/** A ProtocolError raised by `push()`, with the good frames of that chunk that came before the bad one. */
export interface DecodeFailure extends ProtocolError {
  readonly frames?: Frame[];
}

export interface FrameDecoderOptions {
  /** Largest accepted frame body (type byte plus payload), in bytes. Default and upper bound: `MAX_FRAME_LENGTH`. */
  readonly maxFrameLength?: number;
}

/**
 * Turns a byte stream back into frames, however it was cut: several frames in one chunk, one frame over many
 * chunks, a length prefix split in two. It keeps at most one partial frame:
 *
 *   chunk k:   ...][ L | t | pay-      (header read: the body buffer of L bytes is allocated once)
 *   chunk k+1:          -load ][ L'|   (body completed; 2 bytes of the next header kept)
 *
 * After the first ProtocolError the stream is unusable (the next frame boundary is unknown), so every later
 * `push()` throws that same error.
 */
export class FrameDecoder {
  readonly #maxFrameLength: number;
  /** Bytes of the stream consumed before the current chunk. */
  #streamOffset = 0;
  /** A split length prefix. */
  #header = new Uint8Array(HEADER_BYTES);
  #headerFill = 0;
  /** The body of a frame split across chunks, and how much of it has arrived. */
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  #frameStart = 0;
  #failure: ProtocolError | undefined;
  /** True while the handler runs: what it throws is its own error, not a decoding one. */
  #inHandler = false;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameLength ?? MAX_FRAME_LENGTH;
    if (!Number.isInteger(max) || max < 1 || max > MAX_FRAME_LENGTH) {
      throw new RangeError(`maxFrameLength must be an integer from 1 to ${MAX_FRAME_LENGTH}, got ${String(max)}`);
    }
    this.#maxFrameLength = max;
  }

  /** The error that stopped this decoder, if any. */
  get failure(): ProtocolError | undefined {
    return this.#failure;
  }

  /** Bytes held back as part of a frame that has not fully arrived (its length prefix included). */
  get bufferedBytes(): number {
    return this.#body ? HEADER_BYTES + this.#bodyFill : this.#headerFill;
  }

  /** Decodes every frame that `chunk` completes. Throws a ProtocolError (see `DecodeFailure`) on a bad frame. */
  push(chunk: Uint8Array): Frame[] {
    if (this.#failure) throw this.#failure;
    const frames: Frame[] = [];
    try {
      this.pushTo(chunk, (type, payload) => void frames.push({ type, payload }));
    } catch (error) {
      (error as { frames?: Frame[] }).frames = frames;
      throw error;
    }
    return frames;
  }

  /**
   * `push()` without an array or an object per frame, for the hot paths: hands each frame `chunk` completes to
   * `onFrame` as soon as it is decoded. A bad frame throws a ProtocolError once the frames before it were handed
   * over. What `onFrame` throws stops the decoding and is thrown as it is; the decoder, left mid-chunk, is then
   * failed too (its later pushes throw a ProtocolError saying so).
   */
  pushTo(chunk: Uint8Array, onFrame: FrameHandler): void {
    if (this.#failure) throw this.#failure;
    try {
      this.#consume(chunk, onFrame);
    } catch (error) {
      if (this.#inHandler) {
        this.#inHandler = false;
        const why = error instanceof Error ? error.message : String(error);
        this.#failure = new ProtocolError(`decoding stopped: a frame handler threw: ${why}`, this.#streamOffset);
        throw error;
      }
      this.#failure = error instanceof ProtocolError ? error : new ProtocolError(String(error), this.#streamOffset);
      throw this.#failure;
    }
  }

  /** Decodes the frame body `bytes[from, to)` and hands it over. */
  #emit(bytes: Uint8Array, from: number, to: number, start: number, onFrame: FrameHandler): void {
    const type = bytes[from]!;
    const payload = decodePayload(type, bytes, from, to, start);
    this.#inHandler = true;
    onFrame(type, payload);
    this.#inHandler = false;
  }

  #consume(chunk: Uint8Array, onFrame: FrameHandler): void {
    let at = 0;
    const end = chunk.length;
    if (this.#headerFill > 0 || this.#body) at = this.#finishPartial(chunk, onFrame);
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // msgpackr caches a DataView on each source as `source.dataView`; payloads are decoded in place in `chunk`, so
    // give it this one, not enumerable: the caller's chunk gains no visible property.
    if (!('dataView' in chunk)) Object.defineProperty(chunk, 'dataView', { value: view, writable: true, configurable: true });
    while (at < end) {
      const start = this.#streamOffset + at;
      if (end - at < HEADER_BYTES) {
        this.#header.set(chunk.subarray(at, end));
        this.#headerFill = end - at;
        this.#frameStart = start;
        break;
      }
      const length = view.getUint32(at, true);
      this.#checkLength(length, start);
      if (end - at - HEADER_BYTES >= length) {
        this.#emit(chunk, at + HEADER_BYTES, at + HEADER_BYTES + length, start, onFrame);
        at += HEADER_BYTES + length;
        continue;
      }
      this.#checkType(chunk[at + HEADER_BYTES], start);
      this.#startBody(length, start, chunk.subarray(at + HEADER_BYTES, end));
      break;
    }
    this.#streamOffset += end;
  }

  /** Completes a header or body begun in an earlier chunk; returns how many bytes of `chunk` that used. */
  #finishPartial(chunk: Uint8Array, onFrame: FrameHandler): number {
    let at = 0;
    if (this.#headerFill > 0) {
      const take = Math.min(HEADER_BYTES - this.#headerFill, chunk.length);
      this.#header.set(chunk.subarray(0, take), this.#headerFill);
      this.#headerFill += take;
      at = take;
      if (this.#headerFill < HEADER_BYTES) return at;
      const length = new DataView(this.#header.buffer).getUint32(0, true);
      this.#headerFill = 0;
      this.#checkLength(length, this.#frameStart);
      this.#startBody(length, this.#frameStart, chunk.subarray(0, 0));
    }
    const body = this.#body!;
    const take = Math.min(body.length - this.#bodyFill, chunk.length - at);
    body.set(chunk.subarray(at, at + take), this.#bodyFill);
    if (this.#bodyFill === 0 && take > 0) this.#checkType(body[0], this.#frameStart);
    this.#bodyFill += take;
    at += take;
    if (this.#bodyFill === body.length) {
      this.#body = undefined;
      this.#bodyFill = 0;
      this.#emit(body, 0, body.length, this.#frameStart, onFrame);
    }
    return at;
  }

  #startBody(length: number, start: number, firstBytes: Uint8Array): void {
    this.#body = new Uint8Array(length);
    this.#body.set(firstBytes);
    this.#bodyFill = firstBytes.length;
    this.#frameStart = start;
  }

  #checkLength(length: number, start: number): void {
    if (length === 0) throw new ProtocolError('frame length 0 (a frame holds at least its type byte)', start);
    if (length > this.#maxFrameLength) {
      throw new ProtocolError(`frame length ${length} exceeds the maximum of ${this.#maxFrameLength} bytes`, start);
    }
  }

  #checkType(type: number | undefined, start: number): void {
    if (type !== undefined && !isKnownFrameType(type)) {
      throw new ProtocolError(`unknown frame type ${frameTypeName(type)}`, start);
    }
  }
}

/**
 * Decodes the payload of one complete frame body, `bytes[from, to)` (type byte and payload), in place: a subarray
 * per frame would cost an allocation, and msgpackr caches a DataView on each source it is given.
 */
function decodePayload(type: number, bytes: Uint8Array, from: number, to: number, start: number): unknown {
  if (!isKnownFrameType(type)) throw new ProtocolError(`unknown frame type ${frameTypeName(type)}`, start);
  if (to - from === 1) return undefined;
  try {
    return unpackPayload(bytes, from + 1, to);
  } catch (inPlace) {
    // msgpackr reads a truncated value's header past `to` before it fails, so its message would depend on the
    // bytes after the frame: give the one the payload alone gives, the same wherever the frame lies.
    const cause = failureOf(bytes.subarray(from + 1, to)) ?? inPlace;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new ProtocolError(`payload of ${frameTypeName(type)} frame does not decode: ${why}`, start, { cause });
  }
}

function failureOf(payload: Uint8Array): unknown {
  try {
    unpackPayload(payload);
  } catch (error) {
    return error;
  }
  return undefined;
}
