import { unescapeName } from './hash-format.js';

/** One well-formed line of a checksum list. */
export interface CheckEntry {
  readonly line: number;
  readonly path: Buffer;
  /** Lower-case hex. */
  readonly expected: string;
}

export interface CheckList {
  readonly entries: CheckEntry[];
  /** Lines that were neither entries, comments nor blank (sha256sum's "improperly formatted"). */
  readonly malformed: number;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;
const TAG = Buffer.from('SHA256 (');
const TAG_END = Buffer.from(') = ');

/**
 * Parses a list as `sha256sum -c` reads it: `<hex>  <name>`, `<hex> *<name>` (binary mode, same digest),
 * `<hex> <name>`, and the BSD `SHA256 (<name>) = <hex>` of `--tag`; a leading backslash marks an escaped name.
 * Leading blanks, a trailing CR (a list saved with CRLF), blank lines and `#` comments are tolerated.
 */
export function parseCheckList(data: Buffer): CheckList {
  const entries: CheckEntry[] = [];
  let malformed = 0;
  let start = 0;
  let line = 0;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    if (end === -1) end = data.length;
    line++;
    const result = parseLine(data.subarray(start, end));
    if (result === 'malformed') malformed++;
    else if (result) entries.push({ line, ...result });
    start = end + 1;
  }
  return { entries, malformed };
}

type Parsed = { path: Buffer; expected: string } | 'malformed' | undefined;

function parseLine(raw: Buffer): Parsed {
  let text = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, -1) : raw;
  let i = 0;
  while (text[i] === 0x20 || text[i] === 0x09) i++;
  if (i === text.length || text[i] === 0x23 /* # */) return undefined;
  const escaped = text[i] === 0x5c;
  if (escaped) i++;
  text = text.subarray(i);
  const parsed = text.subarray(0, TAG.length).equals(TAG) ? parseTagged(text) : parseGnu(text);
  if (!parsed || parsed.name.length === 0) return 'malformed';
  const path = escaped ? unescapeName(parsed.name) : parsed.name;
  return path ? { path, expected: parsed.hex.toLowerCase() } : 'malformed';
}

function parseGnu(text: Buffer): { name: Buffer; hex: string } | undefined {
  const hex = text.subarray(0, 64).toString('latin1');
  if (!HEX64.test(hex) || text[64] !== 0x20) return undefined;
  const mode = text[65];
  return { hex, name: text.subarray(mode === 0x20 || mode === 0x2a ? 66 : 65) };
}

function parseTagged(text: Buffer): { name: Buffer; hex: string } | undefined {
  const end = text.lastIndexOf(TAG_END);
  if (end < TAG.length) return undefined;
  const hex = text.subarray(end + TAG_END.length).toString('latin1');
  return HEX64.test(hex) ? { hex, name: text.subarray(TAG.length, end) } : undefined;
}
