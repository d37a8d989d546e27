/** The downloader's pure parts: manifest validation, path safety, retry policy, the plan, progress figures. */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Chalk } from 'chalk';
import { ManifestError, parseManifest } from '../../src/download/manifest.js';
import type { ManifestMessage, PlannedFile } from '../../src/download/messages.js';
import { DownloadPlan } from '../../src/download/plan.js';
import { DownloadTracker } from '../../src/download/progress-state.js';
import { formatBytes, renderDownloadFrame, renderDownloadLine } from '../../src/download/progress-view.js';
import { rangeStart, rangeTotal } from '../../src/download/resume.js';
import { HttpStatusError, isRetryable, parseRetryAfter, retryDelay, withRetries } from '../../src/download/retry.js';
import { checkRelativePath, prepareTarget, UnsafePathError } from '../../src/download/safe-path.js';
import { tempDir } from './helpers.js';

const M = 'http://127.0.0.1:1/data/index.json';
const HEX = 'a'.repeat(64);

function problemsOf(text: string, url = M, folder = ''): string[] {
  try {
    parseManifest(text, url, folder);
  } catch (error) {
    assert.ok(error instanceof ManifestError, String(error));
    return [...error.problems];
  }
  assert.fail('expected a ManifestError');
}

describe('manifest validation', () => {
  it('resolves URLs against the manifest and paths under its folder', () => {
    const manifest = parseManifest(
      JSON.stringify({
        name: 'x',
        files: [
          { url: 'a.bin', path: 'a.bin', size: 3, sha256: HEX.toUpperCase(), decompress: 'gzip' },
          { url: 'https://mirror.test/b/c.txt?x=1#frag' },
        ],
        include: ['part-2/index.json', { url: 'https://other.test/m.json', path: 'other' }, '../sibling/index.json'],
      }),
      M,
      'sub',
    );
    assert.equal(manifest.name, 'x');
    assert.deepEqual(manifest.files[0], {
      url: 'http://127.0.0.1:1/data/a.bin',
      path: 'sub/a.bin',
      size: 3,
      sha256: HEX,
      decompress: 'gzip',
      manifest: M,
      field: 'files[0]',
    });
    assert.equal(manifest.files[1]!.url, 'https://mirror.test/b/c.txt?x=1');
    assert.equal(manifest.files[1]!.path, 'sub/c.txt', 'path defaults to the URL file name');
    assert.deepEqual(
      manifest.includes.map((i) => [i.url, i.folder]),
      [
        ['http://127.0.0.1:1/data/part-2/index.json', 'sub/part-2'],
        ['https://other.test/m.json', 'sub/other'],
        ['http://127.0.0.1:1/sibling/index.json', 'sibling'],
      ],
    );
  });

  it('names the field of every problem, and the manifest', () => {
    const text = JSON.stringify({
      files: [
        { url: 'a', path: 'a', size: -1 },
        { url: 'b', path: 'b', sha256: 'abc' },
        { url: 'c', path: 'c', decompress: 'zip' },
        { path: 'd' },
        { url: 'e', path: 'e', sha265: HEX },
        'f',
        { url: 'g', path: 'g' },
        { url: 'g2', path: './g' },
      ],
      include: [42, 'https://elsewhere.test/x.json'],
      extra: 1,
    });
    const problems = problemsOf(text);
    const expected = [
      /^extra: unknown field/,
      /^files\[0\]\.size: expected a whole number of bytes/,
      /^files\[1\]\.sha256: expected 64 hexadecimal digits, got "abc"/,
      /^files\[2\]\.decompress: expected one of "gzip", "brotli", got "zip"/,
      /^files\[3\]\.url: expected a URL/,
      /^files\[4\]\.sha265: unknown field/,
      /^files\[5\]: expected an object/,
      /^files\[7\]\.path: "g" is also the path of files\[6\]/,
      /^include\[0\]: expected a URL string/,
      /^include\[1\]: https:\/\/elsewhere\.test\/x\.json is on another server .* give it as \{ "url": \.\.\., "path"/,
    ];
    for (const pattern of expected) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} in:\n${problems.join('\n')}`);
    assert.throws(() => parseManifest(text, M, ''), (error: Error) => error.message.startsWith(`manifest ${M} has ${problems.length} problems:`));
  });

  it('refuses paths that leave the output folder, naming field and manifest', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['../x', /files\[0\]\.path "\.\.\/x" leads out of the output folder/],
      ['a/../../x', /leads out of the output folder/],
      ['/etc/passwd', /is an absolute path/],
      ['C:/x', /drive letter/],
      ['a\\b', /backslash/],
      ['', /names a folder/],
      ['.', /names a folder/],
    ];
    for (const [path, pattern] of cases) {
      const text = JSON.stringify({ files: [{ url: 'a', path }] });
      assert.throws(() => parseManifest(text, M, ''), (error: Error) => error.message.startsWith(`manifest ${M}: `) && pattern.test(error.message), String(path));
    }
    // Relative to an included manifest's folder: climbing out of that folder is fine, out of the root is not.
    assert.equal(parseManifest(JSON.stringify({ files: [{ url: 'a', path: '../a' }] }), M, 'sub').files[0]!.path, 'a');
    assert.match(problemsOf(JSON.stringify({ files: [{ url: 'a', path: '../../a' }] }), M, 'sub')[0]!, /from the manifest's folder "sub"/);
    assert.match(problemsOf(JSON.stringify({ include: ['../../up/index.json'] }), 'http://h.test/a/index.json')[0]!, /include\[0\] "\.\.\/up" leads out/);
  });

  it('refuses local files from a remote manifest, and other schemes', () => {
    assert.match(problemsOf(JSON.stringify({ files: [{ url: 'file:///etc/passwd', path: 'p' }] }))[0]!, /may not read local files/);
    assert.match(problemsOf(JSON.stringify({ files: [{ url: 'ftp://h/x', path: 'p' }] }))[0]!, /unsupported scheme ftp:/);
    assert.equal(parseManifest(JSON.stringify({ files: [{ url: 'b.bin' }] }), 'file:///tmp/m.json', '').files[0]!.url, 'file:///tmp/b.bin');
  });

  it('reports JSON syntax errors and non-object manifests', () => {
    assert.match(problemsOf('{ "files": [')[0]!, /^is not valid JSON/);
    assert.match(problemsOf('[1]')[0]!, /must be a JSON object/);
    assert.match(problemsOf('{"files": {}}')[0]!, /^files: expected an array/);
  });
});

describe('safe paths on disk', () => {
  const dir = tempDir('safe');
  after(dir.remove);
  const origin = { manifest: M, field: 'files[0].path' };

  it('creates parent folders and returns the file path', async () => {
    const out = join(dir.path, 'out1');
    mkdirSync(out);
    assert.equal(await prepareTarget(out, 'a/b/c.bin', origin), join(out, 'a', 'b', 'c.bin'));
  });

  it('refuses a symbolic link under the output folder that points out of it', async () => {
    const out = join(dir.path, 'out2');
    const outside = join(dir.path, 'outside');
    mkdirSync(out);
    mkdirSync(outside);
    symlinkSync(outside, join(out, 'link'));
    await assert.rejects(prepareTarget(out, 'link/x.bin', origin), (error: Error) => {
      assert.ok(error instanceof UnsafePathError);
      assert.match(error.message, new RegExp(`^manifest ${M}: files\\[0\\]\\.path "link/x\\.bin" goes through the symbolic link link -> ${outside}`));
      return true;
    });
    // A link that stays inside is followed; a link as the file itself is refused.
    mkdirSync(join(out, 'real'));
    symlinkSync(join(out, 'real'), join(out, 'inner'));
    assert.equal(await prepareTarget(out, 'inner/x.bin', origin), join(out, 'real', 'x.bin'));
    writeFileSync(join(outside, 'secret'), 's');
    symlinkSync(join(outside, 'secret'), join(out, 'file-link'));
    await assert.rejects(prepareTarget(out, 'file-link', origin), /is a symbolic link in the output folder/);
  });

  it('normalizes what it accepts', () => {
    assert.equal(checkRelativePath('./a//b/./c', origin), 'a/b/c');
    assert.equal(checkRelativePath('.', origin, true), '');
  });
});

describe('retry policy', () => {
  it('retries network errors, timeouts, 5xx, 408 and 429; not other 4xx or aborts', () => {
    for (const status of [500, 502, 503, 408, 429]) assert.ok(isRetryable(new HttpStatusError('u', status, '')), String(status));
    for (const status of [400, 401, 403, 404, 410, 416]) assert.ok(!isRetryable(new HttpStatusError('u', status, '')), String(status));
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ECONNREFUSED']) {
      assert.ok(isRetryable(Object.assign(new Error('x'), { code })), code);
    }
    assert.ok(isRetryable(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) })));
    assert.ok(!isRetryable(Object.assign(new Error('x'), { name: 'AbortError', code: 'ECONNRESET' })));
    assert.ok(!isRetryable(new Error('plain')));
  });

  it('parses Retry-After as seconds or an HTTP date, capped', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
    assert.equal(parseRetryAfter('999999'), 300_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it('backs off exponentially with equal jitter, and Retry-After replaces the backoff', () => {
    const low = { baseMs: 100, maxMs: 1000, random: () => 0 };
    const high = { ...low, random: () => 0.999999 };
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, new Error('x'), low)), [50, 100, 200, 400, 500, 500]);
    assert.deepEqual([1, 2, 3].map((n) => retryDelay(n, new Error('x'), high)), [100, 200, 400]);
    assert.equal(retryDelay(1, new HttpStatusError('u', 503, '', 1234), low), 1234);
  });

  it('withRetries stops after `retries`, at once for a final error, and on abort', async () => {
    const backoff = { baseMs: 1, maxMs: 1, random: () => 0 };
    const reset = (): never => {
      throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    };
    let calls = 0;
    const retried: number[] = [];
    await assert.rejects(
      withRetries(async () => (calls++, reset()), { retries: 3, signal: new AbortController().signal, backoff, onRetry: (n) => void retried.push(n) }),
      /reset \(after 4 attempts\)/,
    );
    assert.equal(calls, 4);
    assert.deepEqual(retried, [1, 2, 3]);
    calls = 0;
    await assert.rejects(
      withRetries(async () => (calls++, Promise.reject(new HttpStatusError('u', 404, 'Not Found'))), { retries: 5, signal: new AbortController().signal, backoff }),
      /HTTP 404/,
    );
    assert.equal(calls, 1);
    const controller = new AbortController();
    const slow = { baseMs: 60_000, maxMs: 60_000, random: () => 0 };
    const pending = withRetries(async () => reset(), { retries: 5, signal: controller.signal, backoff: slow, onRetry: () => controller.abort() });
    await assert.rejects(pending, { name: 'AbortError' });
    assert.equal(await withRetries(async (n) => (n < 3 ? reset() : 'ok'), { retries: 2, signal: new AbortController().signal, backoff }), 'ok');
  });

  it('reads Content-Range', () => {
    assert.equal(rangeStart('bytes 100-199/200'), 100);
    assert.equal(rangeStart('bytes */200'), undefined);
    assert.equal(rangeTotal('bytes */200'), 200);
    assert.equal(rangeTotal('bytes 0-9/10'), 10);
    assert.equal(rangeTotal('bytes 0-9/*'), undefined);
  });
});

function file(path: string, extra: Partial<PlannedFile> = {}): PlannedFile {
  return { url: `http://h.test/${path}`, path, manifest: M, field: 'files[0]', ...extra };
}

function manifestMessage(url: string, files: PlannedFile[], includes: Array<[string, string]> = [], ancestors: string[] = []): ManifestMessage {
  return { t: 'manifest', url, folder: '', ancestors, files, includes: includes.map(([u, folder], i) => ({ url: u, folder, manifest: url, field: `include[${i}]` })) };
}

describe('the plan across manifests', () => {
  it('refuses two entries for one path, and temporary-name clashes; ignores exact duplicates', () => {
    const plan = new DownloadPlan({ retries: 1, timeoutMs: 1 });
    plan.root(M);
    const step = plan.add(
      manifestMessage(M, [file('a'), file('a'), file('a', { url: 'http://h.test/other' }), file('a.part'), file('b.unpacking'), file('b')]),
    );
    assert.deepEqual(step.files.map((f) => f.path), ['a', 'b.unpacking']);
    assert.equal(step.problems.length, 3);
    assert.match(step.problems[0]!.message, /"a" is already the path of files\[0\]/);
    assert.match(step.problems[1]!.message, /"a\.part" is a temporary file name of "a"/);
    assert.match(step.problems[2]!.message, /would use "b\.unpacking", the path of another file/);
  });

  it('fetches a manifest once per folder and stops include cycles', () => {
    const plan = new DownloadPlan({ retries: 1, timeoutMs: 1 });
    const A = 'http://h.test/a.json';
    const B = 'http://h.test/b.json';
    plan.root(A);
    const first = plan.add(manifestMessage(A, [], [[B, ''], [B, ''], [B, 'copy']]));
    assert.deepEqual(first.manifests.map((m) => [m.url, m.folder, m.ancestors]), [[B, '', [A]], [B, 'copy', [A]]]);
    const second = plan.add(manifestMessage(B, [], [[A, 'x']], [A]));
    assert.equal(second.manifests.length, 0);
    assert.match(second.problems[0]!.message, /including http:\/\/h\.test\/a\.json again would loop: .*a\.json -> .*b\.json -> .*a\.json/);
    assert.equal(plan.manifestsPlanned, 3);
  });
});

describe('progress figures', () => {
  it('adds up bytes, sizes learned on the way, skips, failures, and gives an ETA once everything is known', () => {
    const t = new DownloadTracker();
    t.plan(file('a', { size: 1000 }));
    t.plan(file('b'));
    t.plan(file('c', { size: 500 }));
    t.start('a', 200, 1000); // resumed: 200 bytes were there already
    t.progress('a', 700);
    t.start('b', 0, 300);
    t.retry('b');
    let s = t.snapshot({ label: 'x', elapsedMs: 0, now: 0, manifestsRead: 1, manifestsPlanned: 1 });
    assert.equal(s.bytesTotal, 1800);
    assert.equal(s.bytesDone, 700);
    assert.equal(s.unknownSizes, 0);
    assert.equal(s.retrying, 1);
    t.finish({ t: 'file', key: 'c', status: 'skipped' });
    t.finish({ t: 'file', key: 'b', status: 'failed', error: 'boom' });
    t.finish({ t: 'file', key: 'a', status: 'downloaded', stats: { bytes: 1000, resumedFrom: 200, restarted: false, attempts: 1 } });
    s = t.snapshot({ label: 'x', elapsedMs: 1000, now: 1000, manifestsRead: 1, manifestsPlanned: 1 });
    assert.deepEqual([s.bytesDone, s.bytesTotal, s.downloaded, s.skipped, s.failed, s.retrying], [1500, 1500, 1, 1, 1, 0]);
    assert.equal(t.bytesTransferred, 800, 'the resumed prefix and the skipped file did not cross the network');
    assert.equal(s.etaSeconds, 0);
  });

  it('renders a terminal frame and a plain line', () => {
    const snapshot = {
      label: 'tasklane download',
      elapsedMs: 12_300,
      bytesDone: 3 * 1024 * 1024,
      bytesTotal: 12 * 1024 * 1024,
      unknownSizes: 0,
      speed: 1024 * 1024,
      etaSeconds: 9,
      files: 30,
      downloaded: 8,
      skipped: 2,
      failed: 1,
      retrying: 2,
      manifestsRead: 2,
      manifestsPlanned: 3,
    };
    const frame = renderDownloadFrame(snapshot, new Chalk({ level: 0 }));
    assert.match(frame, /3\.0 MiB of 12\.0 MiB \(25%\)/);
    assert.match(frame, /1\.0 MiB\/s {2}ETA 9s/);
    assert.match(frame, /10 of 30 files done {2}\(2 skipped, already present\) {2}1 failed {2}2 retrying/);
    assert.match(frame, /manifests 2 of 3 read/);
    const line = renderDownloadLine({ ...snapshot, unknownSizes: 4, etaSeconds: undefined });
    assert.match(line, /^tasklane download: 12\.3s elapsed, 3\.0 MiB of 12\.0 MiB \+ 4 of unknown size, 1\.0 MiB\/s, 10 of 30 files done/);
    assert.doesNotMatch(line, /ETA/);
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
  });
});
