import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffPlans, summarizeDiff } from './diff.js';
import type { ChecklistItem, Phase, Plan } from './schema.js';

const pos = { line: 1, column: 1 };

function item(id: string, checked: boolean): ChecklistItem {
  return { kind: 'item', id, text: id, checked, pos, children: [] };
}

function phase(id: string, status: Phase['status'], items: ChecklistItem[]): Phase {
  return {
    kind: 'phase',
    id,
    title: id,
    phaseKind: 'phase',
    status,
    owners: [],
    lanes: [],
    tasks: [],
    checklist: items,
    criteria: [],
    steps: [],
    metrics: [],
    gate: { kind: 'gate', id: `${id}/gate`, criteria: [], metrics: [] },
    pos,
  };
}

function plan(phases: Phase[]): Plan {
  return {
    kind: 'plan',
    irVersion: 1,
    title: 't',
    source: {
      path: 'p',
      sha256: 'x',
      bytes: 0,
      encoding: 'utf-8',
      bom: false,
      lineEnding: 'lf',
      repairs: [],
    },
    repairedFrom: null,
    phases,
    tasks: [],
    checklist: [],
    criteria: [],
    steps: [],
    metrics: [],
    decisions: [],
    owners: [],
  };
}

describe('diffPlans', () => {
  it('a first import adds everything', () => {
    const d = diffPlans(null, plan([phase('a', 'open', [item('a/x', false)])]));
    assert.deepEqual(summarizeDiff(d), { added: 2, removed: 0, changed: 0, unchanged: 0 });
  });

  it('reports added, removed and changed nodes with what changed', () => {
    const before = plan([phase('a', 'open', [item('a/x', false), item('a/y', false)])]);
    const after = plan([phase('a', 'done', [item('a/x', true), item('a/z', false)])]);
    const d = diffPlans(before, after);
    assert.deepEqual(
      d.added.map((e) => e.id),
      ['a/z'],
    );
    assert.deepEqual(
      d.removed.map((e) => e.id),
      ['a/y'],
    );
    assert.deepEqual(
      d.changed.map((c) => [
        c.id,
        c.changes.map((x) => `${x.field}:${String(x.from)}->${String(x.to)}`),
      ]),
      [
        ['a', ['status:open->done']],
        ['a/x', ['checked:false->true']],
      ],
    );
  });

  it('the same plan has no change', () => {
    const p = plan([phase('a', 'open', [item('a/x', false)])]);
    assert.deepEqual(summarizeDiff(diffPlans(p, p)), {
      added: 0,
      removed: 0,
      changed: 0,
      unchanged: 2,
    });
  });
});

describe('diffPlans: what trust binds shows as a change', () => {
  it('reports a changed fence language and a changed verifier annotation', () => {
    const step = (language: string) => ({
      kind: 'step' as const,
      id: 'step-1',
      title: 's',
      tool: 'shell' as const,
      input: 'make\n',
      language,
      digest: language,
      approval: 'required' as const,
      idempotent: false,
      pos,
    });
    const criterion = (annotation: string) => ({
      kind: 'criterion' as const,
      id: 'c-1',
      text: 'Works',
      section: 'exit' as const,
      annotation,
      pos,
    });
    const a = { ...plan([]), steps: [step('sh')], criteria: [criterion('command `a`')] };
    const b = { ...plan([]), steps: [step('bash')], criteria: [criterion('command `b`')] };
    const d = diffPlans(a, b);
    assert.deepEqual(
      d.changed.map((c) => [c.id, c.changes.map((x) => x.field)]),
      [
        ['c-1', ['verifier']],
        ['step-1', ['digest', 'language']],
      ],
    );
  });
});
