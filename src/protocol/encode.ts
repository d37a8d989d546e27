import { packPayloadInPlace, uintLength, writeUint, type PackedRange } from './payload-codec.js';

/** Bytes in a frame's length prefix (u32 little-endian). */
export const HEADER_BYTES = 4;

/**
 * The largest frame body (type byte plus payload) either end accepts: 64 MiB. DESIGN section 2 allows up to
 * 256 MiB; we stop lower because a message that large belongs in a file, and a corrupt length should not make
 * a decoder wait for a quarter of a gigabyte before it can say so.
 */
export const MAX_FRAME_LENGTH = 64 * 1024 * 1024;

function checkType(type: number): void {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) {
    throw new RangeError(`frame type must be a byte (0..255), got ${String(type)}`);
  }
}

function checkLength(bodyLength: number): void {
  if (bodyLength > MAX_FRAME_LENGTH) {
    throw new RangeError(`frame of ${bodyLength} bytes exceeds the maximum of ${MAX_FRAME_LENGTH} bytes`);
  }
}

/**
 * One frame as bytes: u32 LE length `L`, then `L` bytes of type and msgpack payload.
 * With no payload (or `undefined`), `L = 1` and no payload bytes follow.
 */
export function encodeFrame(type: number, payload?: unknown): Uint8Array {
  const writer = new FrameWriter(HEADER_BYTES + 1);
  writer.write(type, payload);
  return writer.take()!;
}

/** Copies `range` into `target` at `at` without making a view: a loop for the usual few bytes. */
function copyRange({ bytes, start, end }: Readonly<PackedRange>, target: Uint8Array, at: number): void {
  if (end - start > 64) {
    target.set(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end), at);
    return;
  }
  for (let i = start; i < end; i++) target[at++] = bytes[i]!;
}

/**
 * Batches frames into one growing buffer so that many frames travel in one post or write.
 *
 *   buffer: [ L1 | t1 | payload1 ][ L2 | t2 ][ L3 | t3 | payload3 ] ... free space ...
 *           ^0                                                      ^byteLength
 *
 * `take()` hands out an exact-size copy (safe to transfer) and empties the writer.
 */
export class FrameWriter {
  #buffer: Uint8Array;
  #view: DataView;
  #length = 0;
  #frames = 0;

  constructor(initialCapacity = 16 * 1024) {
    this.#buffer = new Uint8Array(initialCapacity);
    this.#view = new DataView(this.#buffer.buffer);
  }

  /** Frames written since the last `take()`. */
  get frameCount(): number {
    return this.#frames;
  }

  /** Bytes written since the last `take()`. */
  get byteLength(): number {
    return this.#length;
  }

  /** Appends one frame; throws like `encodeFrame` and then writes nothing. */
  write(type: number, payload?: unknown): void {
    checkType(type);
    // An unsigned integer (every `n` frame, every acknowledgement) is written here, not by msgpackr: see uintLength.
    const uint = typeof payload === 'number' ? uintLength(payload) : 0;
    const body = uint > 0 || payload === undefined ? undefined : packPayloadInPlace(payload);
    const bodyLength = 1 + (body ? body.end - body.start : uint);
    checkLength(bodyLength);
    const start = this.#length;
    this.#reserve(HEADER_BYTES + bodyLength);
    this.#view.setUint32(start, bodyLength, true);
    this.#buffer[start + HEADER_BYTES] = type;
    if (body) copyRange(body, this.#buffer, start + HEADER_BYTES + 1);
    else if (uint > 0) writeUint(payload as number, uint, this.#buffer, start + HEADER_BYTES + 1);
    this.#length = start + HEADER_BYTES + bodyLength;
    this.#frames++;
  }

  /** The frames written so far as one exact-size buffer, or `undefined` when there are none. */
  take(): Uint8Array | undefined {
    if (this.#length === 0) return undefined;
    const out = this.#buffer.slice(0, this.#length);
    this.#length = 0;
    this.#frames = 0;
    return out;
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.length) return;
    let capacity = Math.max(this.#buffer.length, 1) * 2; // from 0 (`new FrameWriter(0)`), doubling alone never grows
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
    this.#view = new DataView(grown.buffer);
  }
}
