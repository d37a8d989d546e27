/**
 * SIGINT and SIGTERM, once or twice, at random moments of a real CLI run (property-based): whatever the moment,
 * the exit code says what happened, nothing scheduled is unaccounted for, and no process is left behind.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { killAll, startCli, TASKS, tempDir } from '../cli/helpers.js';

after(killAll);

const EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

describe('signals at random moments of a CLI run', () => {
  it('exit code, the counts, not-run.jsonl and no process left, whenever the signals land', async (t) => {
    const logs = tempDir('random-signals');
    let run = 0;
    const seen = { beforeStart: 0, beforeManager: 0, midRun: 0, afterEnd: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('SIGINT' as const, 'SIGTERM' as const),
          fc.boolean(),
          fc.integer({ min: 0, max: 1_600 }),
          fc.constantFrom('thread', 'process'),
          async (signal, twice, atMs, isolation) => {
            const dir = join(logs.path, `run-${run++}`);
            // 80 subtasks of 25 ms on 2 workers: about 1 s of work after a start-up of a few hundred ms, so the moments
            // fall before, during and after it.
            const cli = startCli(['run', TASKS, 'slow', '80', '25', '-w', '2', '--isolation', isolation, '--log-dir', dir, '-q']);
            await delay(atMs); // the random moment is the input of this property, not a wait for something
            cli.child.kill(signal);
            if (twice) {
              await Promise.race([cli.waitFor('stderr', /cancelling:/, 5_000).catch(() => {}), cli.exited]);
              cli.child.kill(signal);
            }
            const result = await cli.result(30_000);
            assert.ok(!cli.groupAlive(), 'no process of the CLI is left');
            if (result.signal === signal) return void seen.beforeStart++; // landed before the CLI could handle it: nothing had started
            const summaryFile = join(dir, 'summary.json');
            if (result.code === 0) {
              // The run was over before the signal was handled.
              const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
              assert.equal(summary.done, summary.scheduled);
              seen.afterEnd++;
              return;
            }
            assert.equal(result.code, EXIT[signal], result.stderr);
            if (!existsSync(summaryFile)) return void seen.beforeManager++; // stopped before the manager existed: nothing was scheduled
            const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
            assert.equal(summary.done + summary.failed + summary.cancelled, summary.scheduled, JSON.stringify(summary));
            const notRun = readFileSync(join(dir, 'not-run.jsonl'), 'utf8').split('\n').filter(Boolean);
            assert.equal(notRun.length, summary.notRun, 'not-run.jsonl lists every task that did not run');
            assert.equal(summary.exitCode, EXIT[signal]);
            seen.midRun++;
          },
        ),
        { numRuns: 12 },
      ).catch((error: Error) => {
        // fast-check keeps the failing assertion in `cause`, which the test reporter does not print.
        throw new Error(`${error.message}\n${(error.cause as Error | undefined)?.stack ?? ''}`, { cause: error });
      });
      t.diagnostic(`where the signals landed: ${JSON.stringify(seen)}`);
    } finally {
      logs.remove();
    }
  });
});
