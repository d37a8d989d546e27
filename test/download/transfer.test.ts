/**
 * The download tasks run in-process (NullManager) against a real HTTP server on 127.0.0.1: Range resume,
 * servers that ignore Range, dropped connections, 503 with Retry-After, 404, wrong checksums, skipping,
 * --force, decompression, and paths that try to leave the output folder.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { EventEmitter } from 'node:events';
import { chain, NullManager } from '../../src/index.js';
import { closeSession, createSession, decompressFile, downloadFile } from '../../src/download/download-tasks.js';
import type { HttpSession } from '../../src/download/http-session.js';
import type { DownloadMessage, FileJob, FileMessage, PlannedFile } from '../../src/download/messages.js';
import { content, sha256, tempDir, TestServer, waitUntil } from './helpers.js';

/** A NullManager whose sent messages can be waited for. */
class Ctx extends NullManager<HttpSession> {
  readonly events = new EventEmitter();
  override send(message: unknown): Promise<void> {
    const result = super.send(message);
    this.events.emit('sent');
    return result;
  }
  messages(): DownloadMessage[] {
    return this.sent as DownloadMessage[];
  }
  final(): FileMessage | undefined {
    return this.messages().find((m): m is FileMessage => m.t === 'file');
  }
}

describe('download tasks against a local server', { concurrency: false }, () => {
  const server = new TestServer();
  const dir = tempDir('transfer');
  let session: HttpSession;
  let out: string;
  let n = 0;

  before(async () => {
    await server.start();
    session = await createSession();
    out = realpathSync(dir.path);
  });
  after(async () => {
    await closeSession(session);
    await server.close();
    dir.remove();
  });

  function ctx(signal?: AbortSignal): Ctx {
    return new Ctx({ session, ...(signal ? { signal } : {}) });
  }

  /** Serves a fresh file and returns the job that downloads it to its own path. */
  function setup(size: number, extra: Partial<PlannedFile> = {}, body = content(size)): { job: FileJob; body: Buffer; name: string; target: string } {
    const name = `f${++n}.bin`;
    server.serve(name, body);
    const file: PlannedFile = { url: server.url(name), path: name, size: body.length, sha256: sha256(body), manifest: 'test-manifest', field: `files[${n}]`, ...extra };
    return { job: { file, outDir: out, force: false, retries: 3, timeoutMs: 5000 }, body, name, target: join(out, name) };
  }

  it('downloads, verifies and renames; a second run skips without a request', async () => {
    const { job, body, name, target } = setup(300_000);
    const c = ctx();
    assert.equal(await run(c, job), 'downloaded');
    assert.deepEqual(readFileSync(target), body);
    assert.ok(!existsSync(`${target}.part`));
    assert.equal(c.final()?.status, 'downloaded');
    assert.equal(server.sent(name), body.length);
    server.resetCounts();
    const again = ctx();
    assert.equal(await run(again, job), 'skipped');
    assert.equal(server.requestsFor(name).length, 0, 'no request for a file present with the right checksum');
    // --force downloads it again.
    assert.equal(await run(ctx(), { ...job, force: true }), 'downloaded');
    assert.equal(server.sent(name), body.length);
  });

  it('a present file with the wrong checksum is downloaded again', async () => {
    const { job, body, target, name } = setup(10_000);
    writeFileSync(target, Buffer.alloc(body.length, 1));
    assert.equal(await run(ctx(), job), 'downloaded');
    assert.deepEqual(readFileSync(target), body);
    assert.equal(server.sent(name), body.length);
  });

  it('resumes an interrupted download with a Range request: the server sends only the rest', async () => {
    const { job, body, name, target } = setup(1_000_000);
    server.behave(name, { holdAfter: 400_000 });
    const controller = new AbortController();
    const first = ctx(controller.signal);
    const running = run(first, job);
    // Wait until the task reported bytes (progress runs on a clock, so the held burst is reported too).
    await waitUntil(first.events, 'sent', () => first.messages().some((m) => m.t === 'progress' && m.done > 0), 10_000, 'a progress message');
    controller.abort();
    await assert.rejects(running, { name: 'AbortError' });
    assert.equal(first.final(), undefined, 'an interrupted file is not reported as failed');
    const kept = readFileSync(`${target}.part`).length;
    assert.ok(kept > 0 && kept <= 400_000, `the .part keeps what arrived: ${kept}`);
    assert.ok(!existsSync(target));

    await server.waitForIdle();
    server.behave(name, {});
    server.resetCounts();
    const second = ctx();
    assert.equal(await run(second, job), 'downloaded');
    assert.deepEqual(readFileSync(target), body);
    assert.deepEqual(server.requestsFor(name).map((r) => [r.range, r.status]), [[`bytes=${kept}-`, 206]]);
    assert.equal(server.sent(name), body.length - kept, 'only the missing bytes crossed the network');
    const final = second.final()!;
    assert.equal(final.stats?.resumedFrom, kept);
    assert.equal(final.stats?.restarted, false);
  });

  it('starts over when the server ignores Range (200 instead of 206)', async () => {
    const { job, body, name, target } = setup(200_000, {}, content(200_000));
    writeFileSync(`${target}.part`, body.subarray(0, 50_000));
    server.behave(name, { ignoreRange: true });
    const c = ctx();
    assert.equal(await run(c, job), 'downloaded');
    assert.deepEqual(readFileSync(target), body);
    assert.deepEqual(server.requestsFor(name).map((r) => [r.range, r.status]), [['bytes=50000-', 200]]);
    assert.equal(c.final()?.stats?.restarted, true);
    assert.equal(c.final()?.stats?.resumedFrom, 0);
  });

  it('a complete .part (interrupted before the rename) is verified without downloading', async () => {
    const { job, body, name, target } = setup(20_000);
    writeFileSync(`${target}.part`, body);
    assert.equal(await run(ctx(), job), 'downloaded');
    assert.equal(server.requestsFor(name).length, 0);
    // Without a size in the manifest, the server's 416 says the .part is complete.
    const unsized = setup(20_000, { size: undefined });
    writeFileSync(`${unsized.target}.part`, unsized.body);
    assert.equal(await run(ctx(), unsized.job), 'downloaded');
    assert.deepEqual(server.requestsFor(unsized.name).map((r) => r.status), [416]);
    assert.equal(server.sent(unsized.name), 0);
  });

  it('a connection dropped mid-body is retried from where it broke', async () => {
    const { job, body, name, target } = setup(500_000);
    server.behave(name, { dropAfter: 200_000, dropTimes: 2 });
    const c = ctx();
    assert.equal(await run(c, job), 'downloaded');
    assert.deepEqual(readFileSync(target), body);
    const requests = server.requestsFor(name);
    assert.equal(requests.length, 3);
    assert.equal(requests[0]!.range, undefined);
    assert.match(requests[1]!.range ?? '', /^bytes=\d+-$/, 'the retry continues the .part');
    assert.equal(c.messages().filter((m) => m.t === 'retry').length, 2);
    assert.equal(c.final()?.stats?.attempts, 3);
    assert.ok(server.sent(name) < body.length + 2 * 200_000, `sent ${server.sent(name)}: the retries did not start over`);
  });

  it('503 with Retry-After waits as asked, then succeeds', async () => {
    const { job, body, name, target } = setup(5_000);
    server.behave(name, { status: 503, statusTimes: 1, retryAfter: '1' });
    const c = ctx();
    assert.equal(await run(c, job), 'downloaded');
    assert.deepEqual(readFileSync(target), body);
    const [first, second] = server.requestsFor(name);
    assert.equal(first?.status, 503);
    assert.equal(second?.status, 200);
    assert.ok(second!.at - first!.at >= 950, `waited ${second!.at - first!.at} ms for Retry-After: 1`);
    const retry = c.messages().find((m) => m.t === 'retry');
    assert.ok(retry && retry.t === 'retry' && retry.delayMs === 1000 && /HTTP 503/.test(retry.reason));
  });

  it('a server that stalls mid-body times out; each retry continues the .part', async () => {
    const { job, name, target } = setup(100_000);
    server.behave(name, { holdAfter: 10_000 });
    const c = ctx();
    await assert.rejects(run(c, { ...job, retries: 1, timeoutMs: 300 }), (error: Error) => {
      assert.equal(error.message, `${job.file.url}: Body Timeout Error (after 2 attempts) (UND_ERR_BODY_TIMEOUT)`);
      return true;
    });
    assert.deepEqual(server.requestsFor(name).map((r) => r.range), [undefined, 'bytes=10000-']);
    assert.equal(readFileSync(`${target}.part`).length, 20_000, 'both attempts kept their bytes');
    assert.equal(c.final()?.status, 'failed');
    assert.match(c.final()?.error ?? '', /timeout/i);
  });

  it('follows redirects, with the Range header', async () => {
    const { job, body, name, target } = setup(50_000);
    server.serve(`moved-${name}`, body);
    server.behave(name, { redirectTo: `moved-${name}` });
    writeFileSync(`${target}.part`, body.subarray(0, 20_000));
    assert.equal(await run(ctx(), job), 'downloaded');
    assert.deepEqual(readFileSync(target), body);
    assert.deepEqual(server.requestsFor(`moved-${name}`).map((r) => [r.range, r.status]), [['bytes=20000-', 206]]);
  });

  it('gives up after --retries on a server that keeps failing', async () => {
    const { job, name, target } = setup(1_000);
    server.behave(name, { status: 500, retryAfter: '0' });
    const c = ctx();
    await assert.rejects(run(c, { ...job, retries: 2 }), /HTTP 500 Internal Server Error \(after 3 attempts\)/);
    assert.equal(server.requestsFor(name).length, 3);
    assert.equal(c.final()?.status, 'failed');
    assert.ok(!existsSync(target));
  });

  it('a 404 fails at once, naming the URL', async () => {
    const { job } = setup(10);
    const missing: FileJob = { ...job, file: { ...job.file, url: server.url('nowhere.bin'), path: 'nowhere.bin' } };
    const c = ctx();
    await assert.rejects(run(c, missing), new RegExp(`${server.url('nowhere.bin')}: HTTP 404 Not Found$`));
    assert.equal(server.requestsFor('nowhere.bin').length, 1, 'no retry for a 404');
    assert.equal(c.final()?.status, 'failed');
  });

  it('a wrong checksum leaves no file at the path, keeps the bytes in .part.bad, and names URL and both digests', async () => {
    const { job, body, name, target } = setup(30_000);
    const wrong = content(body.length);
    server.serve(name, wrong);
    writeFileSync(target, 'an old version');
    const c = ctx();
    await assert.rejects(run(c, job), (error: Error) => {
      assert.match(error.message, new RegExp(`^sha256 mismatch for ${job.file.url}: expected ${job.file.sha256}, got ${sha256(wrong)}`));
      assert.match(error.message, new RegExp(`${name}\\.part\\.bad`));
      return true;
    });
    assert.ok(!existsSync(target), 'no file at the path');
    assert.ok(!existsSync(`${target}.part`));
    assert.deepEqual(readFileSync(`${target}.part.bad`), wrong);
    const final = c.final()!;
    assert.equal(final.status, 'failed');
    assert.equal(final.expected, job.file.sha256);
    assert.equal(final.actual, sha256(wrong));
    // A server sending more than the manifest's size is cut off as a size mismatch.
    server.serve(name, Buffer.concat([body, body]));
    await assert.rejects(run(ctx(), { ...job, file: { ...job.file, sha256: undefined } }), /size mismatch for .*more than the 30000 bytes/);
    assert.ok(!existsSync(target));
  });

  for (const format of ['gzip', 'brotli'] as const) {
    it(`decompresses ${format} after the download (chained step); the checksum is of the downloaded bytes`, async () => {
      const plain = Buffer.from('line of text\n'.repeat(20_000));
      const packed = format === 'gzip' ? gzipSync(plain) : brotliCompressSync(plain);
      const { job, target } = setup(0, { decompress: format }, packed);
      const c = ctx();
      assert.deepEqual(await c.run(chainOf(job)), ['fetched', 'decompressed']);
      assert.deepEqual(readFileSync(target), plain);
      assert.ok(!existsSync(`${target}.part`) && !existsSync(`${target}.unpacking`));
      const final = c.final()!;
      assert.equal(final.decompressedBytes, plain.length);
      assert.ok(c.messages().some((m) => m.t === 'fetched' && m.bytes === packed.length && m.sha256 === sha256(packed)));
      // Present: the download step skips, the decompression step has nothing to do.
      const again = ctx();
      await again.run(chainOf(job));
      assert.equal(again.final()?.status, 'skipped');
      assert.equal(again.messages().filter((m) => m.t === 'file').length, 1);
    });
  }

  it('corrupt compressed data fails the decompression step; the bytes stay in .part.bad', async () => {
    const junk = content(5_000);
    const { job, target } = setup(0, { decompress: 'gzip' }, junk);
    await assert.rejects(ctx().run(chainOf(job)), /chain step 1 \("decompressFile"\) failed: could not decompress .* as gzip/);
    assert.ok(!existsSync(target));
    assert.deepEqual(readFileSync(`${target}.part.bad`), junk);
  });

  it('refuses a path through a symbolic link that leads out of the output folder, before any request', async () => {
    const outside = join(dir.path, '..', `outside-${process.pid}`);
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, join(out, 'escape'));
    const { job, name } = setup(100);
    const escaping: FileJob = { ...job, file: { ...job.file, path: `escape/${name}` } };
    const c = ctx();
    await assert.rejects(run(c, escaping), (error: Error) => {
      assert.match(error.message, /^manifest test-manifest: files\[\d+\]\.path "escape\/f\d+\.bin" goes through the symbolic link escape -> /);
      return true;
    });
    assert.equal(server.requestsFor(name).length, 0);
    assert.ok(!existsSync(join(outside, name)));
    assert.equal(c.final()?.status, 'failed');
  });
});

/** Runs one downloadFile task in-process. */
function run(c: Ctx, job: FileJob): Promise<string> {
  return c.run(downloadFile(job));
}

function chainOf(job: FileJob) {
  return chain(downloadFile(job), decompressFile(job));
}
