import { test } from 'node:test';
import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { Plan, allItems, allSteps } from '../ir/index.js';
import { MAX_PLAN_BYTES, summarizePlan } from './index.js';
import { compileText, planOf } from './test-helpers.js';

test('an empty file compiles to an empty plan with a warning', () => {
  const { plan, diagnostics } = compileText('', 'docs/EMPTY.md');
  assert.ok(plan);
  assert.equal(plan.title, 'EMPTY');
  assert.equal(plan.phases.length, 0);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.file, d.line, d.column]),
    [['compile/empty', 'warning', 'docs/EMPTY.md', 1, 1]],
  );
  assert.equal(Plan.safeParse(plan).success, true);
});

test('a binary file yields no plan and one error', () => {
  const bytes = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
  const { plan, diagnostics } = compileText(bytes, 'image.bin');
  assert.equal(plan, null);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity]),
    [['source/binary', 'error']],
  );
});

test('invalid UTF-8 is read as Windows-1252 with a warning, and still compiles', () => {
  const bytes = new Uint8Array([
    ...new TextEncoder().encode('# Plan\n## Phase 1: Caf'),
    0xe9,
    0x0a,
    ...new TextEncoder().encode('- [x] ok\n'),
  ]);
  const { plan, diagnostics } = compileText(bytes);
  assert.equal(plan?.phases[0]?.title, 'Phase 1: Café');
  assert.equal(plan?.source.encoding, 'windows-1252');
  assert.equal(diagnostics[0]?.code, 'source/not-utf8');
  assert.equal(diagnostics[0]?.line, 2);
});

test('an unterminated fence is reported with its position', () => {
  const { diagnostics, plan } = compileText('# P\n\n## Phase 1\n\n```bash\nmake\n');
  const d = diagnostics.find((x) => x.code === 'compile/unterminated-fence');
  assert.ok(d);
  assert.deepEqual([d.line, d.column, d.severity], [5, 1, 'warning']);
  assert.equal(plan ? [...allSteps(plan)].length : -1, 0);
});

test('pathological nesting (10,000 levels) compiles without overflow and says what was dropped', () => {
  const inputs = [
    '- '.repeat(10_000) + 'x\n',
    '> '.repeat(10_000) + 'x\n',
    '- [ ] '.repeat(10_000) + 'x\n',
    Array.from(
      { length: 10_000 },
      (_, i) => `${' '.repeat(2 * Math.min(i, 150))}- [ ] item ${i}`,
    ).join('\n'),
    '['.repeat(100_000) + '\n',
    '<'.repeat(100_000) + '\n',
    '`x'.repeat(50_000) + '\n',
    '*'.repeat(100_000) + 'a' + '_'.repeat(100_000) + '\n',
  ];
  for (const input of inputs) {
    const { plan, diagnostics } = compileText(input);
    assert.ok(plan);
    assert.equal(Plan.safeParse(plan).success, true);
    for (const d of diagnostics) assert.ok(d.line >= 1 && d.column >= 1);
  }
  const deep = compileText('- '.repeat(10_000) + 'x\n');
  assert.ok(deep.diagnostics.some((d) => d.code === 'compile/nesting-limit'));
});

test('work grows linearly with input: n copies give n times the tokens and n times the nodes', () => {
  const block = [
    '## Phase 1: Build',
    '**Owner:** @dev',
    '- [ ] write code',
    '  - [x] nested',
    '### Exit criteria',
    '- Latency <200ms',
    '',
    '| Metric | Target |',
    '|---|---|',
    '| Errors | 0 errors |',
    '```bash',
    'make test',
    '```',
    '',
  ].join('\n');
  const md = new MarkdownIt();
  const counts = [1, 10, 100, 1000].map((n) => {
    const text = block.repeat(n);
    const s = summarizePlan(planOf(text));
    return { n, tokens: md.parse(text, {}).length, ...s.totals };
  });
  const base = counts[0];
  assert.ok(base);
  for (const c of counts) {
    assert.equal(c.tokens, base.tokens * c.n, `tokens for n=${c.n}`);
    assert.equal(c.phases, c.n);
    assert.deepEqual(c.checkboxes, { total: 2 * c.n, checked: c.n });
    assert.equal(c.steps, c.n);
    assert.equal(c.criteria, c.n);
    assert.equal(c.metricTargets, 2 * c.n);
  }
});

test('a large plan (several MB) compiles, with unique IDs for repeated labels', () => {
  // 2.4 MB, under MAX_PLAN_BYTES (robust.test checks the refusal above it).
  const block = '## Phase 1: Again\n- [ ] same item\n- [ ] same item\n';
  const plan = planOf(block.repeat(50_000));
  assert.equal(plan.phases.length, 50_000);
  assert.equal(plan.phases[49_999]?.id, 'phase-1-50000');
  const ids = new Set([...allItems(plan)].map((i) => i.id));
  assert.equal(ids.size, 100_000);
});

test('same input, same bytes out: compile output is deterministic', () => {
  const text = '# T\n## Week 1\n- [ ] a @x\n- [ ] a @y\n```sh\nls\n```\n';
  assert.equal(JSON.stringify(compileText(text)), JSON.stringify(compileText(text)));
});

test('a plan over MAX_PLAN_BYTES is refused with one positioned error, nothing compiled', () => {
  const line = '- [ ] x\n';
  const { plan, diagnostics } = compileText(
    line.repeat(Math.ceil((MAX_PLAN_BYTES + 1) / line.length)),
    'huge.md',
  );
  assert.equal(plan, null);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.file, d.line, d.column]),
    [['source/too-large', 'error', 'huge.md', 1, 1]],
  );
  assert.ok(compileText(line.repeat(Math.floor(MAX_PLAN_BYTES / line.length))).plan);
});
