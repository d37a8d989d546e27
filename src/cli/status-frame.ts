import type { ChalkInstance } from 'chalk';
import type { ManagerStats } from '../index.js';

/** Everything one status frame shows: the manager's stats plus the clock and the measured rate. */
export interface FrameInput {
  readonly label: string;
  readonly stats: ManagerStats;
  readonly elapsedMs: number;
  /** Finished tasks per second, recently. */
  readonly rate: number;
  /** Epoch ms, to age the running tasks. */
  readonly now: number;
}

/** How many running tasks the frame names; the rest are counted. */
const SHOWN_RUNNING = 3;
const NAME_WIDTH = 24;

/** The live status area for a TTY: three lines, pure so that tests can render a frame without a terminal. */
export function renderFrame(input: FrameInput, c: ChalkInstance): string {
  const { stats } = input;
  const head = [
    c.bold(input.label),
    c.dim(formatDuration(input.elapsedMs)),
    `${c.green(formatCount(stats.done))} done`,
    `${stats.failed > 0 ? c.red(formatCount(stats.failed)) : '0'} failed`,
    `${formatCount(stats.cancelled)} cancelled`,
    c.cyan(`${formatRate(input.rate)} tasks/s`),
  ].join('  ');
  const queued = stats.queued.map((n, p) => `p${p} ${formatCount(n)}`).join('  ');
  // A growing inbox means the reader (stdout) is the bottleneck, not the workers.
  const inbox = stats.inbox > 0 ? `   ${c.dim('inbox')} ${formatCount(stats.inbox)}` : '';
  return [head, `${c.dim('queued ')}  ${queued}${inbox}`, `${c.dim('running')}  ${describeRunning(input, c)}`].join('\n');
}

/** One line for logs that are not a terminal (CI): no colors, no redraws. */
export function renderPlainLine(input: FrameInput): string {
  const { stats } = input;
  const queued = stats.queued.reduce((a, b) => a + b, 0);
  return (
    `${input.label}: ${formatDuration(input.elapsedMs)} elapsed, ${stats.done} done, ${stats.failed} failed, ` +
    `${stats.cancelled} cancelled, ${queued} queued, ${stats.running.length} running, ${formatRate(input.rate)} tasks/s`
  );
}

function describeRunning(input: FrameInput, c: ChalkInstance): string {
  const running = [...input.stats.running].sort((a, b) => a.startedAt - b.startedAt);
  if (running.length === 0) return 'none';
  const shown = running.slice(0, SHOWN_RUNNING).map((task) => {
    const name = task.name.length > NAME_WIDTH ? `${task.name.slice(0, NAME_WIDTH - 1)}…` : task.name;
    return `${name} ${c.yellow(formatDuration(Math.max(0, input.now - task.startedAt)))}`;
  });
  const more = running.length > SHOWN_RUNNING ? `, +${running.length - SHOWN_RUNNING} more` : '';
  return `${running.length}: ${shown.join(', ')}${more}`;
}

export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatRate(rate: number): string {
  return rate >= 100 ? formatCount(Math.round(rate)) : rate.toFixed(1);
}

/** Tasks per second over the last few seconds, so the figure follows the pipeline's current pace. */
export class RateMeter {
  /** Starts at (0, 0): `at` counts from the start of the run, so a first sample gives the average so far. */
  readonly #samples: Array<{ at: number; finished: number }> = [{ at: 0, finished: 0 }];

  constructor(private readonly windowMs = 5000) {}

  /** Records the finished count at time `at` (ms) and returns the rate over the window. */
  sample(at: number, finished: number): number {
    this.#samples.push({ at, finished });
    while (this.#samples.length > 2 && at - this.#samples[1]!.at >= this.windowMs) this.#samples.shift();
    const oldest = this.#samples[0]!;
    const span = at - oldest.at;
    return span > 0 ? ((finished - oldest.finished) * 1000) / span : 0;
  }
}
