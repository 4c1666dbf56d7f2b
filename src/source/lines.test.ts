import { test } from 'node:test';
import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { doubledCr, lineIndexAt, lineStarts, lineText } from './index.js';

test('lineStarts splits on \\r\\n, lone \\r and \\n', () => {
  assert.deepEqual(lineStarts(''), [0]);
  assert.deepEqual(lineStarts('a\nb'), [0, 2]);
  assert.deepEqual(lineStarts('a\r\nb\rc\nd'), [0, 3, 5, 7]);
  assert.deepEqual(lineStarts('\r\n\r\n'), [0, 2, 4]);
});

test('lineText drops the terminator and lineIndexAt finds the line of an offset', () => {
  const text = 'one\r\ntwo\rthree\n';
  const starts = lineStarts(text);
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => lineText(text, starts, i)),
    ['one', 'two', 'three', ''],
  );
  assert.equal(lineIndexAt(starts, 0), 0);
  assert.equal(lineIndexAt(starts, 5), 1);
  assert.equal(lineIndexAt(starts, 9), 2);
});

test("a markdown-it token's map line points at the same line of the original text", () => {
  const text = '# Title\r\n\r- [ ] one\r\n- [x] two\n\n## Next\r';
  const starts = lineStarts(text);
  const tokens = new MarkdownIt().parse(text, {});
  const inlines = tokens.filter((t) => t.type === 'inline');
  for (const t of inlines) {
    const line = lineText(text, starts, t.map?.[0] ?? -1);
    assert.ok(
      line.includes(t.content.split('\n')[0] ?? '\u0000'),
      `${JSON.stringify(line)} vs ${t.content}`,
    );
  }
  assert.equal(inlines.length, 4);
});

test('\\r\\r\\n (CRLF converted once more) is one line end, unless lone \\r also end lines', () => {
  const text = 'first\r\r\nsecond\r\r\n\r\r\nfourth\r\nfifth\nsixth';
  assert.equal(doubledCr(text), true);
  const starts = lineStarts(text);
  assert.deepEqual(
    starts.map((_, i) => lineText(text, starts, i)),
    ['first', 'second', '', 'fourth', 'fifth', 'sixth'],
  );
  assert.equal(lineIndexAt(starts, text.indexOf('fourth')), 3);
  // With a lone \r elsewhere, \r\r\n is a lone \r then \r\n: two line ends, as before.
  const mixed = 'one\rtwo\r\r\nfour';
  assert.equal(doubledCr(mixed), false);
  const m = lineStarts(mixed);
  assert.deepEqual(
    m.map((_, i) => lineText(mixed, m, i)),
    ['one', 'two', '', 'four'],
  );
});
