import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visible, visibleLine } from './visible.js';

test('visible escapes C0, DEL, C1, bidi and invisible characters; keeps newlines, tabs, text', () => {
  assert.equal(visible('\u001b[2K\r\u001b[1A echo harmless'), '\\x1b[2K\\r\\x1b[1A echo harmless');
  assert.equal(visible('a\u0000b\u0007c\u007fd\u009be'), 'a\\x00b\\x07c\\u007fd\\u009be');
  assert.equal(
    visible('\u202eevil\u202c \u2066x\u2069 \u200b\ufeff'),
    '\\u202eevil\\u202c \\u2066x\\u2069 \\u200b\\ufeff',
  );
  assert.equal(visible('line 1\n\tline 2 ✅ é 漢字'), 'line 1\n\tline 2 ✅ é 漢字');
  const same = 'plain text';
  assert.equal(visible(same), same);
});

test('visibleLine escapes newlines and tabs too', () => {
  assert.equal(visibleLine('title\nfake line\t'), 'title\\nfake line\\t');
});
