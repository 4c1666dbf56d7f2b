import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ManualClock, type Clock } from '../store/clock.js';
import type { StoredEvent } from '../store/events.js';
import { importPlan } from '../workspace/plans/import-plan.js';
import { openWorkspace, type Workspace } from '../workspace/open.js';
import { startWorker, type WorkerHandle } from '../workspace/runs/run-worker.js';
import { cancelRun, getRun, runLogs, startRun, waitForRun } from '../workspace/runs/runs.js';
import { replayProblems, until } from '../workspace/runs/run-test-helpers.js';
import { trustPlan } from '../workspace/access/trust.js';

const here = dirname(fileURLToPath(import.meta.url));
const FS_SERVER = resolve(
  here,
  '../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js',
);
const TEST_SERVER = resolve(here, '../tools/mcp-client-test-server.js');
const T = { timeout: 90_000 };
const ME = 'cli:tester';
const NOTES = 'hello from the notes\nsecond line\n';

const PLAN = `# MCP plan

## Phase 1: Read

### Task 1.1: Read the notes

Read the notes through the filesystem server.

\`\`\`mcp
{"server": "fs", "tool": "read_text_file", "arguments": {"path": "notes.txt"}}
\`\`\`

### Task 1.2: Ask a flaky server

Ask the server that crashes mid-call.

\`\`\`mcp
{"server": "test", "tool": "exit_mid_call"}
\`\`\`
`;

/** A project with `.pulser/config.json` naming real MCP servers, and PLAN.md imported. */
async function mcpWorkspace(
  clock?: Clock,
): Promise<{ ws: Workspace; root: string; planId: string; done: () => Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'pulser-mcp-step-'));
  mkdirSync(join(root, '.pulser'));
  writeFileSync(join(root, 'notes.txt'), NOTES);
  writeFileSync(
    join(root, '.pulser', 'config.json'),
    JSON.stringify({
      mcpServers: {
        fs: { command: process.execPath, args: [FS_SERVER, '.'] },
        test: {
          command: process.execPath,
          args: [TEST_SERVER],
          env: { PULSER_TEST_PID_FILE: join(root, 'hang.pid') },
        },
      },
    }),
  );
  writeFileSync(join(root, 'PLAN.md'), PLAN);
  const ws = await openWorkspace({ root, env: {}, ...(clock === undefined ? {} : { clock }) });
  const { stored } = await importPlan(ws, join(root, 'PLAN.md'), ME);
  return {
    ws,
    root,
    planId: stored.id,
    done: async () => {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const types = (events: ReadonlyArray<StoredEvent>): string[] =>
  events.filter((e) => e.type.startsWith('step.') && e.type !== 'step.output').map((e) => e.type);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('mcp steps: a plan step calls a real external MCP server', () => {
  const clock = new ManualClock();
  let ws: Workspace;
  let root: string;
  let planId: string;
  let done: () => Promise<void>;
  let w: WorkerHandle;
  before(async () => {
    ({ ws, root, planId, done } = await mcpWorkspace(clock));
    w = startWorker(ws, { clock, random: () => 0.5 }, false);
  });
  after(async () => {
    await w.stop();
    assert.deepEqual(await replayProblems(ws), []);
    await done();
  });

  it('is untrusted like a shell step: it waits until a person trusts the plan', T, async () => {
    const { run, steps } = await startRun(ws, { target: 'phase-1/task-1-1', actor: ME });
    assert.equal(steps.length, 1);
    assert.equal(steps[0]!.tool, 'mcp');
    assert.equal(steps[0]!.state, 'awaiting_approval');
    assert.equal(steps[0]!.approvalReason, 'untrusted');
    assert.equal(await w.worker.tick(), 0, 'nothing runs before trust');
    await assert.rejects(
      startRun(ws, { target: 'phase-1/task-1-1', actor: 'agent:x', trustUnsafely: true }),
      {
        code: 'E_TRUST',
      },
    );
    const stored = (await ws.store.plans.get(planId))!;
    const { released } = await trustPlan(ws, planId, stored.sha256, ME);
    assert.deepEqual(
      released.map((s) => s.id),
      [`${run.id}.1`],
    );
    await cancelRun(ws, run.id, ME);
  });

  it(
    'reads a file through @modelcontextprotocol/server-filesystem; the answer is the step output',
    T,
    async () => {
      const { run, steps } = await startRun(ws, { target: 'phase-1/task-1-1', actor: ME });
      assert.equal(steps[0]!.state, 'queued');
      assert.equal(steps[0]!.authority, 'trusted');
      assert.equal(await w.worker.tick(), 1);
      await w.worker.idle();
      const final = await getRun(ws, run.id);
      assert.equal(final.status, 'succeeded', JSON.stringify(final.steps[0]));
      const logs = await runLogs(ws, run.id);
      assert.equal(
        logs
          .filter((l) => l.stream === 'stdout')
          .map((l) => l.text)
          .join(''),
        NOTES,
      );
      const stderr = logs
        .filter((l) => l.stream === 'stderr')
        .map((l) => l.text)
        .join('');
      assert.match(stderr, /^mcp: calling fs read_text_file \(attempt 1\)\n/u);
      assert.match(stderr, /mcp: fs read_text_file answered \(\d+ bytes\)\n$/u);
      const events = await ws.store.runs.runEvents(run.id);
      assert.deepEqual(types(events), [
        'step.queued',
        'step.leased',
        'step.started',
        'step.succeeded',
      ]);
    },
  );

  it('a server crashing mid-call: the step retries with backoff, then quarantines', T, async () => {
    const { run } = await startRun(ws, { target: 'phase-1/task-1-2', actor: ME });
    const stepId = `${run.id}.1`;
    assert.equal((await ws.store.runs.getStep(stepId))!.state, 'queued', 'trusted with the plan');
    const delays = [750, 1500, 3000]; // 1 s × 2^(n−1) × (1 − 0.5 × 0.5)
    assert.equal(await w.worker.tick(), 1);
    await w.worker.idle();
    for (const [i, delay] of delays.entries()) {
      const step = (await ws.store.runs.getStep(stepId))!;
      assert.equal(step.state, 'queued', `after attempt ${i + 1}: ${step.error}`);
      assert.equal(step.retries, i + 1);
      assert.equal(step.runAt, clock.now() + delay);
      clock.advance(delay - 1);
      assert.equal(await w.worker.tick(), 0, 'not before its backoff');
      clock.advance(1);
      assert.equal(await w.worker.tick(), 1);
      await w.worker.idle();
    }
    const step = (await ws.store.runs.getStep(stepId))!;
    assert.equal(step.state, 'quarantined');
    assert.equal(step.attempts, 4);
    assert.match(step.error ?? '', /^connection-closed: MCP server test, tool exit_mid_call: /u);
    assert.equal((await getRun(ws, run.id)).status, 'waiting');
    const events = await ws.store.runs.runEvents(run.id);
    const failures = events.filter((e) => e.type === 'step.failed');
    assert.equal(failures.length, 4);
    for (const f of failures) assert.equal((f.data as { retryable: boolean }).retryable, true);
    assert.equal(events.filter((e) => e.type === 'step.retry_scheduled').length, 3);
    assert.ok(events.some((e) => e.type === 'step.quarantined'));
    const stderr = (await runLogs(ws, run.id)).map((l) => l.text).join('');
    assert.equal(stderr.match(/mcp: connection-closed \(retryable\)/gu)?.length, 4);
  });

  it(
    'a server killed with kill -9 mid-call is retried, and a server that recovers succeeds',
    T,
    async () => {
      const marker = join(root, 'crashed-once');
      const pidFile = join(root, 'hang.pid');
      const { run } = await startRun(ws, {
        actor: ME,
        steps: [
          {
            title: 'hang until killed',
            tool: 'mcp',
            input: JSON.stringify({ server: 'test', tool: 'hang' }),
            trustedBy: ME,
            retry: { maxRetries: 1 },
          },
          {
            title: 'crash once',
            tool: 'mcp',
            input: JSON.stringify({ server: 'test', tool: 'crash_once', arguments: { marker } }),
            trustedBy: ME,
          },
        ],
      });
      assert.equal(await w.worker.tick(), 2);
      await until(() => existsSync(pidFile), 30_000, 'the hanging server to start');
      const pid = Number(readFileSync(pidFile, 'utf8'));
      process.kill(pid, 'SIGKILL');
      await w.worker.idle();
      const [hung, crashed] = (await getRun(ws, run.id)).steps;
      assert.equal(hung!.state, 'queued');
      assert.match(hung!.error ?? '', /^connection-closed: /u);
      assert.equal(crashed!.state, 'queued');
      assert.ok(existsSync(marker), 'the server crashed after leaving its marker');
      clock.advance(5000);
      rmSync(pidFile);
      await w.worker.tick();
      await until(() => existsSync(pidFile), 30_000, 'the hanging server to start again');
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      await w.worker.idle();
      const steps = (await getRun(ws, run.id)).steps;
      assert.equal(steps[0]!.state, 'quarantined', 'its one retry is used up');
      assert.equal(steps[0]!.attempts, 2);
      assert.equal(steps[1]!.state, 'succeeded');
      assert.equal(steps[1]!.attempts, 2);
      const out = (await runLogs(ws, run.id)).filter(
        (l) => l.stepId === steps[1]!.id && l.stream === 'stdout',
      );
      assert.deepEqual(
        out.map((l) => l.text),
        ['recovered\n'],
      );
      assert.ok(!alive(pid));
    },
  );

  it(
    'does not retry what cannot succeed: unknown server, unknown tool, bad arguments, a tool error',
    T,
    async () => {
      const call = (
        title: string,
        input: unknown,
      ): { title: string; tool: 'mcp'; input: string; trustedBy: string } => ({
        title,
        tool: 'mcp',
        input: typeof input === 'string' ? input : JSON.stringify(input),
        trustedBy: ME,
      });
      const { run } = await startRun(ws, {
        actor: ME,
        steps: [
          call('no server', { server: 'nope', tool: 'x' }),
          call('no tool', { server: 'test', tool: 'no_such_tool' }),
          call('bad args', { server: 'test', tool: 'echo', arguments: { text: 42 } }),
          call('tool error', { server: 'test', tool: 'fail' }),
          call('not json', 'read the file please'),
        ],
      });
      while ((await w.worker.tick()) > 0) await w.worker.idle();
      await w.worker.idle();
      const steps = (await getRun(ws, run.id)).steps;
      assert.deepEqual(
        steps.map((s) => [s.title, s.state, s.retries, s.attempts]),
        [
          ['no server', 'quarantined', 0, 1],
          ['no tool', 'quarantined', 0, 1],
          ['bad args', 'quarantined', 0, 1],
          ['tool error', 'quarantined', 0, 1],
          ['not json', 'quarantined', 0, 1],
        ],
      );
      assert.match(steps[0]!.error ?? '', /no MCP server named nope in the workspace config/u);
      assert.match(steps[1]!.error ?? '', /^unknown-tool: /u);
      assert.match(steps[2]!.error ?? '', /^invalid-args: /u);
      assert.equal(steps[3]!.error, 'tool test fail reported an error: it went wrong');
      assert.match(steps[4]!.error ?? '', /^invalid mcp step: not JSON/u);
      const logs = await runLogs(ws, run.id);
      assert.ok(
        logs.some(
          (l) => l.stepId === steps[3]!.id && l.stream === 'stdout' && l.text === 'it went wrong\n',
        ),
      );
      assert.ok(
        logs.some((l) => l.stepId === steps[0]!.id && /configured servers: fs, test/u.test(l.text)),
      );
    },
  );

  it('per-tool rate limits: a token bucket for mcp shared by every worker', T, async () => {
    const limited = startWorker(
      ws,
      { clock, random: () => 0.5, rateLimits: { mcp: { perSecond: 0.5, burst: 1 } } },
      false,
    );
    try {
      const echo = (text: string) => ({
        title: `echo ${text}`,
        tool: 'mcp' as const,
        input: JSON.stringify({ server: 'test', tool: 'echo', arguments: { text } }),
        trustedBy: ME,
      });
      const { run } = await startRun(ws, { actor: ME, steps: [echo('a'), echo('b')] });
      assert.equal(await limited.worker.tick(), 1, 'the bucket holds one token');
      await limited.worker.idle();
      assert.equal(await limited.worker.tick(), 0, 'empty until it refills');
      clock.advance(1999);
      assert.equal(await limited.worker.tick(), 0);
      clock.advance(1);
      assert.equal(await limited.worker.tick(), 1);
      await limited.worker.idle();
      const final = await getRun(ws, run.id);
      assert.equal(final.status, 'succeeded');
      const out = (await runLogs(ws, run.id)).filter((l) => l.stream === 'stdout');
      assert.deepEqual(out.map((l) => l.text).sort(), ['a\n', 'b\n']);
    } finally {
      await limited.stop();
    }
  });
});

describe('mcp steps: timeout and cancellation (real clock)', () => {
  let ws: Workspace;
  let root: string;
  let done: () => Promise<void>;
  let w: WorkerHandle;
  before(async () => {
    ({ ws, root, done } = await mcpWorkspace());
    w = startWorker(ws, { pollMs: 20 });
  });
  after(async () => {
    await w.stop();
    assert.deepEqual(await replayProblems(ws), []);
    await done();
  });

  it('a call past its deadline times out (retryable), then quarantines', T, async () => {
    const { run } = await startRun(ws, {
      actor: ME,
      steps: [
        {
          title: 'slow',
          tool: 'mcp',
          input: JSON.stringify({ server: 'test', tool: 'hang', timeoutMs: 300 }),
          trustedBy: ME,
          retry: { maxRetries: 1, initialDelayMs: 10, jitter: 0 },
        },
      ],
    });
    const final = await waitForRun(ws, run.id);
    const step = final.steps[0]!;
    assert.equal(step.state, 'quarantined');
    assert.equal(step.attempts, 2);
    assert.match(step.error ?? '', /no answer within 300 ms/u);
    const events = await ws.store.runs.runEvents(run.id);
    assert.equal(events.filter((e) => e.type === 'step.timed_out').length, 2);
  });

  it('cancelling a run aborts the call and ends the server process', T, async () => {
    const pidFile = join(root, 'hang.pid');
    rmSync(pidFile, { force: true });
    const { run } = await startRun(ws, {
      actor: ME,
      steps: [
        {
          title: 'forever',
          tool: 'mcp',
          input: JSON.stringify({ server: 'test', tool: 'hang' }),
          trustedBy: ME,
        },
      ],
    });
    await until(() => existsSync(pidFile), 30_000, 'the server to start');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await cancelRun(ws, run.id, ME);
    await until(() => !alive(pid), 30_000, 'the server process to end');
    await until(() => w.worker.busy === 0, 30_000, 'the worker to let go of the step');
    const final = await getRun(ws, run.id);
    assert.equal(final.status, 'cancelled');
    assert.equal(final.steps[0]!.state, 'cancelled');
  });
});
