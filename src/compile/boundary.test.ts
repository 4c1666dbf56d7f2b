import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { COMPARISON_START_RE } from './comparison.js';
import { DATES_RE, OPTION_RE, RECOMMENDED_OPTION_RE, RECOMMENDED_RE } from './patterns.js';
import { STATUS_LABEL_RE, statusInTitle } from './status.js';
import { TARGET_RE } from './tables.js';

// The compiler spells `\b` out as lookarounds in expressions with the `i` and `u` flags (V8 runs
// `\b` under both flags about twenty times slower). Each rewrite must find exactly what its
// `\b` original finds: checked here on generated strings that crowd the edges of the words.
const ORIGINALS: ReadonlyArray<readonly [string, RegExp, RegExp]> = [
  [
    'COMPARISON_START_RE',
    /(≥|>=|⩾|≤|<=|⩽|(?<![-=<])>(?!=)|<(?![-=])|\bat least\b|\bat most\b)\s*[+\-−]?\s*\d/iu,
    COMPARISON_START_RE,
  ],
  [
    'OPTION_RE',
    /^(?:option|op[çc][ãa]o|opci[óo]n)\s+([A-Z0-9]{1,2})\b\s*[:：.)—–-]?\s*(.*)$/iu,
    OPTION_RE,
  ],
  [
    'RECOMMENDED_RE',
    /\b(?:recommended|recomendad[ao]|recommand[ée]e?|empfohlen)\b|推奨/iu,
    RECOMMENDED_RE,
  ],
  [
    'RECOMMENDED_OPTION_RE',
    /\b(?:option|op[çc][ãa]o|opci[óo]n)\s+([A-Z0-9]{1,2})\b/iu,
    RECOMMENDED_OPTION_RE,
  ],
  [
    'DATES_RE',
    /\b(?:weeks?|days?|months?|q[1-4]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|end of|semanas?|semaines?|wochen?|mois|meses|\d{4}-\d{2}(?:-\d{2})?)\b|週|月/iu,
    DATES_RE,
  ],
  ['STATUS_LABEL_RE', /\b(?:status|estado|statut)\s*[:：]\s*(.+)$/iu, STATUS_LABEL_RE],
  ['TARGET_RE', /target|goal|objetivo|objectif|\bziel|目標|\bmeta\b|threshold/iu, TARGET_RE],
];

const WORDS = [
  'Option A',
  'option 12',
  'Opção B',
  'opcion ab',
  'Option K',
  'at least',
  'at most',
  'option',
  'opção',
  'Opcion',
  'recommended',
  'recomendada',
  'recommandé',
  'recommandée',
  'recommande',
  'recommandee',
  'empfohlen',
  'week',
  'weeks',
  'end of',
  'q3',
  '2025-01',
  '2025-01-31',
  'status',
  'Estado',
  'statut',
  'target',
  'ziel',
  'meta',
  '推奨',
  '週',
];
const CHARS = [
  'a',
  'e',
  'é',
  'É',
  'x',
  's',
  'S',
  'ſ',
  'K',
  '\u212a',
  'k',
  '_',
  '1',
  ' ',
  '-',
  ':',
  '：',
  '(',
  '≥',
  '>',
  '<',
  '=',
  '5',
  '%',
  '日',
  '🚀',
  'ß',
  'A',
  'B',
  '\t',
];

/** Deterministic generator of strings crowded with the words above and their edge characters. */
function* samples(count: number): Generator<string> {
  let seed = 0x2545f491;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let k = 0; k < count; k++) {
    let s =
      next(2) === 0 ? `${WORDS[next(WORDS.length)] ?? ''}${CHARS[next(CHARS.length)] ?? ''}` : '';
    const parts = next(8);
    for (let i = 0; i < parts; i++) {
      s += next(3) === 0 ? (WORDS[next(WORDS.length)] ?? '') : (CHARS[next(CHARS.length)] ?? '');
    }
    yield s;
  }
}

test('every \\b spelled out as lookarounds finds exactly what the \\b original finds', () => {
  const seeds = join(process.cwd(), '..', 'shared', 'seeds');
  const lines: string[] = [];
  try {
    for (const f of readdirSync(seeds))
      lines.push(...readFileSync(join(seeds, f), 'utf8').split('\n'));
  } catch {
    // The seeds are optional here: the generated strings carry the test.
  }
  for (const [name, original, rewritten] of ORIGINALS) {
    assert.equal(rewritten.flags, original.flags, name);
    let matched = 0;
    for (const s of [...samples(40_000), ...lines]) {
      const a = original.exec(s);
      const b = rewritten.exec(s);
      assert.deepEqual(
        b && [b.index, ...b],
        a && [a.index, ...a],
        `${name} on ${JSON.stringify(s)}`,
      );
      if (a) matched++;
    }
    assert.ok(
      matched > 100,
      `${name} matched only ${matched} samples: the test would prove nothing`,
    );
  }
});

test('status labels and target headers still need a word boundary before the word', () => {
  assert.equal(statusInTitle('Phase 1 Status: Done')?.status, 'done');
  assert.equal(statusInTitle('Phase 1 xstatus: Done'), undefined);
  assert.equal(statusInTitle('Phase 1 ſtatus: Done')?.status, 'done');
});
