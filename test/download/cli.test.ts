/**
 * `tasklane download` as a user runs it (a subprocess), against a real HTTP server on 127.0.0.1: nested
 * manifests, a few hundred files on keep-alive connections, failures and exit codes, path escapes, a file://
 * manifest, --dry-run and --json.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { content, jsonLines, killAll, runCli, sha256, startCli, tempDir, TestServer } from './helpers.js';

const server = new TestServer();
const dir = tempDir('dl-cli');
before(() => server.start());
after(async () => {
  killAll();
  await server.close();
  dir.remove();
});

let runs = 0;
function outDir(): string {
  return join(dir.path, `out-${++runs}`);
}

interface Served {
  readonly path: string;
  readonly body: Buffer;
}

/** Serves `count` files under `prefix/` and returns their manifest entries. */
function serveFiles(prefix: string, count: number, size = 2_000): { entries: object[]; files: Served[] } {
  const files: Served[] = [];
  const entries: object[] = [];
  for (let i = 0; i < count; i++) {
    const body = content(size + i);
    server.serve(`${prefix}/f${i}.bin`, body);
    files.push({ path: `f${i}.bin`, body });
    entries.push({ url: `f${i}.bin`, path: `f${i}.bin`, size: body.length, sha256: sha256(body) });
  }
  return { entries, files };
}

describe('tasklane download', { concurrency: true }, () => {
  it('downloads a few hundred files over nested manifests on keep-alive connections, then skips them all', async () => {
    const top = serveFiles('big', 120);
    const part2 = serveFiles('big/part-2', 120);
    const deep = serveFiles('big/part-2/deep', 60);
    const text = Buffer.from('compressible text\n'.repeat(5_000));
    server.serve('big/part-2/deep/t.gz', gzipSync(text));
    server.serve('big/part-2/deep/t.br', brotliCompressSync(text));
    server.serveJson('big/index.json', { name: 'big', files: top.entries, include: ['part-2/index.json', { url: 'part-2/deep/index.json', path: 'elsewhere' }] });
    server.serveJson('big/part-2/index.json', { files: part2.entries, include: ['deep/index.json'] });
    server.serveJson('big/part-2/deep/index.json', {
      files: [
        ...deep.entries,
        { url: 't.gz', path: 't.txt', decompress: 'gzip', sha256: sha256(gzipSync(text)) },
        { url: 't.br', path: 't-br.txt', decompress: 'brotli' },
      ],
    });
    const out = outDir();
    const result = await runCli([server.url('big/index.json'), '-o', out, '-w', '4', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const lines = jsonLines(result.stdout);
    const files = lines.filter((line) => line.type === 'file');
    // deep/index.json is included twice into different folders: its 62 files land in both.
    assert.equal(files.length, 120 + 120 + 62 * 2);
    assert.ok(files.every((line) => line.status === 'downloaded'), JSON.stringify(files.find((line) => line.status !== 'downloaded')));
    const summary = lines.at(-1)!;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.exitCode, 0);
    assert.equal(summary.downloaded, 364);
    assert.equal(summary.manifests, 4);
    const check = (folder: string, served: Served[]): void => {
      for (const file of served) assert.deepEqual(readFileSync(join(out, folder, file.path)), file.body, `${folder}/${file.path}`);
    };
    check('', top.files);
    check('part-2', part2.files);
    check('part-2/deep', deep.files);
    check('elsewhere', deep.files);
    for (const folder of ['part-2/deep', 'elsewhere']) {
      assert.deepEqual(readFileSync(join(out, folder, 't.txt')), text);
      assert.deepEqual(readFileSync(join(out, folder, 't-br.txt')), text);
    }
    assert.ok(!readdirSync(out, { recursive: true }).some((name) => /\.(part|unpacking)$/.test(String(name))), 'no temporary files left');
    // Keep-alive: each of the 4 workers reuses its connection, so some 370 requests travel on a handful.
    const requests = server.requests.filter((r) => r.path.startsWith('big/'));
    const connections = new Set(requests.map((r) => r.connection)).size;
    assert.equal(requests.length, 4 + 120 + 120 + 62 * 2);
    assert.ok(connections <= 8, `${connections} connections for ${requests.length} requests`);

    // A second run finds everything present and verified: only the manifests are fetched.
    const again = await runCli([server.url('big/index.json'), '-o', out, '-w', '4', '--json']);
    assert.equal(again.code, 0, again.stderr);
    const second = jsonLines(again.stdout).filter((line) => line.type === 'file');
    assert.equal(second.length, 364);
    assert.ok(second.every((line) => line.status === 'skipped'));
    assert.equal(jsonLines(again.stdout).at(-1)!.bytesTransferred, 0);
  });

  it('reports failed files (404, wrong checksum) with the URL and both digests, completes the rest, exits 1', async () => {
    const good = content(5_000);
    const served = content(4_000);
    const expected = sha256(content(4_000));
    server.serve('fail/good.bin', good);
    server.serve('fail/wrong.bin', served);
    server.serveJson('fail/index.json', {
      files: [
        { url: 'good.bin', sha256: sha256(good) },
        { url: 'missing.bin' },
        { url: 'wrong.bin', sha256: expected },
      ],
    });
    const out = outDir();
    const result = await runCli([server.url('fail/index.json'), '-o', out, '-w', '2']);
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(readFileSync(join(out, 'good.bin')), good);
    assert.ok(!existsSync(join(out, 'missing.bin')));
    assert.ok(!existsSync(join(out, 'wrong.bin')), 'a mismatch leaves no file at the path');
    assert.deepEqual(readFileSync(join(out, 'wrong.bin.part.bad')), served);
    assert.match(result.stderr, new RegExp(`${server.url('fail/missing.bin')}: HTTP 404 Not Found`));
    assert.match(result.stderr, new RegExp(`sha256 mismatch for ${server.url('fail/wrong.bin')}: expected ${expected}, got ${sha256(served)}`));
    assert.match(result.stderr, /downloaded 1 files .*0 skipped \(already present\), 2 failed/);
  });

  it('--fail-fast stops at the first failure without waiting for the other downloads', async () => {
    server.serve('ff/slow.bin', content(2_000_000), { holdAfter: 100_000 });
    server.serveJson('ff/index.json', { files: [{ url: 'slow.bin' }, { url: 'missing.bin' }] });
    const out = outDir();
    const result = await runCli([server.url('ff/index.json'), '-o', out, '-w', '2', '--fail-fast', '--json'], { timeoutMs: 20_000 });
    assert.equal(result.code, 1, result.stderr);
    assert.ok(!existsSync(join(out, 'slow.bin')), 'the held download did not complete');
    const summary = jsonLines(result.stdout).at(-1)!;
    assert.equal(summary.type, 'summary');
    assert.match(JSON.stringify(summary.failures), /missing\.bin: HTTP 404/);
    server.release('ff/slow.bin');
  });

  it('refuses paths that leave the output folder (.., absolute, a symbolic link out), naming field and manifest', async () => {
    const out = outDir();
    const outside = join(dir.path, 'outside');
    mkdirSync(out, { recursive: true });
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, join(out, 'link'));
    server.serve('esc/x.bin', 'x');
    server.serveJson('esc/index.json', { files: [{ url: 'x.bin', path: 'ok.bin' }], include: ['dotdot.json', 'abs.json', 'link.json'] });
    server.serveJson('esc/dotdot.json', { files: [{ url: 'x.bin', path: '../../evil.bin' }] });
    server.serveJson('esc/abs.json', { files: [{ url: 'x.bin', path: join(outside, 'abs.bin') }] });
    server.serveJson('esc/link.json', { files: [{ url: 'x.bin', path: 'link/evil.bin' }] });
    const result = await runCli([server.url('esc/index.json'), '-o', out, '-w', '2']);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`manifest ${server.url('esc/dotdot.json')}: files\\[0\\]\\.path "\\.\\./\\.\\./evil\\.bin" leads out of the output folder`));
    assert.match(result.stderr, new RegExp(`manifest ${server.url('esc/abs.json')}: files\\[0\\]\\.path ".*abs\\.bin" is an absolute path`));
    assert.match(result.stderr, new RegExp(`manifest ${server.url('esc/link.json')}: files\\[0\\]\\.path "link/evil\\.bin" goes through the symbolic link link -> ${outside}`));
    assert.deepEqual(readdirSync(outside), [], 'nothing was written outside');
    assert.ok(!existsSync(join(dir.path, 'evil.bin')));
    assert.equal(readFileSync(join(out, 'ok.bin'), 'utf8'), 'x', 'the safe entry was still downloaded');
  });

  it('reads a file:// manifest (and a plain path) with local and http files', async () => {
    const src = join(dir.path, 'local-src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    const local = content(70_000);
    const remote = server.serve('remote.bin', content(3_000));
    writeFileSync(join(src, 'sub', 'local.bin'), local);
    writeFileSync(join(src, 'sub', 'index.json'), JSON.stringify({ files: [{ url: 'local.bin', sha256: sha256(local) }] }));
    writeFileSync(
      join(src, 'manifest.json'),
      JSON.stringify({ files: [{ url: server.url('remote.bin'), path: 'remote.bin', size: remote.length }], include: ['sub/index.json'] }),
    );
    const out = outDir();
    const result = await runCli([pathToFileURL(join(src, 'manifest.json')).href, '-o', out, '-w', '2']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readFileSync(join(out, 'sub', 'local.bin')), local);
    assert.deepEqual(readFileSync(join(out, 'remote.bin')), remote);
    const byPath = await runCli(['manifest.json', '-o', outDir(), '-w', '1', '--json'], { cwd: src });
    assert.equal(byPath.code, 0, byPath.stderr);
    assert.equal(jsonLines(byPath.stdout).filter((line) => line.status === 'downloaded').length, 2);
  });

  it('--dry-run lists what would be fetched, with sizes, and writes nothing', async () => {
    const a = server.serve('dry/a.bin', content(1536));
    server.serveJson('dry/index.json', { files: [{ url: 'a.bin', size: a.length }, { url: 'b.gz', path: 'b.txt', decompress: 'gzip' }] });
    const out = outDir();
    const result = await runCli([server.url('dry/index.json'), '-o', out, '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trimEnd().split('\n'), [`   1.5 KiB  a.bin  ${server.url('dry/a.bin')}`, `         ?  b.txt (gzip)  ${server.url('dry/b.gz')}`]);
    assert.match(result.stderr, /would download 2 files, 1\.5 KiB plus 1 of unknown size, listed by 1 manifest/);
    assert.ok(!existsSync(out), 'nothing created');
    assert.equal(server.requestsFor('dry/a.bin').length, 0);
    const json = await runCli([server.url('dry/index.json'), '-o', out, '--dry-run', '--json']);
    const lines = jsonLines(json.stdout);
    assert.deepEqual(lines[0], { type: 'file', status: 'planned', path: 'a.bin', url: server.url('dry/a.bin'), size: 1536, manifest: server.url('dry/index.json') });
    assert.equal(lines[1]!.size, null);
    assert.equal(lines.at(-1)!.type, 'summary');
  });

  it('a bad manifest is reported with the field and the manifest; exit 1', async () => {
    server.serveJson('bad/index.json', { files: [{ url: 'a.bin', sha256: 'nope' }] });
    const result = await runCli([server.url('bad/index.json'), '-o', outDir(), '--json']);
    assert.equal(result.code, 1, result.stderr);
    const lines = jsonLines(result.stdout);
    assert.deepEqual(lines[0], {
      type: 'manifest',
      status: 'failed',
      url: server.url('bad/index.json'),
      error: `manifest ${server.url('bad/index.json')}: files[0].sha256: expected 64 hexadecimal digits, got "nope"`,
    });
    const missing = await runCli([server.url('bad/none.json'), '-o', outDir()]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`could not fetch manifest ${server.url('bad/none.json')}: .*HTTP 404 Not Found`));
  });

  it('usage errors exit 2 with one line and a hint', async () => {
    const noFile = await runCli(['no-such-manifest.json', '-o', outDir()]);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /^tasklane: error: cannot read manifest no-such-manifest\.json: no such file\nhint: /);
    const noOut = await runCli([server.url('x.json')]);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /required option '-o, --out <dir>' not specified/);
    const badRetries = await runCli([server.url('x.json'), '-o', outDir(), '--retries', 'many']);
    assert.equal(badRetries.code, 2);
    assert.match(badRetries.stderr, /--retries <n>' argument 'many' is invalid/);
    const notDir = join(dir.path, 'a-file');
    writeFileSync(notDir, '');
    const outIsFile = await runCli([server.url('x.json'), '-o', notDir]);
    assert.equal(outIsFile.code, 2);
    assert.match(outIsFile.stderr, /the output folder .* exists and is not a folder/);
  });

  it('--log-dir gets tasks.jsonl, not-run.jsonl and a summary.json with the download fields', async () => {
    const body = server.serve('logs/a.bin', content(10_000));
    server.serveJson('logs/index.json', { files: [{ url: 'a.bin', sha256: sha256(body) }] });
    const logs = join(dir.path, 'logs');
    const cli = startCli([server.url('logs/index.json'), '-o', outDir(), '--log-dir', logs, '-w', '1']);
    const result = await cli.result();
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(readFileSync(join(logs, 'summary.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(summary.command, 'download');
    assert.equal(summary.exitCode, 0);
    assert.equal(summary.downloaded, 1);
    assert.equal(readFileSync(join(logs, 'not-run.jsonl'), 'utf8'), '');
    assert.match(readFileSync(join(logs, 'tasks.jsonl'), 'utf8'), /"name":"fetchManifest".*\n.*"name":"downloadFile"/);
  });
});
