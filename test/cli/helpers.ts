import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'tasklane.js');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'cli');
export const TASKS = join(FIXTURES, 'tasks.js');

/** Matches any ANSI escape sequence (CSI or a lone ESC). */
export const ANSI = /\u001b/;

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

/** The environment for the CLI: no color forcing or disabling inherited from whoever runs the tests. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  delete env.NODE_OPTIONS;
  return { ...env, ...extra };
}

export interface StartOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  readonly input?: string | Buffer;
}

/** A running CLI: its own process group (so we can check nothing of it is left) and waits on its output. */
export class Cli {
  readonly child: ChildProcess;
  readonly exited: Promise<CliResult>;
  #stdout: Buffer[] = [];
  #stderr: Buffer[] = [];
  #listeners = new Set<() => void>();

  constructor(args: string[], options: StartOptions = {}) {
    this.child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cliEnv(options.env),
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => this.#push(this.#stdout, chunk));
    this.child.stderr!.on('data', (chunk: Buffer) => this.#push(this.#stderr, chunk));
    this.child.stdin!.end(options.input ?? '');
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) =>
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr, stdoutBytes: Buffer.concat(this.#stdout) }),
      );
    });
  }

  get stdout(): string {
    return Buffer.concat(this.#stdout).toString();
  }

  get stderr(): string {
    return Buffer.concat(this.#stderr).toString();
  }

  /** Resolves when `pattern` appears on the stream; rejects after `timeoutMs` or if the process exits first. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pattern.test(stream === 'stdout' ? this.stdout : this.stderr)) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern} on ${stream}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(check);
      };
      this.#listeners.add(check);
      void this.exited.then(() => {
        if (!this.#listeners.has(check)) return;
        done();
        reject(new Error(`exited before ${pattern} appeared on ${stream}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
      });
      check();
    });
  }

  /** Waits for the exit, killing the whole group if it takes longer than `timeoutMs`. */
  async result(timeoutMs = 30_000): Promise<CliResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill();
        reject(new Error(`the CLI did not exit within ${timeoutMs} ms\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** True while any process of the CLI's group exists. */
  groupAlive(): boolean {
    try {
      process.kill(-this.child.pid!, 0);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw error;
    }
  }

  /** For after hooks: SIGKILL the group, whatever state it is in. */
  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  #push(target: Buffer[], chunk: Buffer): void {
    target.push(chunk);
    for (const listener of [...this.#listeners]) listener();
  }
}

/** Every CLI a test file started, to kill in its `after` hook. */
const started = new Set<Cli>();

export function startCli(args: string[], options?: StartOptions): Cli {
  const cli = new Cli(args, options);
  started.add(cli);
  return cli;
}

export function runCli(args: string[], options?: StartOptions & { timeoutMs?: number }): Promise<CliResult> {
  return startCli(args, options).result(options?.timeoutMs);
}

export function killAll(): void {
  for (const cli of started) cli.kill();
  started.clear();
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `tasklane-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
