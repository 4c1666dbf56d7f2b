import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repairMojibake } from './index.js';

/** UTF-8 bytes read with the wrong code page, as an editor that guessed wrong would show them. */
const misread = (text: string, codePage: string): string =>
  new TextDecoder(codePage).decode(new TextEncoder().encode(text));

const CZECH_POLISH = `# Plán rekonstrukce chaty

## Fáze 1: Příprava ✅
- [x] Zajistit stavební povolení
- [ ] Objednat střešní krytinu a žlaby

## Etap 2: Wykończenie 🔄
- [ ] Wybrać wykonawcę, sprawdzić łączny koszt
- [ ] Położyć podłogę w kuchni
`;

const RUSSIAN = `# План переезда офиса

## Этап 1: Подготовка ✅
- [x] Согласовать бюджет с отделом финансов
- [ ] Заказать грузчиков на пятницу

## Этап 2: Переезд ⏳
- [ ] Перевезти серверную стойку и подключить сеть
`;

const TURKISH = `# Yazılım geçiş planı

## Aşama 1: Hazırlık ✅
- [x] Gereksinimleri belirle ve öncelik sırası ver
- [ ] Veritabanı şemasını güncelle

## Aşama 2: Geçiş 🔄
- [ ] Kullanıcı hesaplarını taşı, çıktıları doğrula
`;

for (const [name, codePage, text] of [
  ['Czech and Polish', 'windows-1250', CZECH_POLISH],
  ['Russian', 'windows-1251', RUSSIAN],
  ['Turkish', 'windows-1254', TURKISH],
] as const) {
  test(`${name} UTF-8 read as ${codePage} is repaired exactly, lines kept`, () => {
    const garbled = misread(text, codePage);
    assert.notEqual(garbled, text);
    const r = repairMojibake(garbled);
    assert.equal(r.text, text);
    assert.equal(r.repairedFrom, codePage);
    assert.equal(r.repairs[0]?.encoding, codePage);
    assert.equal(r.ambiguous, null);
    assert.ok((r.repairs[0]?.samples[0]?.line ?? 0) >= 1);
  });

  test(`${name} text that is proper UTF-8 is left alone`, () => {
    const r = repairMojibake(text);
    assert.equal(r.text, text);
    assert.equal(r.repairedFrom, null);
    assert.equal(r.ambiguous, null);
  });
}

test('Turkish emoji mojibake alone (ğŸ”„) is repaired', () => {
  const r = repairMojibake(`## Aşama 2 ${misread('🔄', 'windows-1254')}\n`);
  assert.equal(r.text, '## Aşama 2 🔄\n');
  assert.equal(r.repairedFrom, 'windows-1254');
});

test('two code pages repairing differently: text left alone, every line named', () => {
  const latin1 = misread('café', 'windows-1252');
  const central = misread('świat', 'windows-1250');
  const text = `${latin1}\n${central}\nplain\n${latin1}\n${central}\n`;
  const r = repairMojibake(text);
  assert.equal(r.text, text);
  assert.equal(r.repairedFrom, null);
  assert.deepEqual(r.ambiguous?.lines, [1, 2, 4, 5]);
  assert.deepEqual([...(r.ambiguous?.encodings ?? [])].sort(), ['windows-1250', 'windows-1252']);
});
