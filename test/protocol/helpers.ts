/** Shared helpers for the protocol tests (not a test file itself). */
import assert from 'node:assert/strict';
import { FrameDecoder, ProtocolError, type DecodeFailure, type Frame } from 'tasklane/protocol';

/** `01 00 00 00 74` */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export function fromHex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * `bytes` cut at the given positions, as views into one larger buffer (so chunks have a non-zero byteOffset, as
 * Node's pooled Buffers do). Positions are clamped and sorted; repeated positions give empty chunks.
 */
export function cut(bytes: Uint8Array, positions: readonly number[]): Uint8Array[] {
  const padded = new Uint8Array(bytes.length + 8);
  padded.set(bytes, 3);
  const inner = padded.subarray(3, 3 + bytes.length);
  const points = positions.map((p) => Math.max(0, Math.min(bytes.length, p))).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(inner.subarray(start, p));
    start = p;
  }
  chunks.push(inner.subarray(start));
  return chunks;
}

/** Every frame the chunks complete, pushed in order through one decoder. */
export function decodeChunks(chunks: Iterable<Uint8Array>, decoder = new FrameDecoder()): Frame[] {
  const frames: Frame[] = [];
  for (const chunk of chunks) frames.push(...decoder.push(chunk));
  return frames;
}

/** The ProtocolError that `fn` throws; fails the test if it returns or throws anything else. */
export function protocolErrorOf(fn: () => unknown): DecodeFailure {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ProtocolError, `expected a ProtocolError, got ${String(error)}`);
    assert.equal(error.name, 'ProtocolError');
    return error as DecodeFailure;
  }
  assert.fail('expected a ProtocolError, but nothing was thrown');
}

/** A u32 little-endian length prefix. */
export function lengthPrefix(length: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, length, true);
  return out;
}
