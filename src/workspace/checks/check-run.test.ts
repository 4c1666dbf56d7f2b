/**
 * Command verifiers through the durable runtime, with real shell processes: exit codes and
 * output matches decide them; an untrusted command never runs (a canary file proves it) until
 * the plan is trusted or the execution approved; a flaky command is flagged; metric values a
 * command prints are recorded and compared; gates pass only when every criterion passes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkTarget, type CriterionCheck, type PlanCheck } from './check.js';
import { approveStep, getRun, listRuns } from '../runs/runs.js';
import { startWorker } from '../runs/run-worker.js';
import { importedProject, tempProject } from '../test-helpers.js';
import { trustFile, trustStatus } from '../access/trust.js';

const project = importedProject;

/** Makes `root` a git work tree with one commit of everything in it. */
function gitInit(root: string): void {
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
    ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'plan'],
  ]) {
    const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
}

function byId(plan: PlanCheck): Map<string, CriterionCheck> {
  return new Map(plan.criteria.map((c) => [c.id, c]));
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

const GATES = `# Launch

## Phase 1: Build

**Exit criteria:**

- [ ] Hello prints <!-- verify: command \`echo hello\` match="^hel+o$" -->
- [ ] Exits three <!-- verify: command \`echo three; exit 3\` expect-exit=3 -->
- [ ] Fails <!-- verify: command \`echo broken >&2; exit 1\` -->
- [ ] Wrong output <!-- verify: command \`echo goodbye\` match="^hello$" -->

## Phase 2: Ship

**Exit criteria:**

- [ ] Green <!-- verify: command \`test -f green\` -->
- [ ] Prints ok <!-- verify: command \`echo ok\` match="ok" -->
`;

describe('command verifiers through the runtime', () => {
  it('decide by exit code and output match; the gate passes only when all criteria pass', async () => {
    const { ws, root, done } = await project(GATES);
    try {
      gitInit(root);
      await trustFile(ws, join(root, 'plan.md'), 'cli:ana');
      let plan = (await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!;
      let c = byId(plan);
      assert.equal(c.get('phase-1/exit/hello-prints')?.verdict.status, 'pass');
      assert.equal(c.get('phase-1/exit/exits-three')?.verdict.status, 'pass');
      const fails = c.get('phase-1/exit/fails')!.verdict;
      assert.equal(fails.status, 'fail');
      assert.match(fails.reason, /exited 1, expected 0/u);
      assert.equal(fails.evidence['exitCode'], 1);
      const wrong = c.get('phase-1/exit/wrong-output')!.verdict;
      assert.equal(wrong.status, 'fail');
      assert.match(wrong.reason, /exited 0 but its output does not match \/\^hello\$\//u);
      const hello = c.get('phase-1/exit/hello-prints')!.verdict.evidence;
      assert.equal(hello['outputSha256'], sha('hello\n'));
      assert.equal(hello['matched'], true);
      // The evidence names the real step that ran, in the run `check` started.
      const run = await getRun(ws, String(hello['runId']));
      // A failing verifier is a verdict, not a stuck run: the run ends, and says its checks failed.
      assert.equal(run.status, 'failed', 'a run whose checks failed is failed');
      assert.equal(run.counts.quarantined, 0);
      const judged = await ws.store.events.read({ types: ['run.judged'], limit: 10 });
      assert.match(
        String((judged.find((e) => e.subject === run.id)?.data as { reason: string }).reason),
        /check phase-1\/exit\/fails failed: .*exited 1, expected 0; check phase-1\/exit\/wrong-output failed: .*does not match/u,
      );
      // `exits-three` expects exit 3: its step failed, its check passed; nothing else is judged.
      const three = c.get('phase-1/exit/exits-three')!.verdict.evidence;
      const alone = await getRun(ws, String(three['runId']));
      assert.equal(alone.id, run.id);
      const step = run.steps.find((s) => s.id === hello['stepId'])!;
      assert.equal(step.title, 'check phase-1/exit/hello-prints');
      assert.deepEqual(step.spec.provenance, {
        planId: 'plan',
        planSha256: plan.sha256,
        nodeId: 'phase-1/exit/hello-prints',
      });
      assert.equal(step.authority, 'trusted');
      assert.deepEqual(
        plan.phases.map((p) => [p.id, p.gate.status]),
        [
          ['phase-1', 'fail'],
          ['phase-2', 'fail'],
        ],
      );
      // Phase 2 passes once its last criterion does. The fix changed the code the command
      // judges: failing before and passing after it is not flaky.
      writeFileSync(join(root, 'green'), '');
      plan = (await checkTarget(ws, 'phase-2', { actor: 'cli:ana' })).plans[0]!;
      c = byId(plan);
      assert.equal(c.get('phase-2/exit/green')?.verdict.status, 'pass');
      assert.equal(c.get('phase-2/exit/green')?.flaky, false);
      const green = String(c.get('phase-2/exit/green')!.verdict.evidence['runId']);
      assert.equal((await getRun(ws, green)).status, 'succeeded', 'every check of it passed');
      assert.equal(plan.phases[0]?.gate.status, 'pass');
      // Each execution is recorded with its own step as evidence.
      const recorded = await ws.store.events.read({ types: ['verdict.recorded'], limit: 1000 });
      const okRuns = recorded
        .filter((e) => e.subject === 'phase-2/exit/prints-ok')
        .map((e) => (e.data as { evidence: { stepId: string } }).evidence.stepId);
      assert.equal(new Set(okRuns).size, 2);
    } finally {
      await done();
    }
  });

  it('an untrusted command never runs until the plan is trusted', async () => {
    const plan = `# P\n\n## Phase 1\n\n**Exit criteria:**\n\n- Canary <!-- verify: command \`touch canary\` -->\n`;
    const { ws, root, done } = await project(plan);
    try {
      const canary = join(root, 'canary');
      // A worker running in the background (like the server's) must not run it either.
      const bystander = startWorker(ws, { pollMs: 10 });
      let c = (await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!.criteria[0]!;
      assert.equal(c.verdict.status, 'not_run');
      const stepId = String(c.verdict.evidence['stepId']);
      assert.equal(
        c.verdict.reason,
        `awaiting approval: pulser trust plan.md or pulser approve ${stepId}`,
      );
      // Checking again waits on the same step: no new run, nothing executed.
      c = (await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!.criteria[0]!;
      assert.equal(c.verdict.evidence['stepId'], stepId);
      assert.equal((await listRuns(ws)).length, 1);
      await bystander.stop();
      assert.equal(existsSync(canary), false, 'the untrusted command ran');
      const status = (await trustStatus(ws))[0]!;
      assert.deepEqual(
        status.executables.map((e) => [e.kind, e.nodeId, e.trust]),
        [['verifier', 'phase-1/exit/canary', 'untrusted']],
      );

      await trustFile(ws, join(root, 'plan.md'), 'cli:ana');
      c = (await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!.criteria[0]!;
      assert.equal(c.verdict.status, 'pass');
      assert.equal(c.verdict.evidence['stepId'], stepId, 'trust released the waiting step');
      assert.equal(existsSync(canary), true);
      assert.equal((await trustStatus(ws))[0]?.status, 'full');
    } finally {
      await done();
    }
  });

  it('an approved execution is judged once; sidecar commands follow the same trust', async () => {
    const plan = `# P\n\n## Phase 1\n\n**Exit criteria:**\n\n- Counted\n- Sidecar canary\n`;
    const { ws, root, done } = await project(plan, {
      'phase-1/exit/counted': { kind: 'command', command: 'echo run >> count' },
      'phase-1/exit/sidecar-canary': { kind: 'command', command: 'touch canary' },
    });
    try {
      const count = join(root, 'count');
      const canary = join(root, 'canary');
      let c = byId((await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!);
      assert.equal(c.get('phase-1/exit/counted')?.verdict.status, 'not_run');
      assert.equal(c.get('phase-1/exit/sidecar-canary')?.verdict.status, 'not_run');
      const waiting = String(c.get('phase-1/exit/counted')!.verdict.evidence['stepId']);
      await approveStep(ws, waiting, 'cli:bob');
      c = byId((await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!);
      assert.equal(c.get('phase-1/exit/counted')?.verdict.status, 'pass');
      assert.equal(c.get('phase-1/exit/counted')?.verdict.evidence['stepId'], waiting);
      assert.equal(c.get('phase-1/exit/sidecar-canary')?.verdict.status, 'not_run');
      // An approval covers one execution: the next check waits for a person again.
      c = byId((await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!);
      assert.equal(c.get('phase-1/exit/counted')?.verdict.status, 'not_run');
      assert.notEqual(c.get('phase-1/exit/counted')?.verdict.evidence['stepId'], waiting);
      assert.equal(readFileSync(count, 'utf8'), 'run\n');
      assert.equal(existsSync(canary), false);

      // Trusting the plan trusts the sidecar's commands as they are now...
      await trustFile(ws, join(root, 'plan.md'), 'cli:ana');
      c = byId((await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!);
      assert.equal(c.get('phase-1/exit/sidecar-canary')?.verdict.status, 'pass');
      assert.equal(existsSync(canary), true);
      rmSync(canary);
      // ...and an edited sidecar command is untrusted again.
      writeFileSync(
        join(root, 'pulser.verifiers.json'),
        JSON.stringify({
          'phase-1/exit/counted': { kind: 'command', command: 'echo run >> count' },
          'phase-1/exit/sidecar-canary': { kind: 'command', command: 'touch canary; true' },
        }),
      );
      c = byId((await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!);
      assert.equal(c.get('phase-1/exit/sidecar-canary')?.verdict.status, 'not_run');
      assert.equal(c.get('phase-1/exit/counted')?.verdict.status, 'pass');
      assert.equal(existsSync(canary), false, 'the edited sidecar command ran without trust');
      assert.equal(
        readFileSync(count, 'utf8'),
        'run\nrun\nrun\n',
        'approved, trusted-and-released, trusted',
      );
    } finally {
      await done();
    }
  });

  it('a command that passes then fails on the same plan is flagged flaky', async () => {
    const flip = 'if [ -f flag ]; then rm flag; exit 1; else touch flag; fi';
    const plan = `# P\n\n## Phase 1\n\n**Exit criteria:**\n\n- Flaky <!-- verify: command \`${flip}\` -->\n`;
    const { ws, root, done } = await project(plan);
    try {
      await trustFile(ws, join(root, 'plan.md'), 'cli:ana');
      const id = 'phase-1/exit/flaky';
      const once = (await checkTarget(ws, id, { actor: 'cli:ana' })).plans[0]!.criteria[0]!;
      assert.deepEqual([once.verdict.status, once.flaky], ['pass', false]);
      const twice = (await checkTarget(ws, id, { actor: 'cli:ana' })).plans[0]!.criteria[0]!;
      assert.deepEqual(
        [twice.observed, twice.flaky, twice.verdict.status],
        ['fail', true, 'error'],
      );
      assert.match(twice.verdict.reason, /flaky/u);
      const quarantined = await ws.store.events.read({ types: ['verifier.quarantined'] });
      assert.equal(quarantined.length, 1);
      assert.equal(quarantined[0]?.subject, id);
      // Passing again does not clear it: a person decides.
      const third = (await checkTarget(ws, id, { actor: 'cli:ana' })).plans[0]!.criteria[0]!;
      assert.deepEqual([third.observed, third.verdict.status], ['pass', 'error']);
    } finally {
      await done();
    }
  });

  it('in a git work tree, a flip on the same commit and the same changes is flaky too', async () => {
    const outside = tempProject();
    const flip = `if [ -f ${outside}/flag ]; then rm ${outside}/flag; exit 1; else touch ${outside}/flag; fi`;
    const plan = `# P\n\n## Phase 1\n\n**Exit criteria:**\n\n- Flaky <!-- verify: command \`${flip}\` -->\n`;
    const { ws, root, done } = await project(plan);
    try {
      gitInit(root);
      await trustFile(ws, join(root, 'plan.md'), 'cli:ana');
      const first = (await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!.criteria[0]!;
      assert.deepEqual([first.observed, first.flaky], ['pass', false]);
      const second = (await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!;
      assert.deepEqual([second.criteria[0]!.observed, second.criteria[0]!.flaky], ['fail', true]);
    } finally {
      await done();
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('metric values printed as JSON are recorded by the worker and compared with the target', async () => {
    const plan = `# P

## Phase 1

**Exit criteria:**

- Latency p99 < 50 ms <!-- verify: command \`echo '{"value": 42}'\` -->
- Error budget <!-- verify: command \`echo starting; echo '{"metrics": {"error-rate": "3%"}}'\` -->

| Metric | Target |
| --- | --- |
| Error rate | <2% |
`;
    const { ws, root, done } = await project(plan);
    try {
      await trustFile(ws, join(root, 'plan.md'), 'cli:ana');
      const result = (await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!;
      const c = byId(result);
      const latency = c.get('phase-1/exit/latency-p99-50-ms')!.verdict;
      assert.equal(latency.status, 'pass');
      assert.match(latency.reason, /measured 42 .*target < 50 ms/u);
      assert.equal(c.get('phase-1/exit/error-budget')?.verdict.status, 'pass');
      const metrics = new Map(result.metrics.map((m) => [m.id, m.verdict]));
      assert.equal(metrics.get('phase-1/metric/latency-p99-50-ms')?.status, 'pass');
      assert.equal(metrics.get('phase-1/metric/error-rate')?.status, 'fail');
      assert.equal(result.phases[0]?.gate.status, 'fail');
      const recorded = await ws.store.events.read({ types: ['metric.recorded'] });
      assert.deepEqual(
        recorded.map((e) => [e.subject, (e.data as { value: number }).value]),
        [
          ['phase-1/metric/latency-p99-50-ms', 42],
          ['phase-1/metric/error-rate', 3],
        ],
      );
      assert.ok(recorded.every((e) => e.actor.startsWith('worker:')));
      assert.match(String((recorded[0]?.data as { note: string }).note), /printed by/u);
    } finally {
      await done();
    }
  });

  it('a value out of target fails the command criterion; unknown metrics are errors', async () => {
    const plan = `# P

## Phase 1

**Exit criteria:**

- Latency p99 < 50 ms <!-- verify: command \`echo '{"value": "61 ms"}'\` -->
- Typo <!-- verify: command \`echo '{"metrics": {"eror-rate": 1}}'\` -->
`;
    const { ws, root, done } = await project(plan);
    try {
      await trustFile(ws, join(root, 'plan.md'), 'cli:ana');
      const c = byId((await checkTarget(ws, undefined, { actor: 'cli:ana' })).plans[0]!);
      const latency = c.get('phase-1/exit/latency-p99-50-ms')!.verdict;
      assert.equal(latency.status, 'fail');
      assert.match(latency.reason, /exited 0, but measured 61 ms .*target < 50 ms/u);
      const typo = c.get('phase-1/exit/typo')!.verdict;
      assert.equal(typo.status, 'error');
      assert.match(typo.reason, /names metric "eror-rate", which plan plan does not have/u);
    } finally {
      await done();
    }
  });

  it('a promotion decision executes nothing: it uses the last recorded command verdicts', async () => {
    const plan = `# P\n\n## Phase 1\n\n**Exit criteria:**\n\n- Counted <!-- verify: command \`echo run >> count\` -->\n`;
    const { ws, root, done } = await project(plan);
    try {
      await trustFile(ws, join(root, 'plan.md'), 'cli:ana');
      const { gateForPromotion } = await import('../gates/gate.js');
      await assert.rejects(
        gateForPromotion(ws, 'plan', 'phase-1', { actor: 'cli:ana' }),
        /not run on this plan and code yet: `pulser check plan:phase-1\/exit\/counted`/u,
      );
      assert.equal(existsSync(join(root, 'count')), false);
      await checkTarget(ws, 'phase-1', { actor: 'cli:ana' });
      const phase = await gateForPromotion(ws, 'plan', 'phase-1', { actor: 'cli:ana' });
      assert.equal(phase.gate.status, 'pass');
      assert.equal(readFileSync(join(root, 'count'), 'utf8'), 'run\n');
    } finally {
      await done();
    }
  });
});
