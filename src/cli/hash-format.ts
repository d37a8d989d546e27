/**
 * The GNU sha256sum text formats (coreutils 9), byte for byte. Paths are bytes (Buffers), not strings, so names
 * that are not valid UTF-8 survive and sort as `LC_ALL=C sort` sorts them.
 *
 * A name containing a backslash, a newline or a carriage return is written escaped (`\\`, `\n`, `\r`) and its line
 * starts with a backslash. `sha256sum -c` reports escape only names that contain a newline.
 */

const BACKSLASH = 0x5c;
const LF = 0x0a;
const CR = 0x0d;

/** `<64 hex>  <path>\n`, escaped as sha256sum escapes it. */
export function hashLine(digest: string, path: Buffer): Buffer {
  const escape = needsEscape(path, true);
  return Buffer.concat([Buffer.from(`${escape ? '\\' : ''}${digest}  `), escape ? escapeName(path) : path, NEWLINE]);
}

/** The name as `sha256sum -c` prints it before `: OK`. */
export function checkName(path: Buffer): Buffer {
  return needsEscape(path, false) ? Buffer.concat([Buffer.from('\\'), escapeName(path)]) : path;
}

const NEWLINE = Buffer.from('\n');

function needsEscape(path: Buffer, anySpecial: boolean): boolean {
  return path.includes(LF) || (anySpecial && (path.includes(BACKSLASH) || path.includes(CR)));
}

function escapeName(path: Buffer): Buffer {
  const out: number[] = [];
  for (const byte of path) {
    if (byte === BACKSLASH) out.push(BACKSLASH, BACKSLASH);
    else if (byte === LF) out.push(BACKSLASH, 0x6e);
    else if (byte === CR) out.push(BACKSLASH, 0x72);
    else out.push(byte);
  }
  return Buffer.from(out);
}

/** The inverse of escapeName; undefined for an escape sha256sum would not write (a malformed line). */
export function unescapeName(name: Buffer): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const byte = name[i]!;
    if (byte !== BACKSLASH) {
      out.push(byte);
      continue;
    }
    const next = name[++i];
    if (next === BACKSLASH) out.push(BACKSLASH);
    else if (next === 0x6e) out.push(LF);
    else if (next === 0x72) out.push(CR);
    else return undefined;
  }
  return Buffer.from(out);
}

/** Joins a directory and an entry name as `find` prints them: `dir/name`, without doubling a trailing slash. */
export function joinPath(dir: Uint8Array, name: Uint8Array): Buffer {
  const slash = dir.length > 0 && dir[dir.length - 1] === 0x2f;
  return Buffer.concat(slash ? [dir, name] : [dir, Buffer.from('/'), name]);
}

/** A Buffer view of bytes that crossed the thread boundary (msgpack may hand back a plain Uint8Array). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
