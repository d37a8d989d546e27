import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error: plain JS fixture module without types
import { tree, treeSize } from '../fixtures/tasks.js';
import { collect, spawnTreeRounds, withManager, within } from './helpers.js';

describe('the termination invariant under load', () => {
  it('random spawn trees: messages() ends exactly when every node ran, with exact counts, over many runs', async () => {
    await withManager({ workers: 3, priorityLevels: 4 }, async (manager) => {
      const total = await spawnTreeRounds(manager, { runs: 25, depth: 7, levels: 4, roundMs: 30_000 }, (stats) => {
        assert.deepEqual(stats.queued, [0, 0, 0, 0]);
        assert.deepEqual(stats.running, []);
      });
      assert.ok(total > 2000, `the trees are large enough to matter (${total} nodes)`);
    });
  });

  it('one task spawning thousands of subtasks across priorities', async () => {
    await withManager({ workers: 2, priorityLevels: 3 }, async (manager) => {
      // Seed chosen so the root has children; depth 11 gives 1,701 nodes.
      const seed = 2;
      const expected = treeSize(seed, 11, 3);
      manager.schedule(tree(seed, 11, 3), 0);
      const messages = await within(collect(manager), 60_000, 'big tree');
      assert.equal(messages.length, expected);
      assert.ok(expected > 1000, `tree has ${expected} nodes`);
    });
  });
});
