/** resolveOptions (src/manager/options.ts): the send window it derives, and the errors bad options get. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveOptions } from '../../src/manager/options.js';

const tasks = new URL('../fixtures/tasks.js', import.meta.url);

describe('resolveOptions', () => {
  it('gives each worker a send window of its share of the inbox high-water mark, at most 4,096', () => {
    assert.equal(resolveOptions({ tasks, workers: 4, inboxHighWaterMark: 10 }).sendWindow, 3); // ceil(10 / 4)
    assert.equal(resolveOptions({ tasks, workers: 4 }).sendWindow, 2500); // the default mark, 10,000
    assert.equal(resolveOptions({ tasks, workers: 2 }).sendWindow, 4096);
    assert.equal(resolveOptions({ tasks, workers: 1, inboxHighWaterMark: 10_000_000 }).sendWindow, 4096);
  });

  it('names the option and its bounds when a number is out of range', () => {
    assert.throws(() => resolveOptions({ tasks, workers: 2, inboxHighWaterMark: 0 }), /inboxHighWaterMark must be an integer from 1 to 10000000, got 0/);
    assert.throws(() => resolveOptions({ tasks, workers: 1.5 }), /workers must be an integer from 1 to 1024, got 1.5/);
    assert.throws(() => resolveOptions({ tasks, maxPrefetch: -1 }), /maxPrefetch must be an integer from 0 to 1024, got -1/);
  });
});
