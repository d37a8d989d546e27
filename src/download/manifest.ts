/**
 * The manifest: a JSON document listing files to download and further manifests to include.
 *
 * ```json
 * { "name": "example",
 *   "files": [ { "url": "data/a.bin", "path": "a.bin", "size": 1048576, "sha256": "<64 hex>", "decompress": "gzip" } ],
 *   "include": [ "part-2/index.json" ] }
 * ```
 * URLs are resolved against the manifest's own URL; paths are relative to the manifest's folder under the output
 * folder. An included manifest's folder is where it sits relative to the manifest that includes it (or the
 * `path` of an `{ "url", "path" }` include). Validation is all or nothing: a manifest with any bad field is
 * refused whole, with every problem listed by field.
 */
import { posix, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Decompress, PlannedFile, PlannedInclude } from './messages.js';
import { checkRelativePath, UnsafePathError, type PathOrigin } from './safe-path.js';

export class ManifestError extends Error {
  readonly code = 'EMANIFEST';
  readonly problems: readonly string[];

  constructor(manifest: string, problems: readonly string[]) {
    const shown = problems.slice(0, MAX_PROBLEMS);
    const more = problems.length > shown.length ? `\n  (and ${problems.length - shown.length} more)` : '';
    super(
      shown.length === 1
        ? `manifest ${manifest}: ${shown[0]}`
        : `manifest ${manifest} has ${problems.length} problems:\n  ${shown.join('\n  ')}${more}`,
    );
    this.name = 'ManifestError';
    this.problems = problems;
  }
}

const MAX_PROBLEMS = 10;
const TOP_FIELDS = new Set(['name', 'description', 'version', 'files', 'include']);
const FILE_FIELDS = new Set(['url', 'path', 'size', 'sha256', 'decompress']);
const INCLUDE_FIELDS = new Set(['url', 'path']);
const DECOMPRESS: readonly Decompress[] = ['gzip', 'brotli'];
const SHA256 = /^[0-9a-fA-F]{64}$/;

export interface ParsedManifest {
  readonly name?: string;
  readonly files: PlannedFile[];
  readonly includes: PlannedInclude[];
}

/** A manifest argument of the CLI (a path, a `file:` URL or an `http(s):` URL) as an absolute URL. */
export function manifestUrl(spec: string, cwd = process.cwd()): URL {
  if (/^(https?|file):/i.test(spec)) return new URL(spec);
  return pathToFileURL(resolve(cwd, spec));
}

/**
 * Validates a manifest's text and resolves it: URLs against `url`, paths under `folder`. Throws a ManifestError
 * listing every problem, each naming its field (`files[3].sha256`).
 */
export function parseManifest(text: string, url: string, folder: string): ParsedManifest {
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ManifestError(url, [`is not valid JSON: ${(error as Error).message}`]);
  }
  if (!isObject(data)) throw new ManifestError(url, [`must be a JSON object with "files" and/or "include", got ${kind(data)}`]);
  const problems: string[] = [];
  const base = new URL(url);
  unknownFields(data, TOP_FIELDS, '', problems);
  if (data.name !== undefined && typeof data.name !== 'string') problems.push(`name: expected a string, got ${kind(data.name)}`);
  const files: PlannedFile[] = [];
  const includes: PlannedInclude[] = [];
  const seen = new Map<string, string>();
  for (const [i, entry] of arrayField(data, 'files', problems).entries()) {
    const file = parseFile(entry, `files[${i}]`, base, folder, problems);
    if (!file) continue;
    const previous = seen.get(file.path);
    if (previous) problems.push(`files[${i}].path: ${JSON.stringify(file.path)} is also the path of ${previous}`);
    else seen.set(file.path, `files[${i}]`);
    files.push(file);
  }
  for (const [i, entry] of arrayField(data, 'include', problems).entries()) {
    const include = parseInclude(entry, `include[${i}]`, base, folder, problems);
    if (include) includes.push(include);
  }
  if (problems.length > 0) throw new ManifestError(url, problems);
  return { ...(typeof data.name === 'string' ? { name: data.name } : {}), files, includes };
}

function parseFile(entry: unknown, field: string, base: URL, folder: string, problems: string[]): PlannedFile | undefined {
  if (!isObject(entry)) {
    problems.push(`${field}: expected an object with "url" and "path", got ${kind(entry)}`);
    return undefined;
  }
  const before = problems.length;
  unknownFields(entry, FILE_FIELDS, field, problems);
  const url = resolveUrl(entry.url, `${field}.url`, base, problems);
  let path: string | undefined;
  const origin: PathOrigin = { manifest: base.href, field: `${field}.path` };
  if (entry.path === undefined && url) {
    const name = decodeSegment(posix.basename(url.pathname));
    if (name) path = guard(() => checkRelativePath(name, { ...origin, field: `${field}.url (file name)` }, false, folder), problems);
    else problems.push(`${field}.path: required, because the URL does not end with a file name`);
  } else if (typeof entry.path !== 'string') {
    if (entry.path !== undefined) problems.push(`${field}.path: expected a string, got ${kind(entry.path)}`);
  } else {
    path = guard(() => checkRelativePath(entry.path as string, origin, false, folder), problems);
  }
  const { size, sha256, decompress } = entry;
  if (size !== undefined && !(Number.isSafeInteger(size) && (size as number) >= 0)) {
    problems.push(`${field}.size: expected a whole number of bytes (0 or more), got ${JSON.stringify(size)}`);
  }
  if (sha256 !== undefined && !(typeof sha256 === 'string' && SHA256.test(sha256))) {
    problems.push(`${field}.sha256: expected 64 hexadecimal digits, got ${JSON.stringify(sha256)}`);
  }
  if (decompress !== undefined && !DECOMPRESS.includes(decompress as Decompress)) {
    problems.push(`${field}.decompress: expected one of ${DECOMPRESS.map((d) => `"${d}"`).join(', ')}, got ${JSON.stringify(decompress)}`);
  }
  if (problems.length > before || !url || path === undefined) return undefined;
  return {
    url: url.href,
    path,
    ...(size === undefined ? {} : { size: size as number }),
    ...(sha256 === undefined ? {} : { sha256: (sha256 as string).toLowerCase() }),
    ...(decompress === undefined ? {} : { decompress: decompress as Decompress }),
    manifest: base.href,
    field,
  };
}

function parseInclude(entry: unknown, field: string, base: URL, folder: string, problems: string[]): PlannedInclude | undefined {
  const object = isObject(entry) ? entry : undefined;
  if (!object && typeof entry !== 'string') {
    problems.push(`${field}: expected a URL string or { "url", "path" }, got ${kind(entry)}`);
    return undefined;
  }
  if (object) unknownFields(object, INCLUDE_FIELDS, field, problems);
  const urlField = object ? `${field}.url` : field;
  const url = resolveUrl(object ? object.url : entry, urlField, base, problems);
  if (!url) return undefined;
  const origin: PathOrigin = { manifest: base.href, field: object ? `${field}.path` : field };
  let target: string | undefined;
  if (object && object.path !== undefined) {
    if (typeof object.path !== 'string') problems.push(`${field}.path: expected a string, got ${kind(object.path)}`);
    else target = guard(() => checkRelativePath(object.path as string, origin, true, folder), problems);
  } else {
    const relative = relativeFolder(base, url);
    if (relative === undefined) {
      problems.push(
        `${urlField}: ${url.href} is on another server than this manifest, so its folder under the output folder is unknown; ` +
          'give it as { "url": ..., "path": "<folder>" }',
      );
    } else {
      target = guard(() => checkRelativePath(relative, origin, true, folder), problems);
    }
  }
  return target === undefined ? undefined : { url: url.href, folder: target, manifest: base.href, field };
}

/** Where `url`'s folder is relative to `base`'s, for URLs on the same server; undefined across servers. */
function relativeFolder(base: URL, url: URL): string | undefined {
  if (base.protocol !== url.protocol || base.host !== url.host) return undefined;
  const from = posix.dirname(decodeSegment(base.pathname) ?? base.pathname);
  const to = posix.dirname(decodeSegment(url.pathname) ?? url.pathname);
  return posix.relative(from, to);
}

function resolveUrl(value: unknown, field: string, base: URL, problems: string[]): URL | undefined {
  if (typeof value !== 'string' || value === '') {
    problems.push(`${field}: expected a URL (a non-empty string), got ${kind(value)}`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    problems.push(`${field}: ${JSON.stringify(value)} is not a valid URL`);
    return undefined;
  }
  if (url.protocol === 'file:' && base.protocol !== 'file:') {
    problems.push(`${field}: ${url.href}: a manifest fetched from ${base.protocol}// may not read local files`);
    return undefined;
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) {
    problems.push(`${field}: ${url.href}: unsupported scheme ${url.protocol} (http, https and file are)`);
    return undefined;
  }
  url.hash = '';
  return url;
}

function arrayField(data: Record<string, unknown>, name: string, problems: string[]): unknown[] {
  const value = data[name];
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  problems.push(`${name}: expected an array, got ${kind(value)}`);
  return [];
}

/** Unknown fields are refused (a typo such as "sha265" would silently skip the check); `x-` ones are free. */
function unknownFields(data: Record<string, unknown>, known: Set<string>, field: string, problems: string[]): void {
  for (const key of Object.keys(data)) {
    if (!known.has(key) && !key.startsWith('x-')) {
      problems.push(`${field ? `${field}.` : ''}${key}: unknown field (known: ${[...known].join(', ')}; prefix your own with "x-")`);
    }
  }
}

function guard<T>(fn: () => T, problems: string[]): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof UnsafePathError)) throw error;
    problems.push(error.detail);
    return undefined;
  }
}

function decodeSegment(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return typeof value === 'undefined' ? 'nothing' : `${typeof value} ${String(value)}`;
}
