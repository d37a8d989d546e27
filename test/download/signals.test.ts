/**
 * Ctrl-C in the middle of a download, on a real `tasklane download` process: exit 130, nothing left running,
 * `.part` files kept; the same command then resumes with Range requests and ends with every file verified.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { content, jsonLines, killAll, runCli, sha256, startCli, tempDir, TestServer } from './helpers.js';

const server = new TestServer();
const dir = tempDir('dl-signals');
before(() => server.start());
after(async () => {
  killAll();
  await server.close();
  dir.remove();
});

describe('signals', () => {
  it('SIGINT mid-download exits 130 and leaves .part files; the next run sends only the missing bytes', async () => {
    const big = server.serve('sig/big.bin', content(3_000_000), { holdAfter: 1_000_000 });
    const small = Array.from({ length: 20 }, (_, i) => server.serve(`sig/s${i}.bin`, content(1_000 + i)));
    server.serveJson('sig/index.json', {
      files: [
        { url: 'big.bin', path: 'data/big.bin', size: big.length, sha256: sha256(big) },
        ...small.map((body, i) => ({ url: `s${i}.bin`, path: `data/s${i}.bin`, sha256: sha256(body) })),
      ],
    });
    const out = join(dir.path, 'out');
    const logs = join(dir.path, 'logs');
    const args = [server.url('sig/index.json'), '-o', out, '-w', '2'];

    const cli = startCli([...args, '--log-dir', logs]);
    // Readiness: the server has sent the first megabyte and holds the rest; then the plain progress line (stderr
    // is not a terminal) shows every small file done and the big one under way.
    await server.waitForSent('sig/big.bin', 1_000_000);
    await cli.waitFor('stderr', /20 of 21 files done/);
    cli.child.kill('SIGINT');
    const interrupted = await cli.result(20_000);
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.match(interrupted.stderr, /cancelling: \d+ queued tasks not run, press Ctrl-C again to kill/);
    assert.match(interrupted.stderr, /stopped by SIGINT/);
    assert.ok(!cli.groupAlive(), 'no process of the CLI is left');
    const part = join(out, 'data', 'big.bin.part');
    const kept = statSync(part).size;
    assert.ok(kept > 0 && kept <= 1_000_000, `the .part keeps what arrived: ${kept}`);
    assert.ok(!existsSync(join(out, 'data', 'big.bin')));
    const summary = JSON.parse(readFileSync(join(logs, 'summary.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(summary.exitCode, 130);
    assert.equal(summary.signal, 'SIGINT');
    assert.equal(summary.interrupted, 1, 'the big download was interrupted');
    assert.ok(existsSync(join(logs, 'not-run.jsonl')));

    await server.waitForIdle();
    server.behave('sig/big.bin', {});
    server.resetCounts();
    const resumed = await runCli([...args, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const lines = jsonLines(resumed.stdout).filter((line) => line.type === 'file');
    assert.equal(lines.length, 21);
    assert.deepEqual(lines.filter((line) => line.status === 'skipped').length, 20, 'the finished files were verified and skipped');
    const bigLine = lines.find((line) => line.path === 'data/big.bin')!;
    assert.equal(bigLine.status, 'downloaded');
    assert.equal(bigLine.resumedFrom, kept);
    assert.deepEqual(server.requestsFor('sig/big.bin').map((r) => [r.range, r.status]), [[`bytes=${kept}-`, 206]]);
    assert.equal(server.sent('sig/big.bin'), big.length - kept, 'only the rest crossed the network');
    assert.deepEqual(readFileSync(join(out, 'data', 'big.bin')), big);
    small.forEach((body, i) => assert.deepEqual(readFileSync(join(out, 'data', `s${i}.bin`)), body));
    assert.ok(!existsSync(part));
  });
});
