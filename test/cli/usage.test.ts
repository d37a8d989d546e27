import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FIXTURES, killAll, runCli, TASKS, tempDir } from './helpers.js';

after(killAll);

/** A usage error: exit 2, a one-line message and a hint on stderr, nothing else, never a stack. */
function assertUsage(result: { code: number | null; stderr: string; stdout: string }, message: RegExp): void {
  assert.equal(result.code, 2, `exit code; stderr: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, `two lines on stderr, got: ${result.stderr}`);
  assert.match(lines[0]!, /^tasklane: error: /);
  assert.match(lines[0]!, message);
  assert.match(lines[1]!, /^hint: \S/);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(result.stdout, '');
}

describe('help and version', { concurrency: true }, () => {
  it('--help lists the commands and the exit codes, exit 0', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    for (const word of ['run', 'hash', 'Exit codes', '130']) assert.ok(result.stdout.includes(word), word);
  });

  it('run --help and hash --help show every option', async () => {
    const run = await runCli(['run', '--help']);
    assert.equal(run.code, 0);
    for (const option of ['--workers', '--priority-levels', '--log-dir', '--no-fail-fast', '--json', '--quiet', '--no-color', '--priority']) {
      assert.ok(run.stdout.includes(option), option);
    }
    const hash = await runCli(['hash', '--help']);
    assert.equal(hash.code, 0);
    assert.ok(hash.stdout.includes('--check'));
    const helpHash = await runCli(['help', 'hash']);
    assert.equal(helpHash.code, 0);
    assert.equal(helpHash.stdout, hash.stdout);
  });

  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), version);
  });

  it('no command shows the help as an error, exit 2', async () => {
    const result = await runCli([]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Usage: tasklane/);
  });
});

describe('usage errors: exit 2, one line and a hint', { concurrency: true }, () => {
  it('an unknown command, with a suggestion', async () => {
    const result = await runCli(['hsah', '.']);
    assertUsage(result, /unknown command 'hsah'/);
    assert.match(result.stderr, /hint: Did you mean hash\?/);
  });

  it('a missing argument', async () => {
    assertUsage(await runCli(['run', TASKS]), /missing required argument 'task'/);
  });

  it('an unknown option', async () => {
    assertUsage(await runCli(['hash', '--bogus', '.']), /unknown option '--bogus'/);
  });

  for (const [option, value] of [['--workers', 'abc'], ['--workers', '0'], ['--priority-levels', '129'], ['--cancel-grace', '-1']] as const) {
    it(`a bad value: ${option} ${value}`, async () => {
      assertUsage(await runCli(['hash', option, value, '.']), /is invalid\. expected an integer/);
    });
  }

  it('a missing task module', async () => {
    assertUsage(await runCli(['run', 'no/such/module.js', 'greet']), /cannot find task module no\/such\/module\.js/);
  });

  it('an unknown task names the known ones in the hint', async () => {
    const result = await runCli(['run', TASKS, 'nope', '-w', '1']);
    assertUsage(result, /no task named "nope"/);
    assert.match(result.stderr, /hint: its tasks are: .*greet/);
  });

  it('a module without tasks', async () => {
    const result = await runCli(['run', join(FIXTURES, 'no-tasks.js'), 'x', '-w', '1']);
    assertUsage(result, /no task named "x"/);
    assert.match(result.stderr, /hint: it exports no tasks/);
  });

  it('a module that throws on import', async () => {
    assertUsage(await runCli(['run', join(FIXTURES, 'broken.js'), 'x', '-w', '1']), /cannot load task module .*broken on purpose/);
  });

  it('a TypeScript module says to compile it first', async () => {
    const result = await runCli(['run', join(FIXTURES, 'typed.ts'), 'add', '1', '2']);
    assertUsage(result, /is TypeScript, which worker threads cannot import/);
    assert.match(result.stderr, /hint: compile it first/);
    const processes = await runCli(['run', join(FIXTURES, 'typed.ts'), 'add', '1', '2', '-w', '1', '--isolation', 'process']);
    assertUsage(processes, /cannot load task module .*typed\.ts: Unknown file extension "\.ts"/);
    assert.match(processes.stderr, /hint: worker processes need a TypeScript loader: NODE_OPTIONS='--import tsx'/);
  });

  it('--priority beyond the levels', async () => {
    assertUsage(await runCli(['run', TASKS, 'greet', '-p', '2']), /--priority 2 is out of range/);
  });

  it('hash without a path, and hash with a single priority level', async () => {
    assertUsage(await runCli(['hash']), /hash needs at least one path/);
    assertUsage(await runCli(['hash', '--priority-levels', '1', '.']), /at least 2 priority levels/);
  });

  it('--check with a list that does not exist, or with extra paths', async () => {
    assertUsage(await runCli(['hash', '--check', 'no-such-list']), /cannot read the checksum list no-such-list/);
    assertUsage(await runCli(['hash', '--check', 'list', 'extra']), /--check takes the paths from the list file/);
  });

  it('with --log-dir, a usage error still leaves summary.json with exit code 2 and the command line', async () => {
    const logs = tempDir('usage-logs');
    try {
      const result = await runCli(['run', TASKS, 'nope', '-w', '1', '--log-dir', logs.path]);
      assert.equal(result.code, 2);
      const summary = JSON.parse(readFileSync(join(logs.path, 'summary.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(summary.exitCode, 2);
      assert.deepEqual(summary.argv, ['tasklane', 'run', TASKS, 'nope', '-w', '1', '--log-dir', logs.path]);
      assert.match((summary.usageError as { message: string }).message, /no task named "nope"/);
      assert.ok(existsSync(join(logs.path, 'not-run.jsonl')));

      const early = await runCli(['run', 'missing.js', 'x', '--log-dir', logs.path]);
      assert.equal(early.code, 2);
      const second = JSON.parse(readFileSync(join(logs.path, 'summary.json'), 'utf8')) as Record<string, unknown>;
      assert.match((second.usageError as { message: string }).message, /cannot find task module missing\.js/);
    } finally {
      logs.remove();
    }
  });
});
