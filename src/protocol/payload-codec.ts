import { Packr } from 'msgpackr';

/**
 * The one msgpack codec both ends use. `structuredClone` keeps Map, Set, Date, BigInt, typed arrays and cycles.
 * `pack()` returns a view into msgpackr's pooled 8 KiB buffer (RESEARCH.md), so callers copy what they keep:
 * the frame encoders below always copy into their own buffer. `copyBuffers` makes a decoded msgpack `bin` (a
 * Buffer, or bytes from another msgpack implementation) a copy, not a view into the chunk the caller pushed.
 */
export const payloadCodec = new Packr({ structuredClone: true, copyBuffers: true });

export function packPayload(value: unknown): Uint8Array {
  return payloadCodec.pack(value);
}

export function unpackPayload(bytes: Uint8Array): unknown {
  return payloadCodec.unpack(bytes);
}
