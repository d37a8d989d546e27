import type { ChalkInstance } from 'chalk';
import type { CloseReport, ManagerStats, TaskError } from '../index.js';
import { toJsonText, toJsonValue } from './json-value.js';
import { formatCount, formatDuration, formatRate } from './status-frame.js';

/** What the end of a run knows, for the stderr summary, the `--json` summary line and summary.json. */
export interface RunOutcome {
  readonly command: string;
  readonly stats: ManagerStats;
  readonly report: CloseReport | undefined;
  readonly wallMs: number;
  readonly failures: readonly TaskError[];
  readonly signal: string | undefined;
  readonly exitCode: number;
  readonly logDirectory: string | undefined;
  /** The command's own result lines (e.g. "hashed 12 files, 1 unreadable") and fields. */
  readonly lines: readonly string[];
  readonly fields: Record<string, unknown>;
}

/** Failures listed in full; the rest are counted (they are all in tasks.jsonl with --log-dir). */
const SHOWN_FAILURES = 5;
const STACK_LINES = 5;

/** The final summary on stderr: counts, wall time, throughput, then each failure with its remote stack. */
export function renderSummary(outcome: RunOutcome, c: ChalkInstance): string {
  const { stats, report } = outcome;
  const finished = stats.done + stats.failed;
  const seconds = outcome.wallMs / 1000;
  const out = [
    `${c.bold(`tasklane ${outcome.command}:`)} ${c.green(`${formatCount(stats.done)} done`)}, ` +
      `${stats.failed > 0 ? c.red(`${formatCount(stats.failed)} failed`) : '0 failed'}, ${formatCount(stats.cancelled)} cancelled ` +
      `in ${formatDuration(outcome.wallMs)} (${formatRate(seconds > 0 ? finished / seconds : 0)} tasks/s)`,
  ];
  for (const line of outcome.lines) out.push(`  ${line}`);
  if (outcome.signal) out.push(c.yellow(`  stopped by ${outcome.signal} (close '${report?.policy ?? 'cancel'}')`));
  if (report && (report.notRun.length > 0 || report.interrupted.length > 0)) {
    const where = outcome.logDirectory ? `, listed in ${outcome.logDirectory}/not-run.jsonl` : '';
    out.push(`  ${report.notRun.length} not run${where}, ${report.interrupted.length} interrupted`);
  }
  for (const failure of outcome.failures.slice(0, SHOWN_FAILURES)) out.push(...describeFailure(failure, c));
  const shown = Math.min(outcome.failures.length, SHOWN_FAILURES);
  const unlisted = stats.failed - shown;
  if (unlisted > 0) {
    // Past the ones listed (and the library's first 1,000), the errors are in tasks.jsonl.
    const where = outcome.logDirectory ? `see ${outcome.logDirectory}/tasks.jsonl` : 'run with --log-dir to keep their errors';
    out.push(c.red(`  ${unlisted}${shown > 0 ? ' more' : ''} failed task${unlisted === 1 ? '' : 's'}: ${where}`));
  }
  return out.join('\n');
}

function describeFailure(failure: TaskError, c: ChalkInstance): string[] {
  const lines = [c.red(`✖ ${failure.message}`), c.dim(`    args: ${truncate(toJsonText(failure.args), 200)}`)];
  const frames = stackFrames(failure.remoteStack);
  for (const frame of frames) lines.push(c.dim(`    ${frame.trim()}`));
  return lines;
}

/** tasklane's own code (dist/) on the worker side: frames there say nothing about the user's task. */
const OWN_CODE = new URL('..', import.meta.url).href;

/** The first frames of a stack that are not tasklane's own; the first line (the message) is already shown. */
function stackFrames(stack: string): string[] {
  return stack
    .split('\n')
    .slice(1)
    .filter((frame) => !frame.includes(OWN_CODE))
    .slice(0, STACK_LINES);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The fields the CLI adds to summary.json and prints as the `--json` summary line. */
export function summaryFields(outcome: RunOutcome): Record<string, unknown> {
  return {
    command: outcome.command,
    exitCode: outcome.exitCode,
    signal: outcome.signal ?? null,
    wallMs: Math.round(outcome.wallMs),
    done: outcome.stats.done,
    failed: outcome.stats.failed,
    cancelled: outcome.stats.cancelled,
    notRun: outcome.report?.notRun.length ?? 0,
    interrupted: outcome.report?.interrupted.length ?? 0,
    failures: outcome.failures.map((failure) => ({
      task: failure.taskName,
      taskId: failure.taskId,
      args: toJsonValue(failure.args),
      message: failure.message,
      stack: [failure.remoteStack.split('\n')[0], ...stackFrames(failure.remoteStack)].join('\n'),
    })),
    ...outcome.fields,
  };
}
