import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAC_ROMAN, WINDOWS_1252, repairMojibake, type CodePage } from './index.js';
import { utf8SequenceLength } from './utf8.js';

/** Produce mojibake the way it happens: UTF-8 bytes decoded with a single-byte table. */
function garble(text: string, page: CodePage, dropUndefined = false): string {
  let out = '';
  for (const b of new TextEncoder().encode(text)) {
    if (b < 0x80) out += String.fromCharCode(b);
    else {
      const ch = page.high[b - 0x80] ?? '';
      if (dropUndefined && /[\u0080-\u009f]/u.test(ch)) continue;
      out += ch;
    }
  }
  return out;
}

test('both code tables have 128 entries and no duplicates', () => {
  for (const page of [WINDOWS_1252, MAC_ROMAN]) {
    assert.equal(page.high.length, 128);
    assert.equal(new Set(page.high).size, 128);
  }
  assert.equal(MAC_ROMAN.high[0xf0 - 0x80], '\uf8ff');
  assert.equal(WINDOWS_1252.high[0x80 - 0x80], '€');
});

test('Windows-1252 mojibake is repaired and recorded', () => {
  const r = repairMojibake('# ðŸš€ Launch\n\n- âœ… done\n- â”œâ”€â”€ tree\n');
  assert.equal(r.text, '# 🚀 Launch\n\n- ✅ done\n- ├── tree\n');
  assert.equal(r.repairedFrom, 'windows-1252');
  assert.equal(r.repairs[0]?.encoding, 'windows-1252');
  assert.equal(r.repairs[0]?.count, 5);
  assert.deepEqual(r.repairs[0]?.samples[0], { line: 1, from: 'ðŸš€', to: '🚀' });
  assert.equal(r.repairs[0]?.samples[1]?.line, 3);
});

test('Mac Roman mojibake is repaired, the Apple-logo lead byte included', () => {
  const r = repairMojibake('# \uf8ffüöÄ Next Steps\n‚úÖ ok ‚ùå no ‚ö†Ô∏è maybe\n');
  assert.equal(r.text, '# 🚀 Next Steps\n✅ ok ❌ no ⚠️ maybe\n');
  assert.equal(r.repairedFrom, 'macintosh');
});

test('the five undefined Windows-1252 bytes, seen as C1 controls, are repaired', () => {
  const original = '🏗️ build 👍 ok “quote” ✝ end';
  const garbled = garble(original, WINDOWS_1252);
  assert.match(garbled, /[\u0081\u008d\u008f\u0090\u009d]/u);
  assert.equal(repairMojibake(garbled).text, original);
});

test('garbling then repairing round-trips for many texts, in both code pages', () => {
  const samples = [
    '✅ Phase 1 — done → next',
    'Größe: 5 × 3 ≥ 2 “quoted” ‘single’ … 🎉',
    '├── src/\n│   └── main.rs\n└── README.md',
    'Fase 2: ação concluída ✅ — prazo 2–3 dias',
    'フェーズ1：完了 ✅',
    'Étape 3 : terminée ✔️ • ok',
  ];
  for (const page of [WINDOWS_1252, MAC_ROMAN]) {
    for (const s of samples) {
      const r = repairMojibake(garble(s, page));
      assert.equal(r.text, s, `${page.name}: ${s}`);
      assert.equal(r.repairedFrom, page.name);
    }
  }
});

test('text that is not mojibake is never altered', () => {
  const proper = [
    'ação, informação, São Paulo, NÃO, AÇÃO, coração',
    'été, déjà, «guillemets», où, Noël, cœur, français',
    'Größe, Straße, „Anführungszeichen“, Fuß“, Äpfel, Öl, Übung',
    'España, año, niño, ¿qué?, ¡sí!, canción',
    'フェーズ1：設計、マイルストーン、週、段階、完了、進行中',
    '≥ 5%, ≤ 2, ± 3, × 4, ÷ 2, √π, ≈ 1, ∞, µs, °C',
    '— em dash – en dash … ellipsis “curly” ‘single’ • bullet ™ © ®',
    'naïve café résumé coöperate Zoë Brontë',
    'Ça va? À bientôt. Île. Œuvre. Ÿ',
    'Ελληνικά, Русский текст, עברית, العربية, 한국어, 中文',
    'emoji 🚀 ✅ ❌ ⚠️ 🎯 👍🏽 👨‍💻',
    'a lone Ã— is left alone',
    'Mac-like glyphs in proper text: ‚ „ ‰ Â Ê Á Ë È Í Î Ï Ì Ó Ô',
    '√ä and ƒ© and ≈± and «é» and —é',
  ];
  for (const s of proper) {
    const r = repairMojibake(s);
    assert.equal(r.text, s, s);
    assert.equal(r.repairedFrom, null, s);
    assert.deepEqual(r.repairs, []);
  }
  const all = proper.join('\n');
  assert.equal(repairMojibake(all).text, all);
});

test('repair preserves the number of lines and every line ending', () => {
  const text = garble('a ✅\r\nb 🚀\rc ├──\n\nd', WINDOWS_1252);
  const r = repairMojibake(text);
  assert.equal(r.text, 'a ✅\r\nb 🚀\rc ├──\n\nd');
  assert.equal(r.text.split(/\r\n|\r|\n/u).length, text.split(/\r\n|\r|\n/u).length);
});

test('sequences that lost a byte are reported, not guessed', () => {
  const text = garble('# 🏗️ Build ✅ ok 🚀\n', WINDOWS_1252, true);
  const r = repairMojibake(text);
  assert.equal(r.repairedFrom, 'windows-1252');
  assert.match(r.text, /✅ ok 🚀/u);
  assert.ok(r.unrepaired.length > 0);
  assert.equal(r.unrepaired[0]?.line, 1);
});

/** Whether some run of `page`'s characters in `text`, as bytes, holds a multi-byte UTF-8 sequence. */
function spellsUtf8(text: string, page: CodePage): boolean {
  const bytes: number[] = [];
  const flush = (): boolean => {
    for (let i = 0; i + 1 < bytes.length; i++) {
      if (utf8SequenceLength(bytes, i, bytes.length) >= 2) return true;
    }
    bytes.length = 0;
    return false;
  };
  for (let i = 0; i < text.length; i++) {
    const b = page.toByte.get(text.charCodeAt(i));
    if (b !== undefined) bytes.push(b);
    else if (flush()) return true;
  }
  return flush();
}

test('proper text is never altered, however its words are combined (fuzz)', () => {
  const words = [
    'ação',
    'São',
    'NÃO',
    'coração',
    'été',
    'déjà',
    '«guillemets»',
    'Noël',
    'cœur',
    'Größe',
    'Straße',
    '„Zitat“',
    'Äpfel',
    'España',
    '¿qué?',
    '¡sí!',
    'フェーズ1：設計',
    '完了',
    '進行中',
    '≥ 5%',
    '≤ 2',
    '± 3',
    '× 4',
    '√π',
    '≈ 1',
    '∞',
    'µs',
    '°C',
    '—',
    '–',
    '…',
    '“curly”',
    '‘single’',
    '•',
    '™',
    '©',
    'naïve',
    'Zoë',
    'Ça',
    'À',
    'Œuvre',
    'Ÿ',
    'Ελληνικά',
    'Русский',
    '한국어',
    '中文',
    '🚀',
    '✅',
    '❌',
    '⚠️',
    '👍🏽',
    '👨‍💻',
    'Ã',
    'â',
    'ð',
    'Â',
    '‚',
    '„',
    '‰',
    'Ê',
    'Á',
    'Ë',
    '√ä',
    'ƒ©',
    '≈±',
    '—é',
    'plain',
    'ASCII',
    '(2 hours)',
    '@dev',
    '`code`',
  ];
  let seed = 0x9e3779b9;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const separators = [' ', '', '\n', ', ', '\r\n', ' - '];
  let tested = 0;
  for (let k = 0; k < 20_000; k++) {
    let s = '';
    const count = 1 + next(8);
    for (let i = 0; i < count; i++) {
      s += `${words[next(words.length)] ?? ''}${separators[next(separators.length)] ?? ''}`;
    }
    // Adjacent look-alikes can spell real mojibake ("Ã" + "–" is how "Ö" looks when garbled):
    // a text holding a valid UTF-8 sequence once read back through a code page is left out.
    if (spellsUtf8(s, WINDOWS_1252) || spellsUtf8(s, MAC_ROMAN)) continue;
    tested++;
    const r = repairMojibake(s);
    assert.equal(r.text, s, JSON.stringify(s));
    assert.equal(r.repairedFrom, null, JSON.stringify(s));
  }
  assert.ok(tested > 10_000, `only ${tested} samples were free of mojibake look-alikes`);
});
