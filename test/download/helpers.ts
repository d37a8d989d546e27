/**
 * Helpers for the download tests: a real HTTP server on 127.0.0.1 serving generated files, with faults on
 * demand, counting the body bytes it sends per path; a CLI runner; and small file utilities.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ROOT, startCli as startAnyCli, type Cli, type CliResult } from '../cli/helpers.js';

export { BIN, ROOT, killAll, tempDir, type Cli, type CliResult } from '../cli/helpers.js';

export interface Behaviour {
  /** Answer 200 with the whole body even to a Range request. */
  ignoreRange?: boolean;
  /** Send this many body bytes, then destroy the socket; `dropTimes` times (default 1). */
  dropAfter?: number;
  dropTimes?: number;
  /** Answer `status` (with `retryAfter` as Retry-After) to the next `statusTimes` requests (default: all). */
  status?: number;
  statusTimes?: number;
  retryAfter?: string;
  /** Send this many body bytes, then wait for `release(path)`. */
  holdAfter?: number;
  /** Answer 302 to this other served path. */
  redirectTo?: string;
}

interface Entry {
  body: Buffer;
  behaviour: Behaviour;
  release?: () => void;
}

export interface RequestRecord {
  readonly path: string;
  /** Which connection carried it: 1 for the server's first, and so on. */
  readonly connection: number;
  readonly range: string | undefined;
  readonly status: number;
  readonly at: number;
}

export class TestServer extends EventEmitter {
  readonly #files = new Map<string, Entry>();
  readonly #sockets = new Set<Socket>();
  readonly #socketIds = new WeakMap<Socket, number>();
  readonly bytesSent = new Map<string, number>();
  readonly requests: RequestRecord[] = [];
  connections = 0;
  /** Responses begun and not yet closed. */
  inFlight = 0;
  #socketCount = 0;
  #server: Server | undefined;
  #base = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('connection', (socket: Socket) => {
      this.connections++;
      this.#socketIds.set(socket, ++this.#socketCount);
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const entry of this.#files.values()) entry.release?.();
    for (const socket of this.#sockets) socket.destroy();
    if (this.#server) await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }

  url(path: string): string {
    return `${this.#base}/${path}`;
  }

  /** Serves `body` at `/path`. */
  serve(path: string, body: Buffer | string, behaviour: Behaviour = {}): Buffer {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    this.#files.set(path, { body: bytes, behaviour: { ...behaviour } });
    return bytes;
  }

  serveJson(path: string, value: unknown): void {
    this.serve(path, JSON.stringify(value, null, 1));
  }

  behave(path: string, behaviour: Behaviour): void {
    const entry = this.#files.get(path);
    if (!entry) throw new Error(`not served: ${path}`);
    entry.release?.();
    entry.behaviour = { ...behaviour };
  }

  /** Lets a held response go on. */
  release(path: string): void {
    this.#files.get(path)?.release?.();
  }

  sent(path: string): number {
    return this.bytesSent.get(path) ?? 0;
  }

  requestsFor(path: string): RequestRecord[] {
    return this.requests.filter((r) => r.path === path);
  }

  resetCounts(): void {
    this.bytesSent.clear();
    this.requests.length = 0;
    this.connections = 0;
  }

  /** Resolves once `path` has sent at least `bytes` body bytes in this count; rejects after `timeoutMs`. */
  waitForSent(path: string, bytes: number, timeoutMs = 15_000): Promise<void> {
    return waitUntil(this, 'sent', () => this.sent(path) >= bytes, timeoutMs, `${path} to send ${bytes} bytes (sent ${this.sent(path)})`);
  }

  /** Resolves once no response is in flight (a client's abort has reached the server). */
  waitForIdle(timeoutMs = 10_000): Promise<void> {
    return waitUntil(this, 'closed', () => this.inFlight === 0, timeoutMs, `the server's responses to close (${this.inFlight} open)`);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    res.on('close', () => {
      this.inFlight--;
      this.emit('closed');
    });
    const path = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]!);
    const entry = this.#files.get(path);
    const range = req.headers.range;
    const record = (status: number): void => {
      this.requests.push({ path, range, status, at: Date.now(), connection: this.#socketIds.get(req.socket) ?? 0 });
      this.emit('request');
    };
    if (!entry) {
      record(404);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const b = entry.behaviour;
    if (b.status !== undefined && (b.statusTimes === undefined || b.statusTimes > 0)) {
      if (b.statusTimes !== undefined) b.statusTimes--;
      record(b.status);
      res.writeHead(b.status, { 'content-type': 'text/plain', ...(b.retryAfter ? { 'retry-after': b.retryAfter } : {}) }).end(`status ${b.status}`);
      return;
    }
    if (b.redirectTo !== undefined) {
      record(302);
      res.writeHead(302, { location: `/${b.redirectTo}` }).end();
      return;
    }
    let start = 0;
    const match = range && !b.ignoreRange ? /^bytes=(\d+)-$/.exec(range) : null;
    if (match) {
      start = Number(match[1]);
      if (start >= entry.body.length) {
        record(416);
        res.writeHead(416, { 'content-range': `bytes */${entry.body.length}` }).end();
        return;
      }
    }
    const status = match ? 206 : 200;
    record(status);
    res.writeHead(status, {
      'content-type': 'application/octet-stream',
      'content-length': entry.body.length - start,
      ...(match ? { 'content-range': `bytes ${start}-${entry.body.length - 1}/${entry.body.length}` } : {}),
    });
    const body = entry.body.subarray(start);
    const dropping = b.dropAfter !== undefined && (b.dropTimes ?? 1) > 0;
    if (dropping) b.dropTimes = (b.dropTimes ?? 1) - 1;
    const stopAt = dropping ? b.dropAfter! : b.holdAfter !== undefined ? b.holdAfter : body.length;
    await this.#write(res, path, body.subarray(0, Math.min(stopAt, body.length)));
    if (dropping) {
      await new Promise((resolve) => setTimeout(resolve, 20)); // let the bytes leave before the reset
      req.socket.destroy();
      return;
    }
    if (b.holdAfter !== undefined && stopAt < body.length) {
      await new Promise<void>((resolve) => {
        entry.release = resolve;
        res.on('close', resolve);
        this.emit('held', path);
      });
      entry.release = undefined;
      if (res.destroyed) return;
      await this.#write(res, path, body.subarray(stopAt));
    }
    res.end();
  }

  async #write(res: ServerResponse, path: string, data: Buffer): Promise<void> {
    for (let i = 0; i < data.length && !res.destroyed; i += 64 * 1024) {
      const chunk = data.subarray(i, i + 64 * 1024);
      const ok = res.write(chunk);
      this.bytesSent.set(path, this.sent(path) + chunk.length);
      this.emit('sent', path);
      if (!ok) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  }
}

/** Resolves when `check()` holds, re-checking on each `event`; rejects with `what` after `timeoutMs`. */
export function waitUntil(emitter: EventEmitter, event: string, check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const listener = (): void => {
      if (!check()) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off(event, listener);
    };
    emitter.on(event, listener);
  });
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic-length random content. */
export function content(size: number): Buffer {
  return randomBytes(size);
}

/**
 * The CLI runner of test/cli/helpers.ts, with `download` put first: each run is its own process group, killed in
 * `after` hooks by `killAll()`.
 */
export function startCli(args: string[], cwd = ROOT): Cli {
  return startAnyCli(['download', ...args], { cwd });
}

export function runCli(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return startCli(args, options.cwd).result(options.timeoutMs ?? 45_000);
}

/** The `--json` lines of a run, parsed. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
