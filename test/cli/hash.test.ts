import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ANSI, killAll, runCli, tempDir } from './helpers.js';

const sha256sumVersion = spawnSync('sha256sum', ['--version'], { encoding: 'utf8' });
const HAVE_SHA256SUM = sha256sumVersion.status === 0 && /GNU coreutils/.test(sha256sumVersion.stdout);
const IS_ROOT = process.getuid?.() === 0;

/**
 * A tree with awkward names. Unreadable files: a dangling link (ENOENT) and a link loop (ELOOP) fail for every
 * user, root included; a chmod 000 file is added only when not root (root reads it anyway).
 */
function makeTree(root: string): void {
  const t = join(root, 't');
  mkdirSync(join(t, 'sub', 'deep'), { recursive: true });
  mkdirSync(join(t, 'empty-dir'));
  writeFileSync(join(t, 'a.txt'), 'alpha\n');
  writeFileSync(join(t, 'with space.txt'), 'spaces\n');
  writeFileSync(join(t, ' leading space'), 'lead\n');
  writeFileSync(join(t, 'ünïcödé-日本語.txt'), 'unicode\n');
  writeFileSync(join(t, 'emoji-🦊.txt'), 'astral plane\n');
  writeFileSync(join(t, 'ｚ-fullwidth.txt'), 'sorts after the fox in UTF-8 bytes, before it in UTF-16\n');
  writeFileSync(join(t, 'empty'), '');
  writeFileSync(join(t, 'back\\slash'), 'backslash\n');
  writeFileSync(join(t, 'new\nline'), 'newline\n');
  writeFileSync(join(t, 'carriage\rreturn'), 'cr\n');
  writeFileSync(join(t, 'both\\and\nnewline'), 'both\n');
  writeFileSync(Buffer.concat([Buffer.from(join(t, 'latin1-')), Buffer.from([0xe9, 0xff]), Buffer.from('.bin')]), 'not utf-8\n');
  writeFileSync(join(t, 'sub', 'deep', 'big.bin'), randomBytes(3 * 1024 * 1024 + 17));
  for (let i = 0; i < 30; i++) writeFileSync(join(t, 'sub', `n${i}`), `file ${i}\n`);
  symlinkSync('a.txt', join(t, 'link-to-file'));
  symlinkSync('..', join(t, 'sub', 'link-to-parent'));
  symlinkSync('sub', join(t, 'link-to-dir'));
  symlinkSync('loop', join(t, 'loop'));
  symlinkSync('nowhere', join(t, 'dangling'));
  spawnSync('mkfifo', [join(t, 'sub', 'fifo')]);
  if (!IS_ROOT) {
    writeFileSync(join(t, 'unreadable'), 'secret\n');
    chmodSync(join(t, 'unreadable'), 0);
  }
}

/** What GNU sha256sum prints for the same files: every non-directory that is not a FIFO, sorted as bytes. */
function reference(cwd: string, path: string): { stdout: Buffer; status: number | null } {
  const script = `find '${path}' ! -type d ! -xtype d ! -type p -print0 | LC_ALL=C sort -z | xargs -0 sha256sum`;
  const result = spawnSync('sh', ['-c', script], { cwd, env: { ...process.env, LC_ALL: 'C' } });
  return { stdout: result.stdout, status: result.status };
}

describe('tasklane hash', { skip: !HAVE_SHA256SUM && 'GNU sha256sum is not installed', concurrency: true }, () => {
  const dir = tempDir('hash');
  before(() => makeTree(dir.path));
  after(() => {
    killAll();
    dir.remove();
  });

  it('prints exactly what sha256sum prints, sorted by path bytes; unreadable files exit 1', async () => {
    const expected = reference(dir.path, 't');
    assert.ok(expected.stdout.length > 0);
    const result = await runCli(['hash', 't', '-w', '3'], { cwd: dir.path });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdoutBytes.toString('latin1'), expected.stdout.toString('latin1'));
    assert.match(result.stderr, /tasklane: t\/dangling: No such file or directory/);
    assert.match(result.stderr, /tasklane: t\/loop: Too many levels of symbolic links/);
    if (!IS_ROOT) assert.match(result.stderr, /tasklane: t\/unreadable: Permission denied/);
    assert.match(result.stderr, /t\/sub\/link-to-parent: skipped, symbolic link to a directory/);
    assert.match(result.stderr, /t\/sub\/fifo: skipped, not a regular file/);
    assert.match(result.stderr, /hashed \d+ files .*, 2 unreadable|hashed \d+ files .*, 3 unreadable/);
    assert.doesNotMatch(result.stderr, ANSI);
  });

  it('agrees for `.` and for a path with a trailing slash, and follows a directory link given by name', async () => {
    for (const [cwd, path] of [[join(dir.path, 't'), '.'], [dir.path, 't/'], [dir.path, 't/link-to-dir']] as const) {
      const expected = reference(cwd, path === 't/link-to-dir' ? 't/link-to-dir/' : path);
      const result = await runCli(['hash', path, '-w', '2'], { cwd });
      assert.equal(result.code, expected.status === 0 ? 0 : 1, `hash ${path}: exit 1 exactly when sha256sum failed`);
      assert.equal(result.stdout, expected.stdout.toString(), `hash ${path}`);
    }
  });

  it('files named on the command line, a missing one reported and the rest hashed', async () => {
    const result = await runCli(['hash', 't/a.txt', 'missing', 't/empty', '-w', '1'], { cwd: dir.path });
    assert.equal(result.code, 1);
    const expected = spawnSync('sha256sum', ['t/a.txt', 't/empty'], { cwd: dir.path, encoding: 'utf8' }).stdout;
    assert.equal(result.stdout, expected);
    assert.match(result.stderr, /tasklane: missing: No such file or directory/);
  });

  it('--json: one object per file, sorted, then the summary', async () => {
    const result = await runCli(['hash', 't/sub', '--json', '-w', '2'], { cwd: dir.path });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const files = lines.filter((line) => line.type === 'file');
    assert.equal(files.length, 31);
    const big = files.find((line) => line.path === 't/sub/deep/big.bin')!;
    assert.equal(big.size, 3 * 1024 * 1024 + 17);
    assert.match(big.sha256 as string, /^[0-9a-f]{64}$/);
    assert.deepEqual(lines.filter((l) => l.type === 'skipped').map((l) => l.path), ['t/sub/fifo', 't/sub/link-to-parent']);
    assert.equal(lines.at(-1)!.type, 'summary');
    assert.equal(lines.at(-1)!.files, 31);
  });

  it('--check agrees with sha256sum -c, before and after a file is tampered with', async () => {
    const sums = join(dir.path, 'SUMS');
    const listed = await runCli(['hash', 't', '-q', '-w', '2'], { cwd: dir.path });
    assert.equal(listed.code, 1, listed.stderr);
    writeFileSync(sums, listed.stdoutBytes);
    const ok = await runCli(['hash', '--check', 'SUMS', '-w', '2'], { cwd: dir.path });
    assert.equal(ok.code, 0, ok.stderr);
    const gnuOk = spawnSync('sha256sum', ['-c', 'SUMS'], { cwd: dir.path });
    assert.equal(gnuOk.status, 0);
    assert.equal(ok.stdoutBytes.toString('latin1'), gnuOk.stdout.toString('latin1'), ok.stderr);
    assert.match(ok.stdout, /^t\/a\.txt: OK$/m);

    // A tampered copy in its own list, so the other tests' tree stays intact.
    writeFileSync(join(dir.path, 'victim.txt'), 'original\n');
    const victimList = await runCli(['hash', 'victim.txt', 't/a.txt', '-q', '-w', '1'], { cwd: dir.path });
    writeFileSync(join(dir.path, 'VICTIM'), `${victimList.stdout}${'0'.repeat(64)}  gone.txt\nnot a checksum line\n`);
    writeFileSync(join(dir.path, 'victim.txt'), 'tampered\n');
    const bad = await runCli(['hash', '--check', 'VICTIM', '-w', '1'], { cwd: dir.path });
    const gnuBad = spawnSync('sha256sum', ['-c', 'VICTIM'], { cwd: dir.path, encoding: 'utf8' });
    assert.equal(bad.code, 1, bad.stderr);
    assert.equal(gnuBad.status, 1);
    assert.equal(bad.stdout, gnuBad.stdout, bad.stderr);
    assert.match(bad.stdout, /^victim\.txt: FAILED$/m);
    for (const warning of ['1 line is improperly formatted', '1 listed file could not be read', '1 computed checksum did NOT match']) {
      assert.ok(gnuBad.stderr.includes(warning), `sha256sum says ${warning}`);
      assert.ok(bad.stderr.includes(`tasklane: WARNING: ${warning}`), `tasklane says ${warning}`);
    }
  });

  it('--check reads stdin with -, and --quiet prints only failures', async () => {
    const list = await runCli(['hash', 't/a.txt', 't/empty', '-q', '-w', '1'], { cwd: dir.path });
    const quiet = await runCli(['hash', '--check', '-', '-q', '-w', '1'], { cwd: dir.path, input: list.stdoutBytes });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stdout, '');
    const loud = await runCli(['hash', '-c', '-', '-w', '1'], { cwd: dir.path, input: list.stdoutBytes });
    assert.equal(loud.stdout, 't/a.txt: OK\nt/empty: OK\n');
  });

  it('--log-dir: summary.json has the file counts and the exit code', async () => {
    const logs = tempDir('hash-logs');
    try {
      const result = await runCli(['hash', 't', '-w', '2', '--log-dir', logs.path], { cwd: dir.path });
      assert.equal(result.code, 1);
      const summary = JSON.parse(readFileSync(join(logs.path, 'summary.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(summary.exitCode, 1);
      assert.equal(summary.command, 'hash');
      assert.equal(summary.unreadable, IS_ROOT ? 2 : 3);
      assert.equal(summary.complete, true);
      assert.ok((summary.files as number) > 40);
    } finally {
      logs.remove();
    }
  });
});
