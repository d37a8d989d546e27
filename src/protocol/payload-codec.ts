import { Packr, REUSE_BUFFER_MODE, RESET_BUFFER_MODE, clearSource } from 'msgpackr';
import { borrowVisited, returnVisited, type VisitedObjects } from './visited-objects.js';

/**
 * The one msgpack codec both ends use, in two forms.
 *
 * Most payloads are trees of plain data: they are written as standard msgpack (objects are msgpack maps, no
 * msgpackr records), so a peer in another language decodes them with any msgpack library. msgpackr's extension
 * types still carry `undefined`, Set, Date, Error, RegExp, typed arrays and big BigInts (docs/protocol.md).
 *
 * A payload holding a Map, an object reached twice (a cycle or a shared reference) or an instance of another
 * class cannot be written that way: msgpack has one map type for both objects and Maps, and msgpackr's cycle
 * support needs its records to rebuild objects. Such a payload goes whole through msgpackr's structured clone,
 * wrapped in one msgpack ext of type `CLONE_EXTENSION` that only the top level may hold. Nothing is registered
 * with msgpackr's process-global `addExtension`: the wrapper is written and recognized here.
 *
 * `pack()` returns a view into msgpackr's pooled 8 KiB buffer (RESEARCH.md), so callers copy what they keep:
 * the frame encoders always copy into their own buffer. `copyBuffers` makes a decoded msgpack `bin` (a Buffer,
 * or bytes from another msgpack implementation) a copy, not a view into the chunk the caller pushed.
 */
const plainCodec = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  moreTypes: true,
  copyBuffers: true,
  // the reference exts (0x69 'i', 0x70 'p') belong to the clone form only: in a plain payload they are an error
  structuredClone: false,
});
const cloneCodec = new Packr({ structuredClone: true, copyBuffers: true });
/*
 * msgpackr keeps the reference table of a structured-clone decode in module state: undefined until the first
 * decode ends, null after every end. Starting at null, a pointer to an unknown reference fails with the same
 * message in a fresh process as in one that decoded before (the protocol's errors must not depend on history).
 */
clearSource();

/** The msgpack ext type ('C') of a payload written by msgpackr's structured clone. */
export const CLONE_EXTENSION = 0x43;

export function packPayload(value: unknown): Uint8Array {
  return needsClone(value) ? wrapClone(cloneCodec.pack(value)) : plainCodec.pack(value);
}

/** Where `packPayloadInPlace` left the bytes: `bytes[start, end)`, valid until the next pack. */
export interface PackedRange {
  bytes: Uint8Array;
  start: number;
  end: number;
}
const packed: PackedRange = { bytes: new Uint8Array(0), start: 0, end: 0 };

/**
 * `packPayload` for a caller that copies the bytes at once (the frame writer): plain payloads stay in msgpackr's
 * pooled buffer (REUSE_BUFFER_MODE), so no Buffer object is made per frame; their range object is reused too.
 * RESET_BUFFER_MODE sends msgpackr's write position back to where this payload began: without it every payload
 * moves the position on, and every ~770 small ones msgpackr takes a fresh 8 KiB buffer (~40 B per frame of
 * garbage outside the heap, which V8 collects with the rest: 4 to 13% of a worker's CPU when it sends messages).
 */
export function packPayloadInPlace(value: unknown): Readonly<PackedRange> {
  if (needsClone(value)) {
    // rare, and possibly large: a range of its own, so that nothing here holds on to it afterwards
    const bytes = wrapClone(cloneCodec.pack(value));
    return { bytes, start: 0, end: bytes.length };
  }
  // msgpackr then returns its whole pooled buffer with the range as `start` and `end`
  const target = plainCodec.pack(value, REUSE_BUFFER_MODE | RESET_BUFFER_MODE) as unknown as Uint8Array & { start: number; end: number };
  packed.bytes = target;
  packed.start = target.start;
  packed.end = target.end;
  return packed;
}

/** Reused: msgpackr reads `start` and `end` before it decodes anything, so one object serves every call. */
const range = { start: 0, end: 0 };

/**
 * Below this many bytes a payload is decoded from a copy at offset 0 of `scratch`: msgpackr reads map keys through
 * its key cache, and JS strings instead of a native call per payload, only when its source ends before byte 180
 * (unpack.js, readKey). Decoded in place, a small payload deep in a batch never qualified.
 */
const SMALL_PAYLOAD = 160;
const scratch = new Uint8Array(SMALL_PAYLOAD);

/** Decodes the payload in `bytes[start, end)`, without a view of it (small ones are copied, see SMALL_PAYLOAD). */
export function unpackPayload(bytes: Uint8Array, start = 0, end = bytes.length): unknown {
  const uint = readUint(bytes, start, end);
  if (uint !== undefined) return uint;
  const cloneStart = cloneDataStart(bytes, start, end);
  const codec = cloneStart < 0 ? plainCodec : cloneCodec;
  const from = cloneStart < 0 ? start : cloneStart;
  if (end - from < SMALL_PAYLOAD && from > 0) {
    // decoded values never point into the source (copyBuffers), so the scratch buffer can be reused at once
    for (let i = from; i < end; i++) scratch[i - from] = bytes[i]!;
    range.start = 0;
    range.end = end - from;
    return codec.unpack(scratch, range);
  }
  range.start = from;
  range.end = end;
  return codec.unpack(bytes, range);
}

/*
 * Unsigned integers below 2^32, the payload of every `n` frame and of every acknowledgement (a task id, a count),
 * are written and read here rather than by msgpackr, whose call costs more than the bytes it would handle. They are
 * the standard msgpack forms msgpackr itself picks, the smallest that holds the value:
 *
 *   0 .. 0x7f          [ value ]                    positive fixint
 *   .. 0xff            [ 0xcc | u8 ]                uint 8
 *   .. 0xffff          [ 0xcd | u16 big-endian ]    uint 16
 *   .. 0xffffffff      [ 0xce | u32 big-endian ]    uint 32
 */

/** Bytes of `value` as a msgpack unsigned integer, or 0 when it is not an integer in 0 .. 2^32 - 1. */
export function uintLength(value: number): number {
  if (!Number.isInteger(value) || value < 0 || Object.is(value, -0)) return 0;
  return value < 0x80 ? 1 : value < 0x100 ? 2 : value < 0x10000 ? 3 : value <= 0xffffffff ? 5 : 0;
}

/** Writes `value` (of `uintLength(value)` bytes, not 0) at `target[at]`. */
export function writeUint(value: number, length: number, target: Uint8Array, at: number): void {
  if (length === 1) {
    target[at] = value;
  } else if (length === 2) {
    target[at] = 0xcc;
    target[at + 1] = value;
  } else if (length === 3) {
    target[at] = 0xcd;
    target[at + 1] = value >>> 8;
    target[at + 2] = value & 0xff;
  } else {
    target[at] = 0xce;
    target[at + 1] = value >>> 24;
    target[at + 2] = (value >>> 16) & 0xff;
    target[at + 3] = (value >>> 8) & 0xff;
    target[at + 4] = value & 0xff;
  }
}

/** The unsigned integer that is the whole of `bytes[start, end)`, or undefined when it is anything else. */
function readUint(bytes: Uint8Array, start: number, end: number): number | undefined {
  const length = end - start;
  const first = bytes[start]!;
  if (length === 1) return first < 0x80 ? first : undefined;
  if (length === 2) return first === 0xcc ? bytes[start + 1]! : undefined;
  if (length === 3) return first === 0xcd ? (bytes[start + 1]! << 8) | bytes[start + 2]! : undefined;
  if (length === 5 && first === 0xce) {
    return bytes[start + 1]! * 0x1000000 + ((bytes[start + 2]! << 16) | (bytes[start + 3]! << 8) | bytes[start + 4]!);
  }
  return undefined;
}

function wrapClone(data: Uint8Array): Uint8Array {
  const length = data.length;
  const header = length < 0x100 ? 3 : length < 0x10000 ? 4 : 6;
  const out = new Uint8Array(header + length);
  if (header === 3) out.set([0xc7, length]);
  else if (header === 4) out.set([0xc8, length >> 8, length & 0xff]);
  else {
    out[0] = 0xc9;
    new DataView(out.buffer).setUint32(1, length);
  }
  out[header - 1] = CLONE_EXTENSION;
  out.set(data, header);
  return out;
}

/** Where the structured-clone data of a wrapped payload starts, or -1 when the payload is not wrapped. */
function cloneDataStart(bytes: Uint8Array, start: number, end: number): number {
  const head = bytes[start];
  let length: number;
  let at: number;
  if (head === 0xc7) {
    length = bytes[start + 1]!;
    at = start + 3;
  } else if (head === 0xc8) {
    length = (bytes[start + 1]! << 8) | bytes[start + 2]!;
    at = start + 4;
  } else if (head === 0xc9) {
    length = ((bytes[start + 1]! << 24) >>> 0) + ((bytes[start + 2]! << 16) | (bytes[start + 3]! << 8) | bytes[start + 4]!);
    at = start + 6;
  } else {
    return -1;
  }
  if (at > end || bytes[at - 1] !== CLONE_EXTENSION) return -1;
  if (at + length !== end) throw new Error(`structured-clone ext of ${length} bytes in a payload of ${end - start} bytes`);
  return at;
}

/** True when `value` holds a Map, an object reached twice, or a class instance the plain codec cannot carry. */
function needsClone(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const seen = borrowVisited();
  try {
    return visit(value, seen);
  } finally {
    returnVisited(seen);
  }
}

function visitItem(item: unknown, seen: VisitedObjects): boolean {
  return typeof item === 'object' && item !== null && visit(item, seen);
}

function visit(value: object, seen: VisitedObjects): boolean {
  if (seen.metBefore(value)) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (visitItem(value[i], seen)) return true;
    return false;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return visitProperties(value, seen);
  if (value instanceof Map) return true;
  if (value instanceof Set) {
    for (const item of value) if (visitItem(item, seen)) return true;
    return false;
  }
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof RegExp || value instanceof ArrayBuffer) return false;
  if (value instanceof Error) {
    // msgpackr writes an Error as [name, message, cause] (and an AggregateError's errors)
    return visitItem(value.cause, seen) || (value instanceof AggregateError && visitItem(value.errors, seen));
  }
  return true;
}

function visitProperties(value: object, seen: VisitedObjects): boolean {
  // for-in, as msgpackr's writer: the keys it writes are a subset of these
  for (const key in value) if (visitItem((value as Record<string, unknown>)[key], seen)) return true;
  return false;
}
