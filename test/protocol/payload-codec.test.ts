/**
 * The payload codec: plain data is standard msgpack that any msgpack library decodes; a Map, a cycle or a shared
 * reference travels as msgpackr's structured clone in one top-level ext, and round-trips exactly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pack as msgpackrPack, unpack as msgpackrUnpack } from 'msgpackr';
import { FrameDecoder, FrameType, encodeFrame, packPayload, unpackPayload } from 'tasklane/protocol';
import { packPayloadInPlace } from '../../src/protocol/payload-codec.js';
import { fromHex, hex } from './helpers.js';
import { cyclicValues } from '../shared/cyclic-values.js';

/**
 * A strict decoder of core msgpack only (no ext types at all), written from the spec: what a worker in another
 * language sees. Maps become plain objects with string keys.
 */
function decodeCore(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const text = (n: number): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, (at += n)));
  const list = (n: number): unknown[] => Array.from({ length: n }, () => read());
  const map = (n: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = read();
      assert.equal(typeof key, 'string', 'map keys are strings');
      out[key as string] = read();
    }
    return out;
  };
  const u = (n: 1 | 2 | 4): number => {
    const value = n === 1 ? view.getUint8(at) : n === 2 ? view.getUint16(at) : view.getUint32(at);
    at += n;
    return value;
  };
  const read = (): unknown => {
    const b = bytes[at++]!;
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if (b >= 0x80 && b <= 0x8f) return map(b & 0x0f);
    if (b >= 0x90 && b <= 0x9f) return list(b & 0x0f);
    if (b >= 0xa0 && b <= 0xbf) return text(b & 0x1f);
    switch (b) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return bytes.slice(at + 1, (at += 1 + bytes[at]!));
      case 0xca: return (at += 4, view.getFloat32(at - 4));
      case 0xcb: return (at += 8, view.getFloat64(at - 8));
      case 0xcc: return u(1);
      case 0xcd: return u(2);
      case 0xce: return u(4);
      case 0xd0: return (at += 1, view.getInt8(at - 1));
      case 0xd1: return (at += 2, view.getInt16(at - 2));
      case 0xd2: return (at += 4, view.getInt32(at - 4));
      case 0xd9: return text(u(1));
      case 0xda: return text(u(2));
      case 0xdc: return list(u(2));
      case 0xde: return map(u(2));
      default: throw new Error(`not core msgpack (or not in this small decoder): byte 0x${b.toString(16)} at ${at - 1}`);
    }
  };
  const value = read();
  assert.equal(at, bytes.length, 'exactly one value');
  return value;
}

const payloadOf = (type: number, value: unknown): Uint8Array => encodeFrame(type, value).subarray(5);
const roundTrip = (value: unknown): unknown => new FrameDecoder().push(encodeFrame(FrameType.Message, value))[0]!.payload;

describe('plain payloads are standard msgpack', () => {
  const plain: unknown[] = [
    { hello: 1 },
    { path: 'data/a.txt', size: 300, digest: 'e3b0c442', tags: ['x', 'y'], nested: { deep: { list: [1, -7, 3.25, null, true] }, empty: {} } },
    [42, 'walk', ['data', { depth: 2, follow: false }], 1],
    [17, 0, { path: 'a.txt', digest: 'e3b0c442' }, 3],
    [0, 0, { tasks: ['hashFile', 'walk'] }, 0],
    { name: 'TypeError', message: 'bad path', stack: 'TypeError: bad path\n    at walk', code: 'E', cause: { name: 'Error', message: 'root' } },
    Array.from({ length: 20 }, (_, i) => ({ i, name: `n${i}` })),
  ];

  it('decode with a strict core-msgpack decoder (no ext types: no msgpackr records)', () => {
    for (const value of plain) assert.deepStrictEqual(decodeCore(payloadOf(FrameType.Message, value)), value);
  });

  it("decode with msgpackr's plain unpack(), no options and no extensions of ours", () => {
    for (const value of plain) assert.deepStrictEqual(msgpackrUnpack(payloadOf(FrameType.Message, value)), value);
  });

  it('a plain object is a msgpack map: { a: [1, { b: "x" }] } exactly', () => {
    // msgpackr writes every object as map16 (de 00 nn): standard, if not the shortest form
    assert.equal(hex(packPayload({ a: [1, { b: 'x' }] })), 'de 00 01 a1 61 92 01 de 00 01 a1 62 a1 78');
  });

  it('Set, Date, undefined, typed arrays and BigInt keep their msgpackr types without the structured-clone wrapper', () => {
    const value = { set: new Set([1, 'a']), date: new Date(1_000), none: undefined, bytes: new Float64Array([1.5]), big: 2n ** 70n };
    assert.notEqual(packPayload(value)[0], 0xc7, 'not wrapped');
    assert.deepStrictEqual(roundTrip(value), value);
  });
});

describe('Maps, cycles and shared references', () => {
  it('a Map keeps its key types and travels in the structured-clone ext (0x43)', () => {
    const map = new Map<unknown, unknown>([[1, 'a'], ['1', { x: [2n] }], [true, new Set([3])]]);
    const payload = packPayload({ list: [map] });
    assert.deepEqual([payload[0], payload[2]], [0xc7, 0x43], 'ext8 of type 0x43');
    const back = roundTrip({ list: [map] }) as { list: [Map<unknown, unknown>] };
    assert.ok(back.list[0] instanceof Map);
    assert.deepStrictEqual(back, { list: [map] });
  });

  it('cyclic objects, arrays, Maps and Sets come back with their cycles', () => {
    const { object, array, map, set } = cyclicValues();
    const back = roundTrip({ object, array, map, set }) as { object: typeof object; array: unknown[]; map: typeof map; set: typeof set };
    assert.equal(back.object.self, back.object);
    assert.equal(back.object.name, 'loop');
    assert.equal(back.array[1], back.array);
    assert.ok(back.map instanceof Map && back.map.get('me') === back.map);
    assert.ok(back.set instanceof Set && back.set.has(back.set));
  });

  it('a shared reference stays one object', () => {
    const shared = { n: 1 };
    const back = roundTrip([shared, { again: shared }, new Set([shared])]) as [object, { again: object }, Set<object>];
    assert.equal(back[0], back[1].again);
    assert.ok(back[2].has(back[0]));
  });

  it('a reference repeated after more than 16 other objects is still found (the walk then keeps a Set)', () => {
    const shared = { n: 1 };
    const value = [shared, ...Array.from({ length: 20 }, (_, i) => ({ i })), shared];
    const back = roundTrip(value) as object[];
    assert.equal(back[0], back[21]);
  });

  it('a Map inside an Error cause or a Set is found', () => {
    const error = new Error('outer', { cause: new Map([[1, 2]]) });
    assert.ok((roundTrip(error) as Error).cause instanceof Map);
    const [inSet] = [...(roundTrip(new Set([new Map([[1, 2]])])) as Set<unknown>)];
    assert.ok(inSet instanceof Map);
  });

  it('large structured clones use ext16 and ext32 headers', () => {
    for (const [size, head] of [[1_000, 0xc8], [70_000, 0xc9]] as const) {
      const value = new Map([['blob', 'x'.repeat(size)]]);
      const payload = packPayload(value);
      assert.equal(payload[0], head);
      assert.deepStrictEqual(unpackPayload(payload), value);
    }
  });

  it('a structured-clone ext whose length does not fill the payload does not decode', () => {
    assert.throws(() => unpackPayload(fromHex('c7 05 43 01')), /structured-clone ext of 5 bytes in a payload of 4 bytes/);
    assert.throws(() => unpackPayload(fromHex('c7 01 43 01 01')), /structured-clone ext of 1 bytes in a payload of 5 bytes/);
  });

  it('registers nothing with msgpackr: its own pack() and unpack() behave as before', () => {
    packPayload(new Map([[1, 'a']]));
    assert.equal(hex(msgpackrPack(new Map([[1, 'a']]))), '81 01 a1 61');
    assert.throws(() => msgpackrUnpack(fromHex('d4 43 00')), /Unknown extension 67/);
  });
});

describe('unsigned integers (written and read without msgpackr)', () => {
  const edges = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x1234, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

  it('a frame of an unsigned integer holds the bytes msgpackr itself writes, the smallest form', () => {
    for (const value of edges) {
      const frame = encodeFrame(FrameType.Started, value);
      assert.equal(hex(frame.subarray(5)), hex(msgpackrPack(value)), `payload of ${value}`);
      const smallest = value < 0x80 ? 1 : value < 0x100 ? 2 : value < 0x10000 ? 3 : 5;
      assert.equal(frame.length, 5 + smallest, `length for ${value}`);
      assert.deepEqual(new FrameDecoder().push(frame), [{ type: FrameType.Started, payload: value }]);
    }
  });

  it("reads every msgpack unsigned form, msgpackr's and a wider one another implementation might choose", () => {
    for (const value of edges) assert.equal(unpackPayload(msgpackrPack(value)), value);
    assert.equal(unpackPayload(fromHex('cd 00 05')), 5); // uint 16 holding a small value
    assert.equal(unpackPayload(fromHex('ce 00 00 01 00')), 256); // uint 32 holding a small one
    assert.equal(unpackPayload(fromHex('cc 80')), 128);
  });

  it('leaves every other number to msgpackr: negative, fractional, -0, 2^32 and beyond, NaN', () => {
    for (const value of [-1, -0x80, 1.5, -0, 2 ** 32, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
      const frame = encodeFrame(FrameType.Message, value);
      assert.equal(hex(frame.subarray(5)), hex(packPayload(value)), `payload of ${value}`);
      assert.ok(Object.is(new FrameDecoder().push(frame)[0]!.payload, msgpackrUnpack(packPayload(value))), `decoded as msgpackr does: ${value}`);
    }
  });

  it('a short payload that is not an unsigned integer is not taken for one: nil, true, a negative fixint, a cut uint', () => {
    assert.equal(unpackPayload(fromHex('c0')), null);
    assert.equal(unpackPayload(fromHex('c3')), true);
    assert.equal(unpackPayload(fromHex('ff')), -1);
    assert.equal(unpackPayload(fromHex('d0 80')), -128); // int 8, two bytes like a uint 8
    assert.throws(() => unpackPayload(fromHex('cc'))); // a uint 8 without its byte
  });
});

describe('packing in place (the frame writer)', () => {
  it('stays on one pooled buffer at one offset, however many payloads: no garbage buffer per few hundred frames', () => {
    const first = packPayloadInPlace({ i: 0 });
    const { bytes, start } = first;
    for (let i = 1; i < 5_000; i++) {
      const range = packPayloadInPlace({ i, text: 'some words' });
      assert.equal(range.bytes, bytes, `payload ${i} was written to a new buffer`);
      assert.equal(range.start, start, `payload ${i} moved the write position`);
    }
    // and what it wrote is still the payload (the bytes are read before the next pack)
    const last = packPayloadInPlace({ i: 7 });
    assert.deepStrictEqual(unpackPayload(last.bytes, last.start, last.end), { i: 7 });
  });

  it('leaves the views packPayload() returned earlier intact', () => {
    const kept = packPayload({ kept: 'yes' });
    const before = hex(kept);
    for (let i = 0; i < 5_000; i++) packPayloadInPlace({ i });
    assert.equal(hex(kept), before);
  });
});
