import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { Chalk } from 'chalk';
import type { ManagerStats } from '../../src/index.js';
import { Progress, progressMode } from '../../src/cli/progress.js';
import { formatDuration, RateMeter, renderFrame, renderPlainLine, type FrameInput } from '../../src/cli/status-frame.js';
import { ANSI, BIN, cliEnv, killAll, ROOT, runCli, TASKS } from './helpers.js';

after(killAll);

const plain = new Chalk({ level: 0 });
const NOW = 1_000_000;

function frame(stats: Partial<ManagerStats>, extra: Partial<FrameInput> = {}): FrameInput {
  return {
    label: 'tasklane hash',
    stats: { queued: [0, 0], running: [], scheduled: 0, done: 0, failed: 0, cancelled: 0, inbox: 0, ...stats },
    elapsedMs: 12_345,
    rate: 385.2,
    now: NOW,
    ...extra,
  };
}

describe('the status frame', () => {
  it('shows counts, rate, elapsed time, queued per priority and the longest-running tasks first', () => {
    const running = [
      { id: 5, name: 'hashFile', workerId: 1, startedAt: NOW - 400 },
      { id: 2, name: 'walk', workerId: 2, startedAt: NOW - 2_100 },
      { id: 9, name: 'hashFile', workerId: 3, startedAt: NOW - 50 },
      { id: 3, name: 'a-task-with-a-very-long-name-indeed', workerId: 4, startedAt: NOW - 1_900 },
    ];
    const text = renderFrame(frame({ queued: [3, 1200], running, done: 1234, failed: 2, cancelled: 1, inbox: 17 }), plain);
    assert.equal(
      text,
      [
        'tasklane hash  12.3s  1,234 done  2 failed  1 cancelled  385 tasks/s',
        'queued   p0 3  p1 1,200   inbox 17',
        'running  4: walk 2.1s, a-task-with-a-very-long… 1.9s, hashFile 0.4s, +1 more',
      ].join('\n'),
    );
  });

  it('says when nothing runs, and colors only when asked', () => {
    const text = renderFrame(frame({ queued: [0] }, { rate: 0.25 }), plain);
    assert.match(text, /running  none$/);
    assert.match(text, /0\.3 tasks\/s/);
    assert.doesNotMatch(text, ANSI);
    assert.match(renderFrame(frame({ failed: 1 }), new Chalk({ level: 1 })), ANSI);
  });

  it('the plain line for logs has everything on one line, without escapes', () => {
    const line = renderPlainLine(frame({ queued: [1, 2], done: 7, running: [{ id: 1, name: 'x', workerId: 1, startedAt: NOW }] }));
    assert.equal(line, 'tasklane hash: 12.3s elapsed, 7 done, 0 failed, 0 cancelled, 3 queued, 1 running, 385 tasks/s');
  });

  it('formats durations and measures the recent rate', () => {
    assert.deepEqual([formatDuration(900), formatDuration(65_000), formatDuration(3_725_000)], ['0.9s', '1m05s', '1h02m']);
    assert.equal(new RateMeter().sample(2000, 10), 5, 'a first sample gives the average since the start');
    const meter = new RateMeter(5000);
    assert.equal(meter.sample(0, 0), 0);
    assert.equal(meter.sample(1000, 10), 10);
    assert.equal(meter.sample(2000, 30), 15);
    // Older samples leave the window: the rate follows the current pace.
    meter.sample(8000, 30);
    assert.equal(meter.sample(9000, 130), 100 / 7);
  });
});

describe('progress output', { concurrency: true }, () => {
  it('picks live redraws for a TTY, plain lines otherwise, nothing with --quiet', () => {
    assert.equal(progressMode(false, { isTTY: true } as NodeJS.WriteStream), 'live');
    assert.equal(progressMode(false, { isTTY: false } as NodeJS.WriteStream), 'plain');
    assert.equal(progressMode(true, { isTTY: true } as NodeJS.WriteStream), 'off');
  });

  it('plain mode writes one whole line per interval, without escapes', async () => {
    const lines: string[] = [];
    let twoLines!: () => void;
    const written = new Promise<void>((resolve) => (twoLines = resolve));
    const stream = { isTTY: false, write: (text: string) => (lines.push(text), lines.length === 2 && twoLines(), true) };
    const progress = new Progress('plain', {
      label: 'tasklane test',
      stats: () => ({ queued: [1, 2], running: [], scheduled: 5, done: 2, failed: 0, cancelled: 0, inbox: 0 }),
      colors: new Chalk({ level: 3 }),
      startedAt: 0,
      stream: stream as unknown as NodeJS.WriteStream,
      plainIntervalMs: 10,
    });
    progress.start();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([written, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no progress lines within 30 s')), 30_000)))]);
    } finally {
      clearTimeout(timer);
      progress.stop();
    }
    for (const line of lines) assert.match(line, /^tasklane test: [\d.]+s elapsed, 2 done, 0 failed, 0 cancelled, 3 queued, 0 running, [\d.]+ tasks\/s\n$/);
    assert.doesNotMatch(lines.join(''), ANSI);
  });

  it('without a TTY: no redraws, no escapes, the summary at the end', async () => {
    const result = await runCli(['run', TASKS, 'slow', '6', '50', '-w', '2']);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr + result.stdout, ANSI);
    assert.equal(result.stderr.trim().split('\n').length, 1, `only the summary: ${result.stderr}`);
  });

  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  it('on a terminal (under script(1)): the status is redrawn in place and message lines stay whole', { skip: script.status !== 0 && 'script(1) from util-linux is not installed' }, () => {
    // 16 tasks of 150 ms on 2 workers: about 1.2 s, room for several 100 ms redraws.
    const command = `'${process.execPath}' '${BIN}' run '${TASKS}' slow 16 150 -w 2`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: cliEnv(), timeout: 30_000, input: '' });
    assert.equal(result.status, 0, result.stderr.toString());
    const output = result.stdout.toString();
    const frames = output.split('queued ').length - 1;
    assert.ok(frames >= 3, `at least 3 frames, got ${frames}`);
    assert.ok(output.includes('\u001b[1A\u001b[2K'), 'earlier frames are erased (cursor up, erase line)');
    assert.match(output.replace(/\u001b\[\d+m/g, ''), /tasklane run: 17 done, 0 failed/, 'the summary follows the last frame');
    // Each message is on a line of its own, never glued to a frame: strip the erase codes that precede it.
    const messages = output
      .split('\r\n')
      .map((line) => line.replace(/^(\u001b\[(2K|1A|G))+/, ''))
      .filter((line) => line.includes('paused #'));
    assert.equal(messages.length, 16);
    for (const line of messages) assert.match(line, /^paused #\d+$/);
    // The area is erased before a message is written, never after: a redraw must not wipe the message out.
    assert.doesNotMatch(output, /paused #\d+\r\n\u001b\[2K\u001b\[1A/);
  });
});
