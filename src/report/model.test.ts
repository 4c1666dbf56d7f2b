import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { buildReport, type ReportEvent } from './model.js';

function events(
  list: ReadonlyArray<[type: string, subject: string, data: Record<string, unknown>]>,
): ReportEvent[] {
  return list.map(([type, subject, data], i) => ({
    seq: i + 1,
    ts: `2026-01-08T14:00:${String(i).padStart(2, '0')}.000Z`,
    type,
    actor: 'cli:ana',
    subject,
    data,
    hash: 'f'.repeat(64),
  }));
}

describe('report runs', () => {
  const model = buildReport(
    events([
      ['run.created', 'run-w', { runId: 'run-w' }],
      ['step.started', 'run-w.1', { runId: 'run-w', stepId: 'run-w.1' }],
      ['step.quarantined', 'run-w.1', { runId: 'run-w', stepId: 'run-w.1' }],
      ['run.created', 'run-r', { runId: 'run-r' }],
      ['step.started', 'run-r.1', { runId: 'run-r', stepId: 'run-r.1' }],
      ['run.created', 'run-q', { runId: 'run-q' }],
      ['step.queued', 'run-q.1', { runId: 'run-q', stepId: 'run-q.1' }],
      ['run.created', 'run-c', { runId: 'run-c' }],
      ['step.started', 'run-c.1', { runId: 'run-c', stepId: 'run-c.1' }],
      ['step.cancelled', 'run-c.1', { runId: 'run-c', stepId: 'run-c.1', reason: 'run cancelled' }],
      ['run.cancelled', 'run-c', { runId: 'run-c' }],
      ['run.created', 'run-s', { runId: 'run-s' }],
      ['step.quarantined', 'run-s.1', { runId: 'run-s', stepId: 'run-s.1' }],
      ['step.skipped', 'run-s.1', { runId: 'run-s', stepId: 'run-s.1', reason: 'flaky runner' }],
      ['run.skipped', 'run-s', { runId: 'run-s', skipped: 1 }],
      [
        'run.created',
        'run-k',
        {
          runId: 'run-k',
          title: 'check phase-1 | gate',
          target: { planId: 'launch', nodeId: 'phase-1', kind: 'phase' },
        },
      ],
      ['step.failed', 'run-k.1', { runId: 'run-k', stepId: 'run-k.1' }],
      ['run.failed', 'run-k', { runId: 'run-k' }],
      ['run.judged', 'run-k', { runId: 'run-k', status: 'succeeded', reason: '1 check passed' }],
    ]),
  );
  const status = Object.fromEntries(model.runs.map((r) => [r.id, r.status]));

  it('a run waiting for a person is waiting, not running; nothing started is queued', () => {
    assert.equal(status['run-w'], 'waiting');
    assert.equal(status['run-r'], 'running');
    assert.equal(status['run-q'], 'queued');
  });

  it('a cancelled run lists no running step', () => {
    assert.equal(status['run-c'], 'cancelled');
    assert.deepEqual(model.runs.find((r) => r.id === 'run-c')?.steps, { cancelled: 1 });
  });

  it('a skipped step makes a skipped run, and the skip is listed with who and why', () => {
    assert.equal(status['run-s'], 'skipped');
    const skip = model.approvals.find((a) => a.kind === 'skipped');
    assert.deepEqual([skip?.subject, skip?.by, skip?.reason], ['run-s.1', 'ana', 'flaky runner']);
  });

  it("a check run's judgment is its final status", () => {
    assert.equal(status['run-k'], 'succeeded');
  });

  it('the runs table carries titles, targets and how long each run took', () => {
    const k = model.runs.find((r) => r.id === 'run-k')!;
    assert.deepEqual([k.title, k.target], ['check phase-1 | gate', 'launch:phase-1']);
    assert.match(
      renderMarkdown(model),
      /\| `run-k` \| check phase-1 \\\| gate \| succeeded \| 2026-01-08T14:00:15\.000Z \| 2\.0 s \|/u,
    );
    assert.match(renderMarkdown(model), /\| `run-w` \| run-w \| waiting \| [^|]+ \| — \|/u);
    assert.match(
      renderHtml(model),
      /check phase-1 \| gate<div class="mono muted">run-k · launch:phase-1/u,
    );
  });

  it('the HTML gives waiting and running distinct colours; markdown counts them apart', () => {
    const html = renderHtml(model);
    const pill = (word: string) =>
      new RegExp(`background:(#[0-9a-f]{6})">1 ${word}<`, 'u').exec(html)?.[1];
    assert.ok(pill('waiting') !== undefined && pill('running') !== undefined);
    assert.notEqual(pill('waiting'), pill('running'));
    assert.match(renderMarkdown(model), /1 running, 1 skipped, 1 succeeded, 1 waiting/u);
  });
});

describe('report events and the event catalog', () => {
  it('an event of a type the catalog does not know is counted and skipped', () => {
    const model = buildReport(
      events([
        ['run.created', 'run-1', { runId: 'run-1' }],
        ['some.future_event', 'x', { anything: [1, 2, 3] }],
      ]),
    );
    assert.deepEqual(model.ledger.types, { 'run.created': 1, 'some.future_event': 1 });
    assert.deepEqual(
      model.runs.map((r) => r.id),
      ['run-1'],
    );
  });

  it('a known type whose data does not match is an error naming its seq and type', () => {
    assert.throws(
      () =>
        buildReport(
          events([
            ['run.created', 'run-1', { runId: 'run-1' }],
            ['step.queued', 's', {}],
          ]),
        ),
      /event 2 \(step\.queued\) of the ledger does not match the event catalog: data\.runId/u,
    );
  });
});
