import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: plain JS fixture module without types
import { add, chatty, fail } from '../fixtures/tasks.js';
import { collect, withManager, within } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'tasklane-logs-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('log directory', () => {
  it('has worker logs, tasks.jsonl, not-run.jsonl and summary.json', async () => {
    const dir = join(scratch, 'run-1');
    await withManager({ workers: 2, logDirectory: dir, failFast: false, workerConsole: 'silent' }, async (manager) => {
      manager.schedule(chatty('hello'));
      manager.schedule(fail('broken'));
      for (let i = 0; i < 10; i++) manager.schedule(add(i, 1));
      await within(collect(manager), 10_000, 'work');
      await manager.close('join');
    });
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['not-run.jsonl', 'summary.json', 'tasks.jsonl', 'worker-1.log', 'worker-2.log']);
    const tasks = readFileSync(join(dir, 'tasks.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(tasks.length, 12);
    const failed = tasks.find((t) => t.name === 'fail');
    assert.equal(failed.outcome, 'failed');
    assert.match(failed.error, /broken/);
    for (const t of tasks) {
      assert.deepEqual(Object.keys(t).slice(0, 7), ['id', 'name', 'priority', 'worker', 'start', 'end', 'outcome']);
      assert.ok(Date.parse(t.end) >= Date.parse(t.start));
    }
    const logs = readFileSync(join(dir, 'worker-1.log'), 'utf8') + readFileSync(join(dir, 'worker-2.log'), 'utf8');
    assert.match(logs, /start #\d+ chatty priority 1/);
    assert.match(logs, /end #\d+ chatty [\d.]+ms ok/);
    assert.match(logs, /end #\d+ fail [\d.]+ms failed: RangeError: broken/);
    assert.match(logs, /\[console\.log\] console says hello/);
    assert.match(logs, /ctx\.log says hello/);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.policy, 'join');
    assert.equal(summary.scheduled, 12);
    assert.equal(summary.done, 11);
    assert.equal(summary.failed, 1);
    assert.equal(readFileSync(join(dir, 'not-run.jsonl'), 'utf8'), '');
  });
});

const child = fileURLToPath(new URL('../fixtures/signal-child.js', import.meta.url));

/** Runs the signal fixture, sends `signals` once it prints "ready", resolves with its exit code and log dir. */
function runWithSignals(signals: NodeJS.Signals[], env: Record<string, string> = {}): Promise<{ code: number | null; dir: string }> {
  const dir = join(scratch, `sig-${Math.random().toString(36).slice(2)}`);
  const proc = spawn(process.execPath, [child, dir], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pending = [...signals];
  return within(
    new Promise<{ code: number | null; dir: string }>((resolve, reject) => {
      // The first signal goes once a task runs; each further one once the child said it handled the last, since
      // two signals sent back to back may reach the process as one.
      proc.stdout.on('data', (chunk: Buffer) => {
        if (pending.length === signals.length && chunk.toString().includes('ready')) proc.kill(pending.shift()!);
      });
      proc.stderr.on('data', (chunk: Buffer) => {
        if (pending.length > 0 && /tasklane: SIG\w+: closing with/.test(chunk.toString())) proc.kill(pending.shift()!);
      });
      proc.on('error', reject);
      proc.on('exit', (code) => resolve({ code, dir }));
    }),
    20_000,
    `child with ${signals.join(', ')}`,
  ).finally(() => proc.kill('SIGKILL'));
}

describe('handleSignals in a real process', () => {
  it('SIGINT cancels, reports the queued tasks as not run, and exits 130', async () => {
    const { code, dir } = await runWithSignals(['SIGINT']);
    assert.equal(code, 130);
    const notRun = readFileSync(join(dir, 'not-run.jsonl'), 'utf8').trim().split('\n');
    assert.equal(notRun.length, 5);
    assert.equal(JSON.parse(notRun[0]!).name, 'add');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.policy, 'cancel');
    assert.equal(summary.interrupted, 1);
  });

  it('SIGTERM exits 143', async () => {
    const { code } = await runWithSignals(['SIGTERM']);
    assert.equal(code, 143);
  });

  it('a second signal kills a task that ignores its abort', async () => {
    const { code, dir } = await runWithSignals(['SIGINT', 'SIGINT'], { IGNORE_ABORT: '1' });
    assert.equal(code, 130);
    assert.ok(existsSync(join(dir, 'summary.json')));
    assert.equal(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).policy, 'kill');
  });
});
