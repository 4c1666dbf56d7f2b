/**
 * `pulser run`: start (or resume) a run and execute it in the foreground with an in-process
 * worker, showing progress until it ends or waits for a person. On a terminal a live block
 * shows each lane's current step; otherwise one line per event; `--json` prints events as JSON
 * lines. Ctrl-C cancels the run (a second Ctrl-C leaves at once).
 */
import { StoreError, UsageError, isPulserError } from '../../errors/index.js';
import type { StoredEvent } from '../../store/events.js';
import type { RunRecord, StepRecord } from '../../store/run-store.js';
import type { Workspace } from '../../workspace/open.js';
import { cliActor } from '../../workspace/plan-file.js';
import { startWorker } from '../../workspace/runs/run-worker.js';
import { cancelRun, getRun, isStalled, startRun } from '../../workspace/runs/runs.js';
import { findRun } from '../../workspace/runs/run-ids.js';
import { out } from '../context.js';
import { eventLine, renderRun, stalledHint } from './run-render.js';
import { shellCommand } from '../../util/shell-quote.js';
import { visibleLine } from '../../util/visible.js';
import { plural } from '../plural.js';

interface RunOptions {
  readonly lane?: string;
  readonly session?: string;
  readonly newSession?: string;
  readonly title?: string;
  readonly intent?: string;
  readonly detach?: boolean;
  readonly resume?: string;
  readonly concurrency?: number;
  readonly ignoreDeps?: boolean;
  readonly json?: boolean;
  readonly trustUnsafely?: boolean;
}

/** Exit code of a run: 0 succeeded, 1 failed or cancelled, 3 waiting for a person. */
export function exitCodeOf(run: RunRecord): number {
  if (run.status === 'succeeded') return 0;
  if (run.finishedAt !== null) return 1;
  return 3;
}

async function defaultTarget(ws: Workspace): Promise<string> {
  const plans = await ws.store.plans.list();
  if (plans.length === 1) return plans[0]!.id;
  if (plans.length === 0) {
    throw new UsageError('no plan has been imported yet', {
      hint: 'run `pulser import PLAN.md` first',
    });
  }
  throw new UsageError(
    `several plans are imported (${plans.map((p) => p.id).join(', ')}); name one`,
    {
      hint: shellCommand('pulser', 'run', plans[0]!.id),
    },
  );
}

/** Live progress on a terminal: a block of one line per lane, redrawn in place. */
class LiveBlock {
  #lines = 0;
  #started = Date.now();

  clear(): void {
    if (this.#lines > 0) process.stdout.write(`\x1b[${this.#lines}A\x1b[0J`);
    this.#lines = 0;
  }

  draw(run: RunRecord, steps: ReadonlyArray<StepRecord>): void {
    this.clear();
    const lanes = [...new Set(steps.map((s) => s.lane))].sort();
    const width = Math.max(20, (process.stdout.columns || 100) - 1);
    const lines: string[] = [];
    const now = Date.now();
    for (const lane of lanes) {
      const mine = steps.filter((s) => s.lane === lane);
      const done = mine.filter((s) => s.state === 'succeeded' || s.state === 'skipped').length;
      const current = mine.find((s) => s.state === 'running' || s.state === 'leased');
      const waiting = mine.find(
        (s) => s.state === 'awaiting_approval' || s.state === 'quarantined',
      );
      const bar = `[${'#'.repeat(Math.round((done / mine.length) * 10)).padEnd(10, '-')}] ${done}/${mine.length}`;
      let what = 'idle';
      if (current !== undefined) {
        const since = current.startedAt === null ? now : Date.parse(current.startedAt);
        what = `▶ ${current.title} (${((now - since) / 1000).toFixed(1)} s)`;
      } else if (waiting !== undefined)
        what = `⏸ ${waiting.title} (${waiting.state.replace('_', ' ')})`;
      else if (done === mine.length) what = '✓ done';
      lines.push(`lane ${lane.padEnd(8)} ${bar}  ${what}`.slice(0, width));
    }
    lines.push(
      `${run.id} ${run.status} · ${((now - this.#started) / 1000).toFixed(1)} s`.slice(0, width),
    );
    process.stdout.write(`${lines.map(visibleLine).join('\n')}\n`);
    this.#lines = lines.length;
  }
}

/** `pulser run`. */
export async function runCommand(
  ws: Workspace,
  target: string | undefined,
  opts: RunOptions,
): Promise<void> {
  const actor = cliActor();
  let runId: string;
  if (opts.resume !== undefined) {
    if (target !== undefined) throw new UsageError('give a target or --resume RUN, not both');
    runId = (await findRun(ws, opts.resume)).id;
  } else {
    if (opts.trustUnsafely === true) {
      process.stderr.write(
        'pulser: WARNING: --trust-unsafely runs commands from the document WITHOUT trust or approval.\n' +
          'pulser: WARNING: anything the document says will execute with your permissions.\n',
      );
    }
    const session = opts.newSession !== undefined ? { title: opts.newSession } : opts.session;
    const { run } = await startRun(ws, {
      target: target ?? (await defaultTarget(ws)),
      actor,
      ...(opts.lane === undefined ? {} : { lane: opts.lane }),
      ...(session === undefined ? {} : { session }),
      ...(opts.title === undefined ? {} : { title: opts.title }),
      ...(opts.intent === undefined ? {} : { intent: opts.intent }),
      ...(opts.trustUnsafely === true ? { trustUnsafely: true } : {}),
      ...(opts.ignoreDeps === true ? { ignoreDependencies: true } : {}),
    });
    runId = run.id;
  }
  if (opts.detach === true) {
    const { steps, ...run } = await getRun(ws, runId);
    if (opts.json === true) out(JSON.stringify({ run, steps }));
    else {
      out(
        `queued ${runId} (${plural(steps.length, 'step')}); \`pulser worker\` executes it, \`${shellCommand('pulser', 'logs', '-f', runId)}\` follows it`,
      );
      if (isStalled(run)) out(stalledHint(run, steps, await planPaths(ws)));
    }
    return;
  }
  // A store that cannot write (a full disk, a read-only or damaged file) stops the run at once
  // with what is wrong and what to do; the run keeps its state and resumes with --resume.
  let fatal: StoreError | null = null;
  const worker = startWorker(ws, {
    runs: [runId],
    pollMs: 20,
    ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
    onNotice: (n) => {
      if (fatal === null && n.kind === 'error' && cannotWrite(n.error)) {
        fatal = new StoreError(
          n.error.message,
          {
            ...n.error.data,
            hint: `${FIRST_FIX[n.error.data.reason as string] ?? 'fix the cause'}, then continue the run with \`pulser run --resume ${runId}\``,
          },
          n.error,
        );
      }
    },
  });
  let cancelled = 0;
  const onSigint = (): void => {
    cancelled++;
    if (cancelled > 1) process.exit(130);
    process.stderr.write(`\npulser: cancelling ${runId} (Ctrl-C again to leave now)\n`);
    void cancelRun(ws, runId, actor).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  try {
    const final = await follow(ws, runId, opts.json === true, () => fatal);
    process.exitCode = exitCodeOf(final.run);
    if (opts.json !== true) {
      if (final.run.finishedAt === null)
        out(stalledHint(final.run, final.steps, await planPaths(ws)));
      else if (final.run.status !== 'succeeded') out(renderRun(final.run, final.steps));
      if (final.run.status === 'succeeded' && final.run.target !== null) {
        // The loop closes by the project's policy: marked done, or offered.
        const { closeLoop } = await import('../../workspace/runs/completion.js');
        const r = await closeLoop(ws, actor, final.run.target.planId);
        for (const c of r.completed)
          out(
            `marked done in the plan: ${c.taskId} ${JSON.stringify(c.title)} (its steps succeeded in ${c.runId}; its criteria pass)`,
          );
        for (const c of r.proposed)
          out(`ready to mark done: ${c.taskId} ${JSON.stringify(c.title)}: ${c.command}`);
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
    await worker.stop({ graceMs: 0 });
  }
}

/** What to do first, by the store error's `reason`. */
const FIRST_FIX: Readonly<Record<string, string>> = {
  disk_full: 'free space on the disk that holds .pulser/',
  read_only: 'make .pulser/pulser.db and its folder writable for this user',
  damaged: 'run `pulser doctor`',
  ledger: 'run `pulser doctor`',
  io: 'check the disk (`df`, `dmesg`)',
};

/** True for a store error that means no write can succeed until a person acts. */
function cannotWrite(error: unknown): error is StoreError {
  if (!isPulserError(error) || error.code !== 'E_STORE' || error.retryable) return false;
  const reason = error.data.reason;
  return (
    reason === 'disk_full' ||
    reason === 'read_only' ||
    reason === 'damaged' ||
    reason === 'io' ||
    reason === 'ledger'
  );
}

async function planPaths(ws: Workspace): Promise<Map<string, string>> {
  return new Map((await ws.store.plans.list()).map((p) => [p.id, p.path]));
}

/** Prints the run's events until it ends or waits for a person; returns its final state. */
async function follow(
  ws: Workspace,
  runId: string,
  json: boolean,
  failed: () => StoreError | null,
): Promise<{ run: RunRecord; steps: ReadonlyArray<StepRecord> }> {
  const tty = !json && process.stdout.isTTY === true;
  const live = tty ? new LiveBlock() : null;
  let after = 0;
  let titles = new Map<string, string>();
  let lastDraw = 0;
  for (;;) {
    // State first, then events: when the state says "done", every event up to it is printed.
    const run = (await ws.store.runs.getRun(runId))!;
    const steps = await ws.store.runs.listSteps(runId);
    const events: StoredEvent[] = await ws.store.runs.runEvents(runId, after, 2000);
    if (titles.size !== steps.length) titles = new Map(steps.map((s) => [s.id, s.title]));
    if (events.length > 0) {
      after = events[events.length - 1]!.seq;
      live?.clear();
      for (const e of events) {
        if (json) {
          out(JSON.stringify(e));
          continue;
        }
        if (e.type === 'step.output') {
          const d = e.data as { text: string; stream: string };
          const prefix = `${e.subject ?? ''} ${d.stream === 'stderr' ? '!' : '|'} `;
          for (const line of d.text.replace(/\n$/u, '').split('\n')) out(`${prefix}${line}`);
          continue;
        }
        const line = eventLine(e, titles);
        if (line !== null) out(line);
      }
    }
    const now = Date.now();
    if (live !== null && (events.length > 0 || now - lastDraw > 200)) {
      live.draw(run, steps);
      lastDraw = now;
    }
    const done = run.finishedAt !== null || isStalled(run);
    if (done && events.length < 2000) {
      live?.clear();
      return { run, steps };
    }
    const error = failed();
    if (error !== null) {
      live?.clear();
      throw error;
    }
    if (events.length < 2000) await new Promise((r) => setTimeout(r, 50));
  }
}
