/**
 * Each worker's HTTP client: one undici Agent with keep-alive (a connection pool per origin, reused by every
 * task of the worker), made by the task module's `createSession()` and closed by `closeSession()`. Also reads
 * `file:` URLs the same way, so a local manifest and local mirrors behave like a server that honours Range.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
// Types only: undici itself is imported by createHttpSession(), in the workers, so the main thread (which
// imports the task module for its task factories) does not pay for loading it.
import type { Agent, Dispatcher } from 'undici';
import { HttpStatusError, parseRetryAfter } from './retry.js';

type Undici = typeof import('undici');

export interface HttpSession {
  readonly undici: Undici;
  /** One dispatcher per timeout value (in practice one: every task of a run uses the same `--timeout`). */
  readonly dispatchers: Map<number, Dispatcher>;
  readonly agents: Agent[];
}

export const USER_AGENT = 'tasklane-download';
const MAX_REDIRECTIONS = 5;

export async function createHttpSession(): Promise<HttpSession> {
  return { undici: await import('undici'), dispatchers: new Map(), agents: [] };
}

export async function closeHttpSession(session: HttpSession): Promise<void> {
  const agents = session.agents.splice(0);
  session.dispatchers.clear();
  await Promise.all(agents.map((agent) => agent.close().catch(() => agent.destroy())));
}

function dispatcherFor(session: HttpSession, timeoutMs: number): Dispatcher {
  let dispatcher = session.dispatchers.get(timeoutMs);
  if (!dispatcher) {
    const { Agent, interceptors } = session.undici;
    const agent = new Agent({
      connectTimeout: timeoutMs,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
    });
    session.agents.push(agent);
    dispatcher = agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }));
    session.dispatchers.set(timeoutMs, dispatcher);
  }
  return dispatcher;
}

/** A response, from HTTP or from a file, reduced to what a download needs. */
export interface SourceResponse {
  readonly status: number;
  readonly statusText: string;
  /** The body length of this response, when known. */
  readonly contentLength: number | undefined;
  readonly contentRange: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly body: Readable;
  /** Reads and drops the rest of the body, so the connection can be reused (or closes it). */
  discard(): Promise<void>;
}

export interface OpenOptions {
  /** Ask for the bytes from here on (`Range: bytes=<offset>-`). */
  readonly offset: number;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

/** Opens `url` (http, https or file). Network failures throw; any HTTP status is returned for the caller. */
export async function openSource(session: HttpSession, url: string, options: OpenOptions): Promise<SourceResponse> {
  const parsed = new URL(url);
  if (parsed.protocol === 'file:') return openFile(parsed, options);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${url}: unsupported URL scheme ${parsed.protocol}`);
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity' };
  if (options.offset > 0) headers.range = `bytes=${options.offset}-`;
  const response = await session.undici.request(parsed, {
    dispatcher: dispatcherFor(session, options.timeoutMs),
    method: 'GET',
    headers,
    signal: options.signal,
  });
  const header = (name: string): string | undefined => {
    const value = response.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const length = header('content-length');
  return {
    status: response.statusCode,
    statusText: response.statusText ?? '',
    contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
    contentRange: header('content-range'),
    retryAfterMs: parseRetryAfter(header('retry-after')),
    body: response.body,
    discard: () => response.body.dump({ limit: 256 * 1024 }).catch(() => undefined),
  };
}

async function openFile(url: URL, options: OpenOptions): Promise<SourceResponse> {
  const path = fileURLToPath(url);
  options.signal.throwIfAborted();
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${url.href}: not a regular file`);
  const empty = (status: number, contentRange?: string): SourceResponse => {
    const body = Readable.from([]);
    return { status, statusText: '', contentLength: 0, contentRange, retryAfterMs: undefined, body, discard: async () => void body.destroy() };
  };
  if (options.offset > info.size) return empty(416, `bytes */${info.size}`);
  if (options.offset === info.size && options.offset > 0) return empty(416, `bytes */${info.size}`);
  const body = createReadStream(path, { start: options.offset, highWaterMark: 256 * 1024, signal: options.signal });
  const partial = options.offset > 0;
  return {
    status: partial ? 206 : 200,
    statusText: '',
    contentLength: info.size - options.offset,
    contentRange: partial ? `bytes ${options.offset}-${info.size - 1}/${info.size}` : undefined,
    retryAfterMs: undefined,
    body,
    discard: async () => void body.destroy(),
  };
}

/** The most a manifest may weigh: it is parsed in memory, unlike the files it lists. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Reads a whole manifest as text; a status other than 200 is an HttpStatusError. */
export async function readText(session: HttpSession, url: string, signal: AbortSignal, timeoutMs: number): Promise<string> {
  const response = await openSource(session, url, { offset: 0, signal, timeoutMs });
  if (response.status !== 200) {
    await response.discard();
    throw new HttpStatusError(url, response.status, response.statusText, response.retryAfterMs);
  }
  if (response.contentLength !== undefined && response.contentLength > MAX_MANIFEST_BYTES) {
    await response.discard();
    throw new Error(`${url}: the manifest is ${response.contentLength} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest may have`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_MANIFEST_BYTES) {
      response.body.destroy();
      throw new Error(`${url}: the manifest is more than the ${MAX_MANIFEST_BYTES} bytes a manifest may have`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
