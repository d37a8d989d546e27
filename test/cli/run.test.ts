import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ANSI, FIXTURES, killAll, runCli, TASKS, tempDir } from './helpers.js';

after(killAll);

const run = (...args: string[]) => runCli(['run', TASKS, ...args]);

describe('tasklane run', { concurrency: true }, () => {
  it('prints the messages, then the result; arguments are JSON when they parse', async () => {
    const result = await run('greet', 'world', '{"loud":true}', '-w', '2');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'hello world\n{"greeted":"world","options":{"loud":true}}\n');
    assert.match(result.stderr, /tasklane run: 1 done, 0 failed, 0 cancelled in [\d.]+s/);
  });

  it('a string that is not JSON stays a string; -- passes arguments that start with a dash', async () => {
    const result = await run('greet', '-w', '1', '--', '-x');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.split('\n')[0], 'hello -x');
  });

  it('runs the subtasks a task spawns and delivers every message', async () => {
    const result = await run('fanOut', '50', '-w', '2');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 50);
    const squares = lines.map((line) => JSON.parse(line) as { i: number; square: number }).sort((a, b) => a.i - b.i);
    squares.forEach((m, i) => assert.deepEqual(m, { i, square: i * i }));
    assert.match(result.stderr, /51 done, 0 failed/);
  });

  it('a failing task: exit 1, and the summary names it with its arguments and remote stack', async () => {
    const result = await run('boom', '7', '-w', '1');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /1 failed/);
    assert.match(result.stderr, /✖ task "boom" \(id 1\) failed on worker 1: kaput/);
    assert.match(result.stderr, /args: \[7\]/);
    assert.match(result.stderr, /at .*fixtures\/cli\/tasks\.js:\d+/, 'a frame of the worker stack');
  });

  it('fail-fast (the default) stops at the first failing subtask', async () => {
    const result = await run('mixed', '40', '[3]', '-w', '2');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /task "maybeFail" \(id \d+\) failed on worker \d: subtask 3 broke/);
    assert.match(result.stderr, /args: \[3,true\]/);
    assert.ok(result.stdout.trim().split('\n').length < 39, 'the run stopped before all subtasks ran');
  });

  it('--no-fail-fast runs everything, counts the failures, and exits 1', async () => {
    const result = await run('mixed', '40', '[3, 17]', '-w', '2', '--no-fail-fast');
    assert.equal(result.code, 1);
    const delivered = result.stdout.trim().split('\n').map(Number).sort((a, b) => a - b);
    assert.deepEqual(delivered, [...Array(40).keys()].filter((i) => i !== 3 && i !== 17));
    assert.match(result.stderr, /39 done, 2 failed/);
    // Both subtask failures are listed with their arguments and the worker's stack.
    const listed = [...result.stderr.matchAll(/✖ task "(\w+)" \(id \d+\) failed on worker \d+: .*/g)];
    assert.equal(listed.length, 2, result.stderr);
    assert.match(result.stderr, /args: \[3,true\]/);
    assert.match(result.stderr, /args: \[17,true\]/);
    assert.doesNotMatch(result.stderr, /more failed task/);
  });

  it('--task-timeout fails a task that runs too long; --isolation process runs the same pipeline in child processes', async () => {
    const timedOut = await run('wait', '0', 'false', '-w', '1', '--task-timeout', '150');
    assert.equal(timedOut.code, 1);
    assert.match(timedOut.stderr, /✖ task "wait" \(id 1\) timed out after 150 ms/);
    const processes = await run('fanOut', '20', '-w', '2', '--isolation', 'process');
    assert.equal(processes.code, 0, processes.stderr);
    assert.equal(processes.stdout.trim().split('\n').length, 20);
  });

  it('a .ts module runs in worker processes given a loader through NODE_OPTIONS', async () => {
    const result = await runCli(['run', join(FIXTURES, 'typed.ts'), 'add', '1', '2', '-w', '1', '--isolation', 'process'], {
      env: { NODE_OPTIONS: '--import tsx' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '3\n');
  });

  it('--json: every stdout line is a JSON object, task console output goes to stderr', async () => {
    const result = await run('chatty', '--json', '-w', '1');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    assert.deepEqual(lines.map((line) => line.type), ['message', 'result', 'summary']);
    assert.deepEqual(lines[0], { type: 'message', message: 'sent' });
    assert.deepEqual(lines[1], { type: 'result', task: 'chatty', value: null });
    assert.match(result.stderr, /console output from a task/);
  });

  it('--json with a failure: the summary line carries the failure and the exit code', async () => {
    const result = await run('boom', '--json', '-w', '1');
    assert.equal(result.code, 1);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const summary = lines.at(-1)!;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.exitCode, 1);
    const [failure] = summary.failures as Array<{ task: string; args: unknown[]; message: string; stack: string }>;
    assert.equal(failure!.task, 'boom');
    assert.match(failure!.stack, /kaput/);
  });

  it('without a TTY, no ANSI escapes on stdout or stderr; FORCE_COLOR brings them back', async () => {
    const plain = await run('boom', '-w', '1');
    assert.doesNotMatch(plain.stderr + plain.stdout, ANSI);
    const forced = await runCli(['run', TASKS, 'boom', '-w', '1'], { env: { FORCE_COLOR: '1' } });
    assert.match(forced.stderr, ANSI, 'the check can fail');
    const noColor = await runCli(['run', TASKS, 'boom', '-w', '1', '--no-color'], { env: { FORCE_COLOR: '1' } });
    assert.doesNotMatch(noColor.stderr, ANSI);
    const envNoColor = await runCli(['run', TASKS, 'boom', '-w', '1'], { env: { NO_COLOR: '1' } });
    assert.doesNotMatch(envNoColor.stderr, ANSI);
  });

  it('--quiet prints no summary on success, but still the failures', async () => {
    const ok = await run('greet', 'q', '-q', '-w', '1');
    assert.equal(ok.code, 0);
    assert.equal(ok.stderr, '');
    const failed = await run('boom', '-q', '-w', '1');
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /kaput/);
  });

  it('--log-dir after a failure: worker logs, tasks.jsonl, not-run.jsonl, summary.json with exit code and argv', async () => {
    const logs = tempDir('run-logs');
    try {
      const args = ['mixed', '40', '[5, 9]', '-w', '2', '--no-fail-fast', '--log-dir', logs.path];
      const result = await run(...args);
      assert.equal(result.code, 1);
      const files = readdirSync(logs.path).sort();
      assert.deepEqual(files, ['not-run.jsonl', 'summary.json', 'tasks.jsonl', 'worker-1.log', 'worker-2.log']);
      const tasks = readFileSync(join(logs.path, 'tasks.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { outcome: string });
      assert.equal(tasks.length, 41);
      assert.equal(tasks.filter((t) => t.outcome === 'failed').length, 2);
      const summary = JSON.parse(readFileSync(join(logs.path, 'summary.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(summary.exitCode, 1);
      assert.equal(summary.command, 'run');
      assert.deepEqual(summary.argv, ['tasklane', 'run', TASKS, ...args]);
      assert.equal(summary.failed, 2);
      assert.equal(summary.done, 39);
      assert.match(result.stderr, /subtask 5 broke[\s\S]*subtask 9 broke/, "both failures are listed");
    } finally {
      logs.remove();
    }
  });
});
