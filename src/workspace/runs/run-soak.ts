/**
 * Crash trials of the runtime with real processes, shared by the test suite (a quick trial)
 * and `scripts/soak-kill9.js` (many): worker processes are killed with SIGKILL at random
 * points of a run and restarted, then the run is finished and the workspace is checked — no
 * acknowledged transition lost (the event log replays to the table's states and its hash
 * chain is intact), no step completed twice, an interrupted step re-run at most once per
 * crash, `PRAGMA integrity_check` clean.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Workspace } from '../open.js';
import {
  allEvents,
  chainProblems,
  replayProblems,
  runWorkspace,
  until,
} from './run-test-helpers.js';
import { startRun } from './runs.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/pulser.js');

/** A `pulser worker` process on `root`. */
export interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Everything it wrote to stderr (its notices). */
  stderr(): string;
  /** Resolves when it exited. */
  readonly exited: Promise<void>;
}

/** Spawns `pulser worker` on the workspace at `root`. */
export function spawnWorker(
  root: string,
  id: string,
  options: { leaseMs?: number; concurrency?: number; env?: NodeJS.ProcessEnv } = {},
): WorkerProcess {
  const child = spawn(
    process.execPath,
    [
      BIN,
      '-w',
      root,
      'worker',
      '--id',
      id,
      '--lease-ms',
      String(options.leaseMs ?? 1000),
      '--concurrency',
      String(options.concurrency ?? 4),
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...(options.env ?? {}), PULSER_DEBUG: '1' },
    },
  );
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (err += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { id, child, stderr: () => err, exited };
}

/** Options of a crash trial. */
export interface CrashTrialOptions {
  /** Steps in the run. @default 24 */
  readonly steps?: number;
  /** Worker crashes (SIGKILL) before the run may finish. @default 3 */
  readonly kills?: number;
  /** Steps per worker at once. @default 4 */
  readonly concurrency?: number;
  /** @default 800 */
  readonly leaseMs?: number;
  /** Longest time a worker lives before it is killed. @default 700 */
  readonly maxLifeMs?: number;
  /** @default 'normal' */
  readonly durability?: 'full' | 'normal';
  readonly random?: () => number;
}

/** What a crash trial found. */
export interface CrashTrialReport {
  readonly steps: number;
  readonly kills: number;
  /** Executions started (from the steps' own marks), and how many were re-runs. */
  readonly starts: number;
  readonly reruns: number;
  /** Most starts of one step. */
  readonly maxStartsPerStep: number;
  readonly leaseTakeovers: number;
  /** Everything that broke a guarantee (empty when the trial passed). */
  readonly problems: ReadonlyArray<string>;
}

/** Runs one crash trial in a fresh workspace. */
export async function crashTrial(options: CrashTrialOptions = {}): Promise<CrashTrialReport> {
  const n = options.steps ?? 24;
  const kills = options.kills ?? 3;
  const random = options.random ?? Math.random;
  const { ws, root, done } = await runWorkspace({ durability: options.durability ?? 'normal' });
  const marks = join(root, 'marks.txt');
  try {
    const actor = 'cli:soak';
    const { run } = await startRun(ws, {
      actor,
      title: 'crash trial',
      steps: Array.from({ length: n }, (_, i) => ({
        title: `step ${i + 1}`,
        tool: 'shell' as const,
        input: `echo "start $PULSER_STEP_ID" >> "${marks}"; sleep 0.${1 + (i % 3)}; echo "end $PULSER_STEP_ID" >> "${marks}"`,
        trustedBy: actor,
        ...(i % 4 === 3 ? { after: [i - 1] } : {}),
      })),
    });
    const common = {
      leaseMs: options.leaseMs ?? 800,
      concurrency: options.concurrency ?? 4,
    };
    let killed = 0;
    for (let k = 0; k < kills; k++) {
      const w = spawnWorker(root, `crash-${k}`, common);
      const life = 100 + Math.floor(random() * ((options.maxLifeMs ?? 700) - 100));
      await new Promise((r) => setTimeout(r, life));
      w.child.kill('SIGKILL');
      await w.exited;
      killed++;
      if ((await ws.store.runs.getRun(run.id))?.finishedAt !== null) break;
    }
    const last = spawnWorker(root, 'final', common);
    try {
      await until(
        async () => (await ws.store.runs.getRun(run.id))?.finishedAt !== null,
        120_000,
        'the run to finish after the crashes',
      );
    } finally {
      last.child.kill('SIGTERM');
      await last.exited;
    }
    return await check(ws, run.id, n, killed, marks, common.concurrency);
  } finally {
    await done();
  }
}

async function check(
  ws: Workspace,
  runId: string,
  n: number,
  kills: number,
  marks: string,
  concurrency: number,
): Promise<CrashTrialReport> {
  const problems: string[] = [];
  problems.push(...(await ws.store.integrityCheck()).map((p) => `integrity: ${p}`));
  const events = await allEvents(ws);
  problems.push(...chainProblems(events));
  problems.push(...(await replayProblems(ws)));
  const run = (await ws.store.runs.getRun(runId))!;
  if (run.status !== 'succeeded') problems.push(`run ended ${run.status}`);
  const succeeded = new Map<string, number>();
  let takeovers = 0;
  for (const e of events) {
    if (e.type === 'step.succeeded' && e.subject !== null) {
      succeeded.set(e.subject, (succeeded.get(e.subject) ?? 0) + 1);
    }
    if (e.type === 'step.failed' && (e.data as { leaseExpired?: boolean }).leaseExpired === true)
      takeovers++;
  }
  const starts = new Map<string, number>();
  for (const line of readFileSync(marks, 'utf8').split('\n')) {
    const m = /^start (\S+)$/u.exec(line);
    if (m !== null) starts.set(m[1]!, (starts.get(m[1]!) ?? 0) + 1);
  }
  for (const s of await ws.store.runs.listSteps(runId)) {
    const count = succeeded.get(s.id) ?? 0;
    if (count !== 1) problems.push(`${s.id} completed ${count} times`);
    if (s.state !== 'succeeded') problems.push(`${s.id} ended ${s.state}`);
    const started = starts.get(s.id) ?? 0;
    if (started < 1) problems.push(`${s.id} never ran`);
    if (started > 1 + kills) problems.push(`${s.id} ran ${started} times with ${kills} crashes`);
  }
  const total = [...starts.values()].reduce((a, b) => a + b, 0);
  if (total - n > kills * concurrency) {
    problems.push(
      `${total - n} re-runs for ${kills} crashes of workers running ${concurrency} steps`,
    );
  }
  return {
    steps: n,
    kills,
    starts: total,
    reruns: total - n,
    maxStartsPerStep: Math.max(0, ...starts.values()),
    leaseTakeovers: takeovers,
    problems,
  };
}
