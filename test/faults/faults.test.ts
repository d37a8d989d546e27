import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error: plain JS fixture module without types
import { abortProcess, flood, killSelf, ok, rejectLater, spinForever, writeGarbage } from '../fixtures/fault-tasks.js';
import { MODES, faultCase, failureOf, within } from './helpers.js';

for (const mode of MODES) {
  describe(`faults in ${mode} workers`, () => {
    it('a task that rejects later fails with its own error; the rest run', async () => {
      await faultCase(mode, {}, async (manager) => {
        const error = await failureOf(manager.run(rejectLater('late trouble')));
        assert.match(error.message, /failed on worker \d: TypeError: late trouble/);
        assert.equal(await manager.run(ok(7)), 7);
      });
    });

    it('spinning forever: a timeout ends it and the pool goes on', async () => {
      await faultCase(mode, { cancelGracePeriod: 200 }, async (manager) => {
        const error = await failureOf(manager.run(spinForever(), 1, { timeout: 150 }));
        assert.match(error.message, /timed out after 150 ms and did not stop/);
        assert.equal(await within(manager.run(ok(1)), 10_000, 'pool after timeout'), 1);
      });
    });

    it('spinning forever: cancel terminates it after the grace period and reports it', async () => {
      await faultCase(mode, { workers: 1, cancelGracePeriod: 200 }, async (manager) => {
        const id = manager.schedule(spinForever());
        const queued = manager.schedule(ok(1));
        const reader = manager.messages();
        await within(reader.next(), 10_000, 'started');
        const report = await within(manager.close('cancel'), 5_000, 'cancel');
        assert.deepEqual(report.interrupted.map((t) => t.id), [id]);
        assert.deepEqual(report.notRun.map((t) => t.id), [queued]);
      });
    });

    it('a flood against a reader that throws: await using cancels, nothing is left running', async () => {
      let closedWith: string | undefined;
      await faultCase(mode, { workers: 2, inboxHighWaterMark: 20 }, async (manager) => {
        const reading = async (): Promise<void> => {
          await using scoped = manager;
          scoped.schedule(flood(100_000));
          scoped.schedule(flood(100_000));
          for await (const message of scoped.messages()) {
            if (message === 10) throw new Error('the reader broke');
          }
        };
        await assert.rejects(within(reading(), 20_000, 'the reader'), /the reader broke/);
        closedWith = (await manager.close()).policy;
        assert.ok(manager.stats().inbox <= 20 + 2 * 10, 'memory stayed bounded');
      });
      assert.equal(closedWith, 'cancel');
    });
  });
}

describe('faults only a child process survives', () => {
  it('a worker killed by a signal fails its task naming the signal, and is replaced', async () => {
    await faultCase('process', {}, async (manager) => {
      const error = await failureOf(manager.run(killSelf('SIGKILL')));
      assert.match(error.message, /worker process \d was killed by signal SIGKILL/);
      assert.equal(await within(manager.run(ok(2)), 10_000, 'replacement'), 2);
    });
  });

  it('process.abort() in a task', async () => {
    await faultCase('process', {}, async (manager) => {
      const error = await failureOf(manager.run(abortProcess()));
      assert.match(error.message, /killed by signal SIGABRT/);
      assert.equal(await within(manager.run(ok(3)), 10_000, 'replacement'), 3);
    });
  });

  it('malformed frames from a live worker: a protocol error, the worker is dropped and replaced', async () => {
    await faultCase('process', {}, async (manager) => {
      const error = await failureOf(manager.run(writeGarbage()));
      assert.match(error.message, /protocol error from worker \d: protocol error at byte \d+: unknown frame type 0x41/);
      assert.equal(await within(manager.run(ok(4)), 10_000, 'replacement'), 4);
    });
  });
});
