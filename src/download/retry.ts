/**
 * Which failures are worth another attempt, and how long to wait: exponential backoff with jitter, or what the
 * server asked for with `Retry-After`.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** An HTTP answer that is not the one we asked for. */
export class HttpStatusError extends Error {
  readonly status: number;
  /** From `Retry-After`, in ms, when the server sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(url: string, status: number, statusText: string, retryAfterMs?: number) {
    super(`${url}: HTTP ${status}${statusText ? ` ${statusText}` : ''}`);
    this.name = 'HttpStatusError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Statuses worth another attempt: timeouts, rate limits and server errors. Other 4xx fail at once. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** Network-level failures: the connection broke, timed out or could not be made. */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'HPE_INVALID_CONSTANT',
  'EPARTIAL',
]);

/** True for a failure that another attempt may fix. An abort never is. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof HttpStatusError) return isRetryableStatus(error.status);
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    if (current.name === 'AbortError') return false;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
    current = current.cause;
  }
  return false;
}

/** The longest `Retry-After` honoured; a server asking for more gets this. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** `Retry-After` as ms: delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

export interface BackoffOptions {
  /** The delay before the first retry, before jitter. */
  readonly baseMs: number;
  readonly maxMs: number;
  /** In [0, 1): `Math.random` unless a test fixes it. */
  readonly random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000, random: Math.random };

/**
 * The wait before retry number `attempt` (1 for the first retry): `base * 2^(attempt-1)` capped at `max`, of
 * which a random half is taken off ("equal jitter"), so that workers failing together do not retry together.
 * A server's `Retry-After` replaces it.
 */
export function retryDelay(attempt: number, error: unknown, options: BackoffOptions = DEFAULT_BACKOFF): number {
  if (error instanceof HttpStatusError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exponential / 2 + (exponential / 2) * options.random());
}

export interface RetryOptions {
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly signal: AbortSignal;
  /** Told before each wait; may be async (a message to the manager). */
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void | Promise<void>;
  readonly backoff?: BackoffOptions;
}

/** Runs `attempt` until it succeeds, fails with something not retryable, or the retries are used up. */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      options.signal.throwIfAborted();
      if (n > options.retries || !isRetryable(error)) {
        if (n > 1 && error instanceof Error) error.message += ` (after ${n} attempts)`;
        throw error;
      }
      const delay = retryDelay(n, error, options.backoff);
      await options.onRetry?.(n, delay, error);
      await sleep(delay, undefined, { signal: options.signal });
    }
  }
}

/** The downloader's own error codes: their messages say it all. */
const OWN_CODES = new Set(['EVERIFY', 'EMANIFEST', 'EUNSAFEPATH', 'EDECOMPRESS', 'EPARTIAL']);

/** One line for a failure: the error's message, and its code when it is a system or undici one. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !OWN_CODES.has(code) && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
