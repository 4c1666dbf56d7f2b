import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plan, allItems, allSteps } from '../ir/index.js';
import { encodeSource } from '../source/index.js';
import { summarizePlan } from './index.js';
import { compileText, planOf } from './test-helpers.js';
import { skipWithoutShared } from '../util/test-helpers.js';

const SEEDS = { skip: skipWithoutShared('seeds') };

test('Portuguese: Fase / Marco headings, Concluído, critérios de saída', () => {
  const plan = planOf(`# Plano de ação

## Fase 1: Fundação (Concluído)

Objetivo: preparar a base.

### Critérios de saída
- Testes passam
- Documentação revisada

## Fase 2: Expansão (Em andamento)

- [x] Migrar banco de dados
- [ ] Publicar versão

## Marco M1 — Lançamento
`);
  assert.deepEqual(
    plan.phases.map((p) => [p.id, p.phaseKind, p.status]),
    [
      ['phase-1', 'phase', 'done'],
      ['phase-2', 'phase', 'in_progress'],
      ['milestone-m1', 'milestone', 'unknown'],
    ],
  );
  assert.equal(plan.phases[0]?.goal, 'preparar a base.');
  assert.deepEqual(
    plan.phases[0]?.criteria.map((c) => [c.section, c.text]),
    [
      ['exit', 'Testes passam'],
      ['exit', 'Documentação revisada'],
    ],
  );
  assert.deepEqual(summarizePlan(plan).phases[1]?.checkboxes, { total: 2, checked: 1 });
});

test('French, Spanish and German phase words and statuses', () => {
  const plan = planOf(`# Feuille de route
## Étape 1 : Conception (Terminé)
## Jalon J2 — Bêta (En cours)
## Semaine 3
## Hito 4: Lanzamiento (Completado)
## Semana 5
## Meilenstein 6: Abnahme (Erledigt)
## Woche 7: Tests
### Abnahmekriterien
- Alle Tests grün
`);
  assert.deepEqual(
    plan.phases.map((p) => [p.id, p.status]),
    [
      ['stage-1', 'done'],
      ['milestone-j2', 'in_progress'],
      ['week-3', 'unknown'],
      ['milestone-4', 'done'],
      ['week-5', 'unknown'],
      ['milestone-6', 'done'],
      ['week-7', 'unknown'],
    ],
  );
  assert.equal(plan.phases[6]?.criteria[0]?.section, 'acceptance');
});

test('Japanese: フェーズ, マイルストーン, 第N週, 完了 / 進行中, hashed IDs for non-Latin text', () => {
  const plan = planOf(`# 計画
## フェーズ1：設計（完了）
- [x] 要件を整理する
- [ ] レビュー
## マイルストーン2 (進行中)
## 第3週: テスト
`);
  assert.deepEqual(
    plan.phases.map((p) => [p.id, p.phaseKind]),
    [
      ['phase-1', 'phase'],
      ['milestone-2', 'milestone'],
      ['week-3', 'week'],
    ],
  );
  assert.equal(plan.phases[1]?.status, 'in_progress');
  const items = [...allItems(plan)];
  assert.equal(items.length, 2);
  assert.match(items[0]?.id ?? '', /^phase-1\/h[0-9a-f]{8}$/u);
  assert.notEqual(items[0]?.id, items[1]?.id);
});

test('CRLF, lone CR and BOM: positions point at the original lines', () => {
  const text = '# Plan\r\n\r\n## Phase 1: Go\r\r- [ ] first\r\n  - [x] nested\n- [ ] second\r';
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
  const plan = planOf(bytes);
  assert.equal(plan.source.bom, true);
  assert.equal(plan.source.lineEnding, 'mixed');
  // Top-level checkboxes of a phase are its tasks; each keeps its checkbox as its checklist.
  const [first, second] = plan.phases[0]?.tasks.map((t) => t.checklist[0]) ?? [];
  assert.deepEqual(first?.pos, { line: 5, column: 3 });
  assert.equal(first?.children[0]?.text, 'nested');
  assert.equal(first?.children[0]?.checked, true);
  assert.deepEqual(first?.children[0]?.pos, { line: 6, column: 5 });
  assert.deepEqual(second?.pos, { line: 7, column: 3 });
});

test('UTF-16 input compiles like its UTF-8 twin', () => {
  const text = '# Plan\n## Phase A\n- [ ] ação ✅\n';
  for (const encoding of ['utf-16le', 'utf-16be'] as const) {
    const plan = planOf(encodeSource(text, { encoding, bom: true }));
    assert.equal(plan.source.encoding, encoding);
    assert.deepEqual({ ...plan, source: null }, { ...planOf(text), source: null });
  }
});

test('nested checklists keep their tree; IDs are text slugs that survive insertions', () => {
  const before = planOf(`## Phase 1
- [ ] Alpha
  - [ ] Child
    - [x] Grandchild
- [ ] Beta
- [ ] Beta
`);
  const after = planOf(`## Phase 1
- [ ] New first item
- [ ] Alpha
  - [ ] Child
    - [x] Grandchild
- [ ] Beta
- [ ] Beta
`);
  const ids = (p: Plan): string[] => [...allItems(p)].map((i) => i.id);
  assert.deepEqual(ids(before), [
    'phase-1/alpha',
    'phase-1/child',
    'phase-1/grandchild',
    'phase-1/beta',
    'phase-1/beta-2',
  ]);
  for (const id of ids(before)) assert.ok(ids(after).includes(id), id);
  assert.equal(before.phases[0]?.tasks[0]?.checklist[0]?.children[0]?.children[0]?.checked, true);
  assert.deepEqual(summarizePlan(before).totals.checkboxes, { total: 5, checked: 1 });
});

test('metric tables: targets parsed, pass rules kept, an unparsable target warns with its position', () => {
  const { plan, diagnostics } = compileText(`## Phase 1
### Success criteria
| Metric | Target | Pass/Fail |
|---|---|---|
| Latency | <200ms p95 | ✅ if <250ms |
| Uptime | ≥ 99.9% | ✅ if ≥99.5% |
| Vibes | excellent | manual |
`);
  assert.ok(plan);
  assert.deepEqual(
    plan.metrics.map((m) => [m.name, m.comparison?.op, m.comparison?.value, m.comparison?.unit]),
    [
      ['Latency', '<', 200, 'ms'],
      ['Uptime', '>=', 99.9, '%'],
      ['Vibes', undefined, undefined, undefined],
    ],
  );
  assert.deepEqual(plan.metrics[0]?.passComparison, { op: '<', value: 250, unit: 'ms' });
  assert.deepEqual(
    plan.phases[0]?.gate.metrics,
    plan.metrics.map((m) => m.id),
  );
  const warn = diagnostics.find((d) => d.code === 'compile/unparsable-target');
  assert.ok(warn);
  assert.equal(warn.severity, 'warning');
  assert.equal(warn.line, 7);
  assert.equal(warn.column, 11);
  assert.equal(warn.file, 'plan.md');
});

test('streams inside a phase become lanes; tasks under them carry the lane', () => {
  const plan = planOf(`## Phase 2: Build
### Track A: API
**Owner:** @ana
**Effort:** 2-3 days
- [ ] Endpoints
### Track B: UI
- [ ] Screens
\`\`\`bash
npm run build
\`\`\`
`);
  const phase = plan.phases[0];
  assert.deepEqual(phase?.lanes, ['A', 'B']);
  assert.deepEqual(
    phase?.tasks.map((t) => [t.id, t.lane, t.owners]),
    [
      ['phase-2/track-a', 'A', ['@ana']],
      ['phase-2/track-b', 'B', []],
    ],
  );
  const [step] = [...allSteps(plan)];
  assert.equal(step?.lane, 'B');
  assert.equal(step?.input, 'npm run build\n');
  assert.equal(Plan.safeParse(plan).success, true);
});

test('every seed reads the same under LF, CRLF, CR and mixed line endings', SEEDS, () => {
  const seeds = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/seeds');
  for (const name of readdirSync(seeds).sort()) {
    const lf = readFileSync(resolve(seeds, name), 'utf8');
    const base = planOf(lf, name);
    // A lone CR is never followed by a bare LF here (CR + LF would be one CRLF break).
    let k = 0;
    const variants: ReadonlyArray<readonly [string, string]> = [
      ['crlf', lf.replace(/\n/gu, '\r\n')],
      ['cr', lf.replace(/\n/gu, '\r')],
      ['mixed', lf.replace(/\n/gu, () => ['\n', '\r', '\r\n'][k++ % 3] ?? '\n')],
    ];
    for (const [ending, text] of variants) {
      const plan = planOf(text, name);
      assert.equal(plan.source.lineEnding, ending, `${name} ${ending}`);
      assert.deepEqual({ ...plan, source: null }, { ...base, source: null }, `${name} ${ending}`);
      assert.deepEqual(plan.source.repairs, base.source.repairs, `${name} ${ending}`);
    }
  }
});

test('labels, criteria and statuses in Portuguese, French and Japanese', () => {
  const plan = planOf(`# Plano

## Fase 1: Preparação (Concluído)

**Responsável:** @ana
**Estimativa:** 2 a 3 dias

### Tarefa 1.1: Migrar o banco (4 horas)

**Arquivos a criar:**
- \`db/001_init.sql\` - esquema inicial

- [x] Escrever migração
- [ ] Revisar

### Critérios de saída
- Testes passam
- Latência < 200 ms

## Étape 2 : Lancement (En cours)

**Responsable :** @marc

### Tâche 2.1 : Publier (1 jour)
**Échéance :** fin mars
**Priorité :** P1

### Critères de sortie
- Taux d'erreur ≤ 1%

## フェーズ3：運用（進行中）

**担当:** @kenji
**見積もり:** 2時間

### タスク3.1：監視を設定する
- [x] ダッシュボード
- [ ] アラート

### 終了条件
- エラー率 < 1%
`);
  assert.deepEqual(
    plan.phases.map((p) => [p.id, p.status, p.owners]),
    [
      ['phase-1', 'done', ['@ana']],
      ['stage-2', 'in_progress', ['@marc']],
      ['phase-3', 'in_progress', ['@kenji']],
    ],
  );
  assert.deepEqual(plan.phases[0]?.estimate?.parts, [{ value: { min: 2, max: 3 }, unit: 'days' }]);
  assert.deepEqual(plan.phases[2]?.estimate?.parts, [{ value: { min: 2, max: 2 }, unit: 'hours' }]);
  const [t11, t21, t31] = plan.phases.map((p) => p.tasks[0]);
  assert.deepEqual([t11?.label, t21?.label, t31?.label], ['1.1', '2.1', '3.1']);
  assert.deepEqual(t11?.estimate?.parts, [{ value: { min: 4, max: 4 }, unit: 'hours' }]);
  assert.deepEqual(t11?.files, [
    { path: 'db/001_init.sql', action: 'create', note: 'esquema inicial' },
  ]);
  assert.deepEqual(
    t11?.checklist.map((i) => [i.text, i.checked]),
    [
      ['Escrever migração', true],
      ['Revisar', false],
    ],
  );
  assert.equal(t11?.status, 'in_progress');
  assert.deepEqual([t21?.deadline, t21?.priority], ['fin mars', 'P1']);
  assert.deepEqual(t21?.estimate?.parts, [{ value: { min: 1, max: 1 }, unit: 'days' }]);
  assert.deepEqual(
    t31?.checklist.map((i) => i.checked),
    [true, false],
  );
  assert.deepEqual(
    plan.phases.map((p) => p.criteria.map((c) => [c.section, c.text])),
    [
      [
        ['exit', 'Testes passam'],
        ['exit', 'Latência < 200 ms'],
      ],
      [['exit', "Taux d'erreur ≤ 1%"]],
      [['exit', 'エラー率 < 1%']],
    ],
  );
  assert.deepEqual(
    plan.metrics.map((m) => m.comparison),
    [
      { op: '<', value: 200, unit: 'ms' },
      { op: '<=', value: 1, unit: '%' },
      { op: '<', value: 1, unit: '%' },
    ],
  );
});
