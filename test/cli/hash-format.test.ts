import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCheckList } from '../../src/cli/check-list.js';
import { checkName, hashLine, joinPath, unescapeName } from '../../src/cli/hash-format.js';

const D = 'ab'.repeat(32);
const b = (text: string): Buffer => Buffer.from(text);

describe('sha256sum line format', () => {
  it('plain names as they are, two spaces after the digest', () => {
    assert.equal(hashLine(D, b('dir/with space.txt')).toString(), `${D}  dir/with space.txt\n`);
  });

  it('backslash, newline and CR escaped, with a leading backslash, as coreutils 9 does', () => {
    assert.equal(hashLine(D, b('a\\b')).toString(), `\\${D}  a\\\\b\n`);
    assert.equal(hashLine(D, b('a\nb')).toString(), `\\${D}  a\\nb\n`);
    assert.equal(hashLine(D, b('a\rb')).toString(), `\\${D}  a\\rb\n`);
  });

  it('sha256sum -c escapes a reported name only when it holds a newline', () => {
    assert.equal(checkName(b('a\\b')).toString(), 'a\\b');
    assert.equal(checkName(b('a\rb')).toString(), 'a\rb');
    assert.equal(checkName(b('a\\b\nc')).toString(), '\\a\\\\b\\nc');
  });

  it('unescape inverts escape and refuses unknown escapes', () => {
    assert.equal(unescapeName(b('a\\\\b\\nc\\rd'))!.toString(), 'a\\b\nc\rd');
    assert.equal(unescapeName(b('bad\\t')), undefined);
    assert.equal(unescapeName(b('trailing\\')), undefined);
  });

  it('joins like find: no doubled slash, bytes kept', () => {
    assert.equal(joinPath(b('.'), b('x')).toString(), './x');
    assert.equal(joinPath(b('t/'), b('x')).toString(), 't/x');
    assert.deepEqual(joinPath(b('t'), Buffer.from([0xff])), Buffer.from([0x74, 0x2f, 0xff]));
  });
});

describe('checksum list parsing', () => {
  it('reads the GNU, binary-mode, single-space and BSD tag forms, and escaped names', () => {
    const list = parseCheckList(
      b(
        [`${D}  plain name`, `${D} *binary`, `${D} single`, `SHA256 (tagged (x)) = ${D}`, `\\${D}  new\\nline`, `${D.toUpperCase()}  upper`].join('\n'),
      ),
    );
    assert.equal(list.malformed, 0);
    assert.deepEqual(
      list.entries.map((e) => [e.line, e.path.toString(), e.expected]),
      [
        [1, 'plain name', D],
        [2, 'binary', D],
        [3, 'single', D],
        [4, 'tagged (x)', D],
        [5, 'new\nline', D],
        [6, 'upper', D],
      ],
    );
  });

  it('skips blank lines, comments and leading blanks; strips a CRLF ending; counts malformed lines', () => {
    const list = parseCheckList(b(`\n# a comment\n   ${D}  indented\r\n${D}  crlf\r\nnot a line\n${D.slice(2)}  short\n\\${D}  bad\\escape\n${D}  \n`));
    assert.deepEqual(list.entries.map((e) => e.path.toString()), ['indented', 'crlf']);
    assert.equal(list.malformed, 4);
  });
});
