/**
 * A malformed payload fails the same way whatever the process decoded before. msgpackr keeps the reference table
 * of a structured-clone decode in module state, so this file runs its cases in order in a fresh process (node
 * --test gives each file its own): the first decode here is the process's first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { packPayload, unpackPayload } from 'tasklane/protocol';
import { fromHex } from './helpers.js';

/** msgpackr's pointer ext (fixext 4, type 0x70) to reference 1, and its id ext (0x69) naming reference 1. */
const POINTER = 'd67000000001';
const ID_THEN_NIL = 'd66900000001c0';
/** The pointer alone inside the clone wrapper (ext 8, type 'C'): a reference no id ext named. */
const CLONE_POINTER = `c70643${POINTER}`;
/** `[id 1 -> nil, (missing)]` inside the clone wrapper: the decode fails after it named reference 1. */
const CLONE_CUT_SHORT = `c7084392${ID_THEN_NIL}`;

function failureOf(hexBytes: string): string {
  try {
    unpackPayload(fromHex(hexBytes));
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail(`${hexBytes} decoded`);
}

describe('payload errors do not depend on what was decoded before', () => {
  const firstCloneFailure = failureOf(CLONE_POINTER);

  it('a dangling pointer in a clone payload fails alike before and after clone decodes, good and failed', () => {
    const shared = { shared: true };
    assert.deepStrictEqual(unpackPayload(packPayload([shared, shared])), [shared, shared]);
    failureOf(CLONE_CUT_SHORT);
    assert.equal(failureOf(CLONE_POINTER), firstCloneFailure);
  });

  it('a plain payload refuses the reference exts, which belong to the clone form only', () => {
    for (const bytes of [POINTER, ID_THEN_NIL, `92${ID_THEN_NIL}${POINTER}`]) {
      assert.match(failureOf(bytes), /structured clone extension is disabled/i, bytes);
    }
  });
});
