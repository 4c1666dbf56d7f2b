import assert from 'node:assert/strict';
import { Plan, allItems, allSteps, allTasks } from '../ir/index.js';
import { compilePlan, summarizePlan } from './index.js';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planOf, tasksLabelled } from './test-helpers.js';
import { sharedTest } from '../util/test-helpers.js';

const test = sharedTest('seeds');

/** The seed plans sit next to the repository (tests run from `dist/compile/`). */
const seedDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/seeds');

function seedBytes(prefix: string): { readonly name: string; readonly bytes: Uint8Array } {
  const name = readdirSync(seedDir).find((f) => f.startsWith(prefix));
  if (!name) throw new Error(`no seed ${prefix} in ${seedDir}`);
  return { name, bytes: readFileSync(resolve(seedDir, name)) };
}

function seedPlan(prefix: string): Plan {
  const { name, bytes } = seedBytes(prefix);
  return planOf(bytes, name);
}

const SEEDS = ['000', '001', '002', '003', '004'];

test('every seed compiles to a plan the IR schema accepts, deterministically', () => {
  for (const prefix of SEEDS) {
    const { name, bytes } = seedBytes(prefix);
    const a = compilePlan(bytes, { path: name });
    const b = compilePlan(bytes, { path: name });
    assert.ok(a.plan, prefix);
    assert.equal(JSON.stringify(a), JSON.stringify(b), `${prefix} is deterministic`);
    const parsed = Plan.safeParse(a.plan);
    assert.ok(parsed.success, `${prefix}: ${JSON.stringify(parsed.error?.issues.slice(0, 3))}`);
    const ids = new Set<string>();
    for (const t of allTasks(a.plan)) ids.add(t.id);
    for (const i of allItems(a.plan)) ids.add(i.id);
    for (const s of allSteps(a.plan)) ids.add(s.id);
    for (const id of ids) assert.ok(id.length <= 100, `${prefix}: long id ${id}`);
    assert.equal(a.plan.source.sha256.length, 64);
    assert.equal(a.plan.source.bytes, bytes.length);
  }
});

test('000: phases N1–N4, N1 and N3 done, exit criteria 3/2/2/2, three python3 steps in N4', () => {
  const plan = seedPlan('000');
  const s = summarizePlan(plan);
  assert.equal(s.title, 'Next Steps Plan');
  assert.equal(s.repairedFrom, null);
  assert.deepEqual(
    s.phases.map((p) => p.id),
    ['phase-n1', 'phase-n2', 'phase-n3', 'phase-n4'],
  );
  assert.deepEqual(
    plan.phases.map((p) => p.status === 'done'),
    [true, false, true, false],
  );
  assert.deepEqual(
    plan.phases.map((p) => p.criteria.filter((c) => c.section === 'exit').length),
    [3, 2, 2, 2],
  );
  assert.equal(s.totals.steps, 3);
  const n4 = plan.phases[3];
  assert.equal(n4?.steps.length, 3);
  for (const step of n4?.steps ?? []) {
    assert.match(step.input, /^python3 scripts\//u);
    assert.equal(step.language, 'inline');
    assert.equal(step.tool, 'shell');
    assert.equal(step.approval, 'required');
    assert.equal(step.idempotent, false);
  }
  assert.equal(plan.phases[0]?.goal, 'tighten validation before wider external volunteer intake.');
  assert.deepEqual(
    plan.phases[0]?.gate.criteria,
    plan.phases[0]?.criteria.map((c) => c.id),
  );
  assert.equal(plan.phases[0]?.criteria[0]?.id, 'phase-n1/exit/scripts-check-cohort-manifest-py');
});

test('001: Mac Roman title repaired, 27 unchecked boxes, tasks 1.1–1.3 with estimates, no steps', () => {
  const plan = seedPlan('001');
  const s = summarizePlan(plan);
  assert.equal(s.title, '🚀 Next Steps - Immediate Actions');
  assert.equal(s.repairedFrom, 'macintosh');
  assert.equal(plan.source.repairs[0]?.encoding, 'macintosh');
  assert.ok((plan.source.repairs[0]?.count ?? 0) > 10);
  assert.deepEqual(s.totals.checkboxes, { total: 27, checked: 0 });
  const hours = ['1.1', '1.2', '1.3'].map((label) => {
    const [task] = tasksLabelled(plan, label);
    assert.ok(task, label);
    assert.equal(task.estimate?.parts[0]?.unit, 'hours');
    return task.estimate?.parts[0]?.value.max;
  });
  assert.deepEqual(hours, [2, 3, 4]);
  assert.equal(tasksLabelled(plan, '1.1')[0]?.id, 'priority-1/task-1-1');
  assert.deepEqual(
    tasksLabelled(plan, '1.3')[0]?.files.map((f) => [f.path, f.action]),
    [
      ['/supabase/migrations/20250109000001_add_retry.sql', 'create-or-modify'],
      ['/src/lib/runs.ts', 'create-or-modify'],
      ['/src/app/components/RunLogViewerEnhanced.tsx', 'create-or-modify'],
    ],
  );
  assert.equal(s.totals.steps, 0, 'the branch-tree block is not a command');
  assert.equal(plan.decisions.length, 3);
  for (const d of plan.decisions) assert.ok(d.options.length >= 2, d.title);
  assert.deepEqual(
    plan.decisions.map((d) => d.recommended),
    ['A', 'C', undefined],
  );
  assert.equal(plan.decisions[0]?.recommendation, 'Option A (Server-side only)');
  assert.equal(
    plan.decisions[2]?.question,
    'Is Odoo integration (Phase 6) high priority or can it be deferred?',
  );
  assert.equal(plan.criteria.filter((c) => c.section === 'go-no-go').length, 7);
});

test('002: cp1252 title repaired, 214 boxes, ten owners, nine bash steps, lanes, eight hard numbers', () => {
  const plan = seedPlan('002');
  const s = summarizePlan(plan);
  assert.equal(s.title, '🎯 NEXT STEPS MASTER ACTION PLAN');
  assert.equal(s.repairedFrom, 'windows-1252');
  assert.deepEqual(s.totals.checkboxes, { total: 214, checked: 0 });
  for (const owner of [
    '@FLUX',
    '@SCRIBE',
    '@MENTOR',
    '@APEX',
    '@VELOCITY',
    '@QUANTUM',
    '@CIPHER',
    '@NEXUS',
    '@ARCHITECT',
    '@FORGE',
  ]) {
    assert.ok(s.totals.owners.includes(owner), owner);
  }
  const steps = [...allSteps(plan)];
  assert.equal(steps.length, 9);
  assert.ok(steps.every((st) => st.language === 'bash'));
  assert.ok(!steps.some((st) => /fn |struct |impl /u.test(st.input)), 'no rust block is a step');
  assert.equal(
    steps[0]?.input,
    'gh release create v0.1.0-alpha \\\n  --title "HyperBox v0.1.0-alpha" \\\n  --notes-file RELEASE_NOTES.md \\\n  --draft=true\n',
  );
  const e = plan.phases.find((p) => p.id === 'phase-e');
  const f = plan.phases.find((p) => p.id === 'phase-f');
  assert.deepEqual(e?.lanes, ['A', 'B', 'C', 'D']);
  assert.deepEqual(f?.lanes, ['A', 'B', 'C']);
  const streamA = e?.tasks.find((t) => t.id === 'phase-e/stream-a');
  assert.deepEqual(streamA?.owners, ['@APEX']);
  assert.equal(streamA?.lane, 'A');
  assert.deepEqual(
    streamA?.estimate?.parts.map((p) => p.unit),
    ['loc', 'days'],
  );
  assert.ok(e?.tasks.filter((t) => t.lane === 'A').length ?? 0 > 1);
  assert.ok(
    streamA?.files.some(
      (x) => x.path === 'crates/hyperbox-core/src/memory/psi.rs' && x.action === 'create',
    ),
  );
  assert.ok(
    streamA?.files.some(
      (x) => x.path === 'crates/hyperbox-daemon/src/state.rs' && x.action === 'modify',
    ),
  );
  const hard = plan.metrics.filter((m) => m.passRule !== undefined);
  assert.equal(hard.length, 8);
  assert.deepEqual(
    hard.map((m) => m.name),
    [
      'PSI Memory',
      'EROFS Speed',
      'eBPF Overhead',
      'Seccomp Size',
      'Test Coverage',
      'Zero Regressions',
      'Documentation',
      'Beta Feedback',
    ],
  );
  for (const m of hard) assert.ok(e?.metrics.includes(m.id) && e.gate.metrics.includes(m.id), m.id);
  assert.deepEqual(hard[0]?.comparison, {
    op: 'between',
    value: -15,
    max: -5,
    unit: '%',
    relative: true,
  });
  assert.equal(hard[0]?.passRule, '✅ if ≥5%');
  assert.deepEqual(hard[0]?.passComparison, { op: '>=', value: 5, unit: '%' });
  assert.deepEqual(hard[2]?.comparison, { op: '<', value: 2, unit: '%' });
  assert.deepEqual(hard[5]?.comparison, { op: '==', value: 0, unit: 'new failures' });
  assert.deepEqual(hard[7]?.comparison, { op: '>', value: 4, unit: 'avg', scale: 5 });
  const task1 = plan.tasks.find((t) => t.id === 'task-1');
  assert.equal(task1?.priority, 'P0');
  assert.equal(task1?.deadline, 'Friday EOD');
  assert.deepEqual(task1?.owners, ['@FLUX', '@SCRIBE']);
  assert.equal(plan.tasks.find((t) => t.id === 'task-1-2')?.parent, 'task-1');
});

test('003: Mac Roman marks repaired, lift-sys 58–61 and 69 done, 62–65 open', () => {
  const plan = seedPlan('003');
  assert.equal(plan.repairedFrom, 'macintosh');
  const json = JSON.stringify({ ...plan, source: null });
  assert.doesNotMatch(json, /‚úÖ|‚ùå|‚ö†Ô∏è/u);
  assert.match(json, /✅/u);
  for (const n of [58, 59, 60, 61, 69]) {
    const tasks = tasksLabelled(plan, `lift-sys-${n}`);
    assert.equal(tasks.length, 1, `lift-sys-${n}`);
    assert.equal(tasks[0]?.status, 'done', `lift-sys-${n}`);
    assert.deepEqual(tasks[0]?.externalIds, [`lift-sys-${n}`]);
  }
  for (const n of [62, 63, 64, 65]) {
    const tasks = tasksLabelled(plan, `lift-sys-${n}`);
    assert.ok(tasks.length >= 1, `lift-sys-${n}`);
    for (const t of tasks) assert.equal(t.status, 'open', `lift-sys-${n}`);
  }
  assert.equal(tasksLabelled(plan, 'lift-sys-62')[0]?.priority, 'P1');
  const p1 = plan.phases.find((p) => p.id === 'priority-1');
  assert.deepEqual(p1?.estimate?.parts, [{ value: { min: 1, max: 2 }, unit: 'days' }]);
  assert.equal(p1?.criteria.length, 4);
  assert.ok(p1?.criteria.every((c) => c.section === 'success' && c.status === 'done'));
  const focused = plan.decisions.find((d) => d.options.length === 3);
  assert.equal(focused?.recommended, 'A');
});

test('004: milestones M0–M5, only M0 done, T-022 … T-030 under their milestones', () => {
  const plan = seedPlan('004');
  assert.deepEqual(
    plan.phases.map((p) => p.id),
    [
      'milestone-m0',
      'milestone-m1',
      'milestone-m2',
      'milestone-m3',
      'milestone-m4',
      'milestone-m5',
    ],
  );
  assert.ok(plan.phases.every((p) => p.phaseKind === 'milestone'));
  assert.deepEqual(
    plan.phases.map((p) => p.status === 'done'),
    [true, false, false, false, false, false],
  );
  const expected: Record<string, string[]> = {
    'milestone-m1': ['T-022', 'T-023', 'T-024', 'T-025'],
    'milestone-m2': ['T-026', 'T-027'],
    'milestone-m3': ['T-028', 'T-029'],
    'milestone-m4': ['T-030'],
  };
  for (const phase of plan.phases) {
    const labels = phase.tasks.flatMap((t) => (t.label ? [t.label] : []));
    assert.deepEqual(labels, expected[phase.id] ?? [], phase.id);
  }
  assert.equal(plan.phases[1]?.tasks[0]?.id, 'milestone-m1/t-022');
  assert.equal(
    plan.phases[0]?.criteria.every((c) => c.section === 'evidence'),
    true,
  );
  const m3 = plan.phases[3];
  const coverage = m3?.criteria.find((c) => c.text.startsWith('Eval coverage'));
  assert.ok(coverage?.metric);
  const metric = plan.metrics.find((m) => m.id === coverage?.metric);
  assert.deepEqual(metric?.comparison, { op: '>=', value: 70, unit: '%' });
  assert.deepEqual(
    plan.phases.map((p) => p.criteria.length),
    [2, 4, 3, 3, 3, 3],
  );
});
