import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { killAll, startCli, TASKS, tempDir } from './helpers.js';

after(killAll);

interface Summary {
  exitCode: number;
  signal: string;
  policy: string;
  scheduled: number;
  done: number;
  failed: number;
  cancelled: number;
  notRun: number;
  interrupted: number;
}

function readLogs(dir: string): { summary: Summary; notRun: Array<{ name: string; priority: number; args: unknown[] }> } {
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
  const text = readFileSync(join(dir, 'not-run.jsonl'), 'utf8');
  const notRun = text === '' ? [] : text.trim().split('\n').map((line) => JSON.parse(line) as { name: string; priority: number; args: unknown[] });
  return { summary, notRun };
}

// The fixture task `hold` spawns N `wait` tasks, then sends "ready": when the CLI prints it, all N are counted.
describe('signals', { concurrency: true }, () => {
  for (const isolation of ['thread', 'process']) {
    it(`SIGINT cancels (${isolation} workers): queued tasks are listed in not-run.jsonl; exit 130; nothing left running`, async () => {
      const logs = tempDir('sigint');
      try {
        const cli = startCli(['run', TASKS, 'hold', '20', 'false', '-w', '2', '--isolation', isolation, '--log-dir', logs.path]);
        await cli.waitFor('stdout', /^ready$/m);
        cli.child.kill('SIGINT');
        const result = await cli.result(20_000);
        assert.equal(result.code, 130, result.stderr);
        const cancelling = /cancelling: (\d+) queued tasks not run, press Ctrl-C again to kill/.exec(result.stderr);
        assert.ok(cancelling, result.stderr);
        assert.ok(Number(cancelling[1]) >= 19, `19 or 20 queued (one wait may have started), got ${cancelling[1]}`);
        assert.match(result.stderr, /stopped by SIGINT \(close 'cancel'\)/);
        assert.ok(!cli.groupAlive(), 'no process of the CLI is left');

        const { summary, notRun } = readLogs(logs.path);
        assert.equal(summary.exitCode, 130);
        assert.equal(summary.signal, 'SIGINT');
        assert.equal(summary.policy, 'cancel');
        assert.equal(notRun.length, summary.notRun);
        assert.ok(notRun.length >= 19, `not run: ${notRun.length}`);
        assert.ok(notRun.every((task) => task.name === 'wait' && task.priority === 1));
        assert.equal(summary.scheduled, 21);
        assert.equal(summary.done + summary.failed + summary.cancelled, 21, 'every task has exactly one outcome');
      } finally {
        logs.remove();
      }
    });

    it(`a second SIGTERM kills tasks that ignore the abort (${isolation} workers); exit 143; the log directory is complete`, async () => {
      const logs = tempDir('sigterm');
      try {
        // A grace period longer than the test's bound: only the second signal can end this run in time.
        const args = ['hold', '10', 'true', '-w', '2', '--cancel-grace', '600000', '--isolation', isolation, '--log-dir', logs.path];
        const cli = startCli(['run', TASKS, ...args]);
        await cli.waitFor('stdout', /^ready$/m);
        cli.child.kill('SIGTERM');
        await cli.waitFor('stderr', /cancelling: \d+ queued tasks not run, send SIGTERM again to kill/);
        cli.child.kill('SIGTERM');
        const result = await cli.result(20_000);
        assert.equal(result.code, 143, result.stderr);
        assert.ok(!cli.groupAlive(), 'no process of the CLI is left');

        const { summary, notRun } = readLogs(logs.path);
        assert.equal(summary.exitCode, 143);
        assert.equal(summary.signal, 'SIGTERM');
        assert.equal(summary.policy, 'kill');
        assert.ok(summary.interrupted >= 1, 'the stubborn running tasks were interrupted');
        assert.equal(notRun.length, summary.notRun);
        assert.equal(notRun.length + summary.interrupted, 11, 'every task was either interrupted or not run');
      } finally {
        logs.remove();
      }
    });
  }

  it('SIGINT with --json: the summary line says 130, and there is no result line', async () => {
    const cli = startCli(['run', TASKS, 'hold', '5', 'false', '-w', '2', '--json']);
    await cli.waitFor('stdout', /"message":"ready"/);
    cli.child.kill('SIGINT');
    const result = await cli.result(20_000);
    assert.equal(result.code, 130);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; exitCode?: number });
    assert.deepEqual(lines.map((line) => line.type), ['message', 'summary'], 'no result line for an interrupted run');
    assert.equal(lines[1]!.exitCode, 130);
  });
});
