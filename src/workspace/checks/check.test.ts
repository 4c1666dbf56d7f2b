/**
 * `check` on real workspaces: bindings (annotation, sidecar), metric, file, manual and command
 * verifiers, gates, recorded verdicts and phase promotion (command verifiers with real processes:
 * `check-run.test.ts`).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InputError, StateError, UsageError } from '../../errors/index.js';
import { checkTarget, type PlanCheck } from './check.js';
import { signoff } from './check-signoff.js';
import { recordMetric } from './metric.js';
import type { Workspace } from '../open.js';
import { importedProject } from '../test-helpers.js';
import { trustFile } from '../access/trust.js';
import { setStatus } from '../plans/write-back.js';

const PLAN = `# Launch

## Phase 1: Build

- [ ] Task A

**Exit criteria:**

- [ ] Tests pass <!-- verify: command \`echo 12 tests pass\` match="tests pass" -->
- [ ] Report exists <!-- verify: file out/report.md -->
- Latency p99 < 50 ms
- Reviewed by Ana <!-- verify: manual @ana -->
- Docs written

| Metric | Target |
| --- | --- |
| Error rate | <2% |

## Phase 2: Ship

**Exit criteria:**

- Changelog published

## Phase 3: Later

- [ ] Nothing to check here
`;

function project(plan = PLAN, sidecar?: unknown): ReturnType<typeof importedProject> {
  return importedProject(plan, sidecar);
}

function statuses(plan: PlanCheck): Record<string, string> {
  return Object.fromEntries(
    [...plan.criteria, ...plan.metrics].map((c) => [c.id, c.verdict.status]),
  );
}

async function types(ws: Workspace): Promise<string[]> {
  return (await ws.store.events.read({ limit: 100_000 })).map((e) => e.type);
}

describe('pulser check', () => {
  it('binds verifiers from annotations, the compiler and defaults; decides the gate', async () => {
    const { ws, root, done } = await project();
    try {
      let result = await checkTarget(ws, undefined, { actor: 'cli:ana' });
      const [plan] = result.plans;
      assert.ok(plan !== undefined);
      const sources = Object.fromEntries(
        plan.criteria.map((c) => [c.id, [c.source, c.verifier?.kind]]),
      );
      assert.deepEqual(sources['phase-1/exit/tests-pass'], ['annotation', 'command']);
      assert.deepEqual(sources['phase-1/exit/report-exists'], ['annotation', 'file']);
      assert.deepEqual(sources['phase-1/exit/latency-p99-50-ms'], ['plan', 'metric']);
      assert.deepEqual(sources['phase-1/exit/reviewed-by-ana'], ['annotation', 'manual']);
      assert.deepEqual(sources['phase-1/exit/docs-written'], ['default', 'manual']);
      assert.deepEqual(statuses(plan), {
        'phase-1/exit/tests-pass': 'not_run',
        'phase-1/exit/report-exists': 'fail',
        'phase-1/exit/latency-p99-50-ms': 'pending',
        'phase-1/exit/reviewed-by-ana': 'pending',
        'phase-1/exit/docs-written': 'pending',
        'phase-2/exit/changelog-published': 'pending',
        'phase-1/metric/latency-p99-50-ms': 'pending',
        'phase-1/metric/error-rate': 'pending',
      });
      assert.equal(
        plan.criteria[0]!.verdict.reason,
        `awaiting approval: pulser trust plan.md or pulser approve ${String(plan.criteria[0]!.verdict.evidence['stepId'])}`,
      );
      assert.deepEqual(
        plan.phases.map((p) => [p.id, p.gate.status]),
        [
          ['phase-1', 'fail'],
          ['phase-2', 'pending'],
          ['phase-3', 'pass'],
        ],
      );
      const recorded = result.recorded;
      assert.equal(recorded, 8 + 3);
      // Nothing changed: a second check records nothing.
      result = await checkTarget(ws, undefined, { actor: 'cli:ana' });
      assert.equal(result.recorded, 0);

      // Make everything but the command pass.
      mkdirSync(join(root, 'out'));
      writeFileSync(join(root, 'out', 'report.md'), 'done\n');
      await recordMetric(ws, 'latency-p99', '42 ms', { actor: 'cli:bob' });
      await recordMetric(ws, 'phase-1/metric/error-rate', '1.5%', { actor: 'cli:bob' });
      await assert.rejects(
        signoff(ws, 'phase-1/exit/reviewed-by-ana', { reason: 'ok', actor: 'cli:bob' }),
        StateError,
      );
      await signoff(ws, 'phase-1/exit/reviewed-by-ana', { reason: 'read it', actor: 'cli:ana' });
      await signoff(ws, 'phase-1/exit/docs-written', { reason: 'checked', actor: 'cli:bob' });
      result = await checkTarget(ws, 'phase-1', { actor: 'cli:ana' });
      const p1 = result.plans[0]!;
      assert.equal(
        p1.criteria.find((c) => c.id === 'phase-1/exit/report-exists')?.verdict.evidence['sha256'],
        createHash('sha256').update('done\n').digest('hex'),
      );
      assert.match(
        p1.criteria.find((c) => c.id === 'phase-1/exit/latency-p99-50-ms')!.verdict.reason,
        /measured 42 ms \(by bob at .*\), target < 50 ms/u,
      );
      assert.equal(p1.phases[0]?.gate.status, 'pending', 'the command verifier has not run');
      assert.deepEqual(
        p1.phases[0]?.gate.blocking.map((v) => v.target),
        ['phase-1/exit/tests-pass'],
      );
      assert.deepEqual(p1.phases[0]?.artifacts, [
        { name: 'out/report.md', sha256: createHash('sha256').update('done\n').digest('hex') },
      ]);

      // Trusting the plan lets the runtime run its command verifier.
      await trustFile(ws, join(root, 'plan.md'), 'cli:ana');
      result = await checkTarget(ws, 'phase-1', { actor: 'cli:ana' });
      assert.equal(result.plans[0]?.phases[0]?.gate.status, 'pass');
      const events = await ws.store.events.read({ types: ['gate.decided'], limit: 100 });
      assert.deepEqual(
        events
          .filter((e) => e.subject === 'phase-1')
          .map((e) => (e.data as { status: string }).status),
        ['fail', 'pending', 'pass'],
      );
      // A metric out of target fails it again.
      await recordMetric(ws, 'error-rate', '3%', { actor: 'cli:bob' });
      result = await checkTarget(ws, 'phase-1', { actor: 'cli:ana' });
      assert.equal(result.plans[0]?.phases[0]?.gate.status, 'fail');
    } finally {
      await done();
    }
  });

  it('a sidecar file binds verifiers by criterion ID; unknown IDs and double bindings are errors', async () => {
    const plain = PLAN.replace(/ <!-- verify:[^>]*-->/gu, '');
    let p = await project(plain, {
      $comment: 'verifiers of plan.md',
      'phase-2/exit/changelog-published': { kind: 'file', path: 'CHANGELOG.md' },
      'plan:phase-1/exit/tests-pass': { kind: 'command', command: 'npm test' },
      'phase-1/exit/docs-written': { kind: 'teleport' },
    });
    try {
      const plan = (await checkTarget(p.ws, undefined, { record: false })).plans[0]!;
      const by = new Map(plan.criteria.map((c) => [c.id, c]));
      assert.equal(by.get('phase-2/exit/changelog-published')?.source, 'sidecar');
      assert.equal(by.get('phase-2/exit/changelog-published')?.verdict.status, 'fail');
      assert.equal(by.get('phase-1/exit/tests-pass')?.verifier?.kind, 'command');
      assert.equal(by.get('phase-1/exit/docs-written')?.verdict.status, 'error');
      assert.match(by.get('phase-1/exit/docs-written')!.verdict.reason, /pulser\.verifiers\.json/u);
    } finally {
      await p.done();
    }
    p = await project(plain, { 'phase-2/exit/changlog-published': { kind: 'manual' } });
    try {
      await assert.rejects(checkTarget(p.ws), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.match(e.message, /no criterion "phase-2\/exit\/changlog-published"/u);
        assert.match(String(e.data.hint), /phase-2\/exit\/changelog-published/u);
        return true;
      });
    } finally {
      await p.done();
    }
    p = await project(PLAN, { 'phase-1/exit/tests-pass': { kind: 'manual' } });
    try {
      const plan = (await checkTarget(p.ws, 'phase-1/exit/tests-pass', { record: false }))
        .plans[0]!;
      assert.equal(plan.criteria[0]?.verdict.status, 'error');
      assert.match(plan.criteria[0].verdict.reason, /bound twice/u);
    } finally {
      await p.done();
    }
  });

  it('file verifiers look only inside the project folder; checksums are compared', async () => {
    const sha = createHash('sha256').update('x').digest('hex');
    const plan = `# P\n\n## Phase 1\n\n**Exit criteria:**\n\n- Escape <!-- verify: file ../../etc/passwd -->\n- Sum <!-- verify: file a.txt sha256=${sha} -->\n`;
    const { ws, root, done } = await project(plan);
    try {
      writeFileSync(join(root, 'a.txt'), 'y');
      let c = (await checkTarget(ws, undefined, { record: false })).plans[0]!.criteria;
      assert.equal(c[0]?.verdict.status, 'error');
      assert.match(c[0].verdict.reason, /outside the project folder/u);
      assert.equal(c[1]?.verdict.status, 'fail');
      writeFileSync(join(root, 'a.txt'), 'x');
      c = (await checkTarget(ws, undefined, { record: false })).plans[0]!.criteria;
      assert.equal(c[1]?.verdict.status, 'pass');
    } finally {
      await done();
    }
  });

  it('a phase is not marked done while its gate fails, unless forced (recorded)', async () => {
    const { ws, done } = await project();
    try {
      await assert.rejects(setStatus(ws, 'phase-2', 'done', 'cli:ana'), (e: unknown) => {
        assert.ok(e instanceof StateError);
        assert.match(e.message, /the gate of phase-2 is pending/u);
        assert.match(e.message, /phase-2\/exit\/changelog-published/u);
        return true;
      });
      const ok = await setStatus(ws, 'phase-3', 'done', 'cli:ana');
      assert.equal(ok.changed, true, 'an empty gate passes');
      assert.ok(!(await types(ws)).includes('gate.forced'));
      const forced = await setStatus(ws, 'phase-2', 'done', 'cli:ana', {
        force: true,
        reason: 'hotfix',
      });
      assert.equal(forced.changed, true);
      const [event] = await ws.store.events.read({ types: ['gate.forced'] });
      assert.equal(event?.actor, 'cli:ana');
      assert.deepEqual(
        [(event?.data as { status: string }).status, (event?.data as { reason: string }).reason],
        ['pending', 'hotfix'],
      );
      await signoff(ws, 'phase-2/exit/changelog-published', {
        reason: 'x',
        actor: 'cli:ana',
      }).catch((e: unknown) => assert.fail(String(e)));
    } finally {
      await done();
    }
  });

  it('metric values: units, scales and bad input', async () => {
    const plan = `# P\n\n## Phase 1\n\n**Success criteria:**\n\n- Satisfaction >4.0/5.0\n- Regressions <!-- verify: metric regressions 0 new failures -->\n- CPU overhead <2% CPU\n`;
    const { ws, done } = await project(plan);
    try {
      await recordMetric(ws, 'satisfaction', '84/100', { actor: 'cli:a' });
      await recordMetric(ws, 'regressions', '0', { actor: 'cli:a' });
      await recordMetric(ws, 'cpu-overhead', '2.5%', { actor: 'cli:a' });
      const got = statuses((await checkTarget(ws, undefined, { record: false })).plans[0]!);
      assert.equal(got['phase-1/success/satisfaction-4-0-5-0'], 'pass', '84/100 is 4.2/5');
      assert.equal(got['phase-1/success/regressions'], 'pass', '0 new failures');
      assert.equal(got['phase-1/success/cpu-overhead-2-cpu'], 'fail', '2.5% is not <2% CPU');
      await assert.rejects(recordMetric(ws, 'cpu-overhead', 'fast'), UsageError);
      await assert.rejects(recordMetric(ws, 'cpu-overhead-2-cpx', '1'), (e: unknown) => {
        assert.match(
          String((e as InputError).data.hint),
          /did you mean phase-1\/metric\/cpu-overhead-2-cpu/u,
        );
        return true;
      });
      const [e] = await ws.store.events.read({ types: ['metric.recorded'] });
      assert.equal(e?.actor, 'cli:a');
      assert.deepEqual((e?.data as { value: number; scale: number }).scale, 100);
    } finally {
      await done();
    }
  });

  it('a plan changed on disk since its import is refused with a hint', async () => {
    const { ws, root, done } = await project();
    try {
      writeFileSync(join(root, 'plan.md'), `${PLAN}\n- [ ] more\n`);
      await assert.rejects(checkTarget(ws), /changed on disk since it was imported/u);
    } finally {
      await done();
    }
  });
});
