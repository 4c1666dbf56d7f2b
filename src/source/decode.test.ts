import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSource, encodeSource } from './index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

test('plain UTF-8 decodes with no BOM and LF line endings', () => {
  const d = decodeSource(utf8('# Plan\n- [ ] ação\n'));
  assert.equal(d.text, '# Plan\n- [ ] ação\n');
  assert.equal(d.encoding, 'utf-8');
  assert.equal(d.bom, false);
  assert.equal(d.lineEnding, 'lf');
  assert.equal(d.bytes, utf8('# Plan\n- [ ] ação\n').length);
  assert.match(d.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(d.diagnostics, []);
});

test('a UTF-8 BOM is reported and kept out of the text, and re-encoding restores it', () => {
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('# Título\r\n')]);
  const d = decodeSource(bytes);
  assert.equal(d.text, '# Título\r\n');
  assert.equal(d.bom, true);
  assert.equal(d.lineEnding, 'crlf');
  assert.deepEqual(encodeSource(d.text, d), bytes);
});

test('UTF-16LE and UTF-16BE with BOM decode and round-trip byte for byte', () => {
  for (const [encoding, le] of [
    ['utf-16le', true],
    ['utf-16be', false],
  ] as const) {
    const text = '# フェーズ1 🚀\r- [x] done\r';
    const bytes = encodeSource(text, { encoding, bom: true });
    assert.deepEqual([...bytes.slice(0, 2)], le ? [0xff, 0xfe] : [0xfe, 0xff]);
    const d = decodeSource(bytes);
    assert.equal(d.encoding, encoding);
    assert.equal(d.text, text);
    assert.equal(d.lineEnding, 'cr');
    assert.deepEqual(encodeSource(d.text, d), bytes);
  }
});

test('bytes that are not UTF-8 are read as Windows-1252 with a positioned warning', () => {
  const bytes = new Uint8Array([...utf8('# Plan\nCaf'), 0xe9, 0x20, 0x80, 0x0a]);
  const d = decodeSource(bytes, { path: 'plan.md' });
  assert.equal(d.encoding, 'windows-1252');
  assert.equal(d.text, '# Plan\nCafé €\n');
  assert.equal(d.diagnostics.length, 1);
  const [diag] = d.diagnostics;
  assert.equal(diag?.code, 'source/not-utf8');
  assert.equal(diag?.severity, 'warning');
  assert.equal(diag?.file, 'plan.md');
  assert.equal(diag?.line, 2);
  assert.equal(diag?.column, 4);
  assert.deepEqual(encodeSource(d.text, d), bytes);
});

test('every byte round-trips through Windows-1252, the five undefined bytes included', () => {
  const bytes = new Uint8Array(256).map((_, i) => i);
  bytes[0] = 0x41;
  const d = decodeSource(new Uint8Array([0xff, ...bytes.slice(1, 9), 0x0a, ...bytes.slice(32)]));
  assert.equal(d.encoding, 'windows-1252');
  assert.deepEqual(
    encodeSource(d.text, d),
    new Uint8Array([0xff, ...bytes.slice(1, 9), 0x0a, ...bytes.slice(32)]),
  );
  assert.equal(d.text.includes('\u0081\u0082'.slice(0, 1)), true);
});

test('binary input is an error, not garbage text', () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const d = decodeSource(png, { path: 'logo.png' });
  assert.equal(d.binary, true);
  assert.equal(d.text, '');
  assert.equal(d.diagnostics[0]?.code, 'source/binary');
  assert.equal(d.diagnostics[0]?.severity, 'error');
  const controls = new Uint8Array(200).fill(0x01);
  assert.equal(decodeSource(controls).binary, true);
});

test('line endings: none, lf, crlf, cr and mixed', () => {
  assert.equal(decodeSource(utf8('one line')).lineEnding, 'none');
  assert.equal(decodeSource(utf8('a\nb')).lineEnding, 'lf');
  assert.equal(decodeSource(utf8('a\r\nb\r\n')).lineEnding, 'crlf');
  assert.equal(decodeSource(utf8('a\rb')).lineEnding, 'cr');
  assert.equal(decodeSource(utf8('a\r\nb\nc')).lineEnding, 'mixed');
});

test('valid UTF-8 of any content round-trips byte for byte (fuzz)', () => {
  const pool = [
    'a',
    ' ',
    '\n',
    '\r\n',
    '\r',
    'é',
    'ß',
    'ç',
    '—',
    '“',
    '≥',
    '🚀',
    'フ',
    '\u00a0',
    '\ufeff',
    '\t',
    '#',
    '-',
    '[x]',
  ];
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    let s = '';
    const len = rand(60);
    for (let i = 0; i < len; i++) s += pool[rand(pool.length)];
    const bytes = utf8(s);
    const d = decodeSource(bytes);
    assert.equal(d.encoding, 'utf-8');
    assert.deepEqual(encodeSource(d.text, d), bytes, JSON.stringify(s));
  }
});

test('Windows-1252 cannot encode characters outside its table', () => {
  assert.throws(() => encodeSource('🚀', { encoding: 'windows-1252', bom: false }), RangeError);
});
