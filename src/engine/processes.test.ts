import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { crashTrial, spawnWorker, type WorkerProcess } from '../workspace/runs/run-soak.js';
import {
  allEvents,
  chainProblems,
  replayProblems,
  runWorkspace,
  until,
} from '../workspace/runs/run-test-helpers.js';
import { startRun } from '../workspace/runs/runs.js';

const ACTOR = 'cli:proc';

async function stopAll(workers: ReadonlyArray<WorkerProcess>): Promise<void> {
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

describe('real worker processes', () => {
  it('kill -9 at random points, restart, repeat: nothing lost, nothing completed twice', async () => {
    const report = await crashTrial({ steps: 24, kills: 3 });
    process.stderr.write(`# crash trial: ${JSON.stringify(report)}\n`);
    assert.deepEqual(report.problems, []);
    assert.equal(report.kills, 3);
    assert.ok(report.starts >= report.steps);
  });

  for (const count of [2, 4]) {
    it(`${count} worker processes on one database claim every step exactly once`, async () => {
      const { ws, root, done } = await runWorkspace();
      const workers = Array.from({ length: count }, (_, i) =>
        spawnWorker(root, `w${i + 1}`, { concurrency: 4, leaseMs: 10_000 }),
      );
      try {
        const n = 120;
        const { run } = await startRun(ws, {
          actor: ACTOR,
          steps: Array.from({ length: n }, (_, i) =>
            i % 3 === 0
              ? { title: `sh ${i}`, tool: 'shell' as const, input: 'sleep 0.02', trustedBy: ACTOR }
              : { title: `noop ${i}`, tool: 'noop' as const, input: String(i) },
          ),
        });
        await until(
          async () => (await ws.store.runs.getRun(run.id))?.finishedAt !== null,
          60_000,
          'the run',
        );
        const events = await allEvents(ws);
        const leased = new Map<string, number>();
        const by = new Set<string>();
        for (const e of events) {
          if (e.type !== 'step.leased' || e.subject === null) continue;
          leased.set(e.subject, (leased.get(e.subject) ?? 0) + 1);
          by.add(e.actor);
        }
        assert.equal(leased.size, n);
        assert.deepEqual([...new Set(leased.values())], [1], 'every step leased exactly once');
        assert.equal(events.filter((e) => e.type === 'step.succeeded').length, n);
        assert.equal((await ws.store.runs.getRun(run.id))!.status, 'succeeded');
        assert.deepEqual(chainProblems(events), []);
        assert.deepEqual(await replayProblems(ws), []);
        assert.deepEqual(await ws.store.integrityCheck(), []);
        process.stderr.write(`# ${count} workers: steps leased by ${[...by].sort().join(', ')}\n`);
      } finally {
        await stopAll(workers);
        await done();
      }
    });
  }

  it('SIGSTOP a worker past its lease: another takes over, and after SIGCONT its stale write is rejected', async () => {
    const { ws, root, done } = await runWorkspace();
    const marks = join(root, 'marks.txt');
    const a = spawnWorker(root, 'paused', { leaseMs: 600 });
    let b: WorkerProcess | null = null;
    try {
      const { run } = await startRun(ws, {
        actor: ACTOR,
        steps: [
          {
            title: 'slow',
            tool: 'shell',
            input: `echo "start $PULSER_ATTEMPT" >> "${marks}"; sleep 1; echo "end $PULSER_ATTEMPT" >> "${marks}"`,
            trustedBy: ACTOR,
          },
        ],
      });
      const stepId = `${run.id}.1`;
      await until(() => existsSync(marks), 20_000, 'the paused worker to start the step');
      a.child.kill('SIGSTOP');
      b = spawnWorker(root, 'taker', { leaseMs: 600 });
      await until(
        async () => (await ws.store.runs.getStep(stepId))?.leaseOwner === 'worker:taker',
        20_000,
        'the second worker to take the step over',
      );
      // The paused worker's child finished meanwhile; wake the worker up: it reports a result it no longer owns.
      await until(
        () => readFileSync(marks, 'utf8').includes('end 1'),
        20_000,
        "the first child's end",
      );
      a.child.kill('SIGCONT');
      await until(
        async () => (await ws.store.runs.getRun(run.id))?.finishedAt !== null,
        20_000,
        'the run',
      );
      await until(
        async () => (await ws.store.runs.runEvents(run.id)).some((e) => e.type === 'worker.fenced'),
        20_000,
        'the stale write to be rejected',
      );
      const events = await ws.store.runs.runEvents(run.id);
      const succeeded = events.filter((e) => e.type === 'step.succeeded');
      assert.equal(succeeded.length, 1);
      assert.equal(succeeded[0]!.actor, 'worker:taker');
      const fenced = events.filter((e) => e.type === 'worker.fenced');
      assert.ok(fenced.every((e) => e.actor === 'worker:paused'));
      assert.ok(
        events.some(
          (e) => e.type === 'step.failed' && (e.data as { leaseExpired?: boolean }).leaseExpired,
        ),
      );
      const step = (await ws.store.runs.getStep(stepId))!;
      assert.equal(step.state, 'succeeded');
      assert.equal(step.attempts, 2);
      assert.match(a.stderr(), /stale write rejected|cancelled or taken over/u);
      assert.deepEqual(await replayProblems(ws), []);
    } finally {
      a.child.kill('SIGCONT');
      await stopAll(b === null ? [a] : [a, b]);
      await done();
    }
  });
});
