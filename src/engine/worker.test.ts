import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../store/clock.js';
import type { Workspace } from '../workspace/open.js';
import { startWorker, type WorkerHandle } from '../workspace/runs/run-worker.js';
import {
  artifactPath,
  cancelRun,
  getRun,
  runLogs,
  startRun,
  waitForRun,
  type AdHocStep,
} from '../workspace/runs/runs.js';
import {
  allEvents,
  chainProblems,
  replayProblems,
  runWorkspace,
  until,
} from '../workspace/runs/run-test-helpers.js';
import { retryDelay } from './backoff.js';
import { DEFAULT_RETRY_POLICY } from '../store/run-store.js';

const ACTOR = 'cli:tester';

function shell(title: string, input: string, extra: Partial<AdHocStep> = {}): AdHocStep {
  return { title, tool: 'shell', input, trustedBy: ACTOR, ...extra };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('backoff formula', () => {
  it('doubles from 1 s, caps at maxDelayMs, and jitters down by at most `jitter`', () => {
    const p = DEFAULT_RETRY_POLICY;
    assert.deepEqual(
      [1, 2, 3].map((n) => retryDelay(p, n, () => 0)),
      [1000, 2000, 4000],
    );
    assert.deepEqual(
      [1, 2, 3].map((n) => retryDelay(p, n, () => 0.999999)),
      [500, 1000, 2000],
    );
    assert.equal(
      retryDelay({ ...p, maxDelayMs: 3000 }, 10, () => 0),
      3000,
    );
    assert.equal(
      retryDelay({ ...p, jitter: 0 }, 2, () => 0.7),
      2000,
    );
  });
});

describe('worker: retries on an injectable clock (no sleeps)', () => {
  const clock = new ManualClock();
  let ws: Workspace;
  let done: () => Promise<void>;
  let w: WorkerHandle;
  before(async () => {
    ({ ws, done } = await runWorkspace({ clock }));
    w = startWorker(ws, { clock, random: () => 0.5 }, false);
  });
  after(async () => {
    await w.stop();
    assert.deepEqual(await replayProblems(ws), []);
    await done();
  });

  it('schedules each retry at now + delay, runs it not a millisecond earlier, then quarantines', async () => {
    const { run } = await startRun(ws, {
      steps: [shell('flaky', 'echo try $PULSER_ATTEMPT; exit 3', { retry: { maxRetries: 2 } })],
      actor: ACTOR,
    });
    const stepId = `${run.id}.1`;
    const expected = [750, 1500]; // 1000 × (1 − 0.5 × 0.5), then 2000 × 0.75
    assert.equal(await w.worker.tick(), 1);
    await w.worker.idle();
    for (const [i, delay] of expected.entries()) {
      let step = (await ws.store.runs.getStep(stepId))!;
      assert.equal(step.state, 'queued');
      assert.equal(step.retries, i + 1);
      assert.equal(step.runAt, clock.now() + delay);
      const scheduled = (await ws.store.runs.runEvents(run.id)).filter(
        (e) => e.type === 'step.retry_scheduled',
      );
      assert.deepEqual(scheduled.at(-1)!.data, {
        runId: run.id,
        stepId,
        attempt: i + 2,
        retry: i + 1,
        delayMs: delay,
        at: new Date(clock.now() + delay).toISOString(),
      });
      clock.advance(delay - 1);
      assert.equal(await w.worker.tick(), 0, 'not before its time');
      clock.advance(1);
      assert.equal(await w.worker.tick(), 1);
      await w.worker.idle();
      step = (await ws.store.runs.getStep(stepId))!;
      assert.equal(step.attempts, i + 2);
    }
    const step = (await ws.store.runs.getStep(stepId))!;
    assert.equal(step.state, 'quarantined');
    assert.equal(step.exitCode, 3);
    assert.equal((await getRun(ws, run.id)).status, 'waiting');
    const logs = (await runLogs(ws, run.id)).map((l) => l.text).join('');
    assert.equal(logs, 'try 1\ntry 2\ntry 3\n');
  });

  it('does not retry what cannot succeed (command not found: exit 127)', async () => {
    const { run } = await startRun(ws, {
      steps: [shell('missing', 'this-command-does-not-exist-pulser')],
      actor: ACTOR,
    });
    await w.worker.tick();
    await w.worker.idle();
    const step = (await ws.store.runs.getStep(`${run.id}.1`))!;
    assert.equal(step.state, 'quarantined');
    assert.equal(step.exitCode, 127);
    assert.equal(step.retries, 0);
    const failed = (await ws.store.runs.runEvents(run.id)).find((e) => e.type === 'step.failed');
    assert.equal((failed!.data as { retryable: boolean }).retryable, false);
  });
});

describe('worker: real child processes', () => {
  let ws: Workspace;
  let root: string;
  let done: () => Promise<void>;
  let w: WorkerHandle;
  before(async () => {
    ({ ws, root, done } = await runWorkspace());
    w = startWorker(ws, { pollMs: 10, maxOutputBytes: 10_000, concurrency: 4 });
  });
  after(async () => {
    await w.stop();
    assert.deepEqual(chainProblems(await allEvents(ws)), []);
    assert.deepEqual(await replayProblems(ws), []);
    await done();
  });

  it('runs in the given cwd with the given environment; records exit code and signal', async () => {
    mkdirSync(join(root, 'sub'));
    const { run } = await startRun(ws, {
      steps: [
        shell('env', 'pwd; echo "$GREETING"; echo err >&2', {
          cwd: 'sub',
          env: { GREETING: 'hello there' },
        }),
        shell('signal', 'kill -TERM $$', { retry: { maxRetries: 0 } }),
      ],
      actor: ACTOR,
    });
    const r = await waitForRun(ws, run.id);
    assert.equal(r.steps[0]!.state, 'succeeded');
    assert.equal(r.steps[0]!.exitCode, 0);
    assert.equal(r.steps[1]!.state, 'quarantined');
    assert.equal(r.steps[1]!.signal, 'SIGTERM');
    const logs = await runLogs(ws, run.id);
    const out = logs
      .filter((l) => l.stepId === `${run.id}.1` && l.stream === 'stdout')
      .map((l) => l.text)
      .join('');
    assert.equal(out, `${join(root, 'sub')}\nhello there\n`);
    assert.ok(logs.some((l) => l.stream === 'stderr' && l.text === 'err\n'));
    await cancelRun(ws, run.id, ACTOR);
  });

  it('kills the whole process group on timeout', async () => {
    const pidFile = join(root, 'bg.pid');
    const { run } = await startRun(ws, {
      steps: [
        shell('slow', `sleep 60 & echo $! > "${pidFile}"; sleep 60`, {
          timeoutMs: 300,
          retry: { maxRetries: 0 },
        }),
      ],
      actor: ACTOR,
    });
    const r = await waitForRun(ws, run.id);
    const step = r.steps[0]!;
    assert.equal(step.state, 'quarantined');
    assert.match(step.error ?? '', /timed out/u);
    const events = await ws.store.runs.runEvents(run.id);
    assert.ok(events.some((e) => e.type === 'step.timed_out'));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await until(() => !alive(pid), 5000, 'the background child to be killed');
    await cancelRun(ws, run.id, ACTOR);
  });

  it('bounds output and says so', async () => {
    const { run } = await startRun(ws, {
      steps: [
        shell(
          'chatty',
          'i=0; while [ $i -lt 4000 ]; do echo "line $i of some output"; i=$((i+1)); done',
        ),
      ],
      actor: ACTOR,
    });
    const r = await waitForRun(ws, run.id, { until: 'finished' });
    assert.equal(r.status, 'succeeded');
    const events = (await ws.store.runs.runEvents(run.id)).filter((e) => e.type === 'step.output');
    const text = events.map((e) => (e.data as { text: string }).text);
    const kept = events.filter((e) => (e.data as { truncated?: boolean }).truncated !== true);
    assert.equal(kept.map((e) => (e.data as { text: string }).text).join('').length, 10_000);
    assert.match(text.at(-1)!, /output truncated/u);
  });

  it('stores declared outputs content-addressed', async () => {
    const { run } = await startRun(ws, {
      steps: [shell('build', 'printf "artifact body" > out.bin', { outputs: ['out.bin'] })],
      actor: ACTOR,
    });
    const r = await waitForRun(ws, run.id, { until: 'finished' });
    assert.equal(r.status, 'succeeded');
    const ev = (await ws.store.runs.runEvents(run.id)).find((e) => e.type === 'step.artifact')!;
    const d = ev.data as { path: string; sha256: string; bytes: number };
    assert.equal(d.path, 'out.bin');
    assert.equal(d.bytes, 13);
    assert.equal(readFileSync(artifactPath(ws, d.sha256), 'utf8'), 'artifact body');
  });

  it('fails a step whose declared output is missing, without retrying', async () => {
    const { run } = await startRun(ws, {
      steps: [shell('forgot', 'true', { outputs: ['nope.txt'] })],
      actor: ACTOR,
    });
    const r = await waitForRun(ws, run.id);
    assert.equal(r.steps[0]!.state, 'quarantined');
    assert.match(r.steps[0]!.error ?? '', /declared output nope\.txt/u);
    await cancelRun(ws, run.id, ACTOR);
  });

  it('cancelling kills the running step and its process group', async () => {
    const pidFile = join(root, 'cancel.pid');
    const { run } = await startRun(ws, {
      steps: [shell('forever', `sleep 60 & echo $! > "${pidFile}"; wait`)],
      actor: ACTOR,
    });
    await until(
      () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
      10_000,
      'the step to start',
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await cancelRun(ws, run.id, ACTOR);
    await until(() => !alive(pid), 10_000, 'the cancelled step to be killed');
    const r = await waitForRun(ws, run.id, { until: 'finished' });
    assert.equal(r.status, 'cancelled');
    assert.equal(r.steps[0]!.state, 'cancelled');
  });

  it('hands the script to the shell verbatim (quotes, $, backslashes, newlines)', async () => {
    const script = `printf '%s\\n' "a  b" 'c$HOME' "d\\\\e"\necho 'last line'\n`;
    writeFileSync(join(root, 'script.txt'), script);
    const { run } = await startRun(ws, { steps: [shell('verbatim', script)], actor: ACTOR });
    await waitForRun(ws, run.id, { until: 'finished' });
    const out = (await runLogs(ws, run.id)).map((l) => l.text).join('');
    assert.equal(out, 'a  b\nc$HOME\nd\\e\nlast line\n');
  });
});
