/**
 * A run's output for readers: the chunks of one step or of all, and the whole log as a file
 * (the bytes the steps wrote, a header line where the output passes to another step).
 */
import { NotFoundError } from '../../errors/index.js';
import type { LogLine } from '../../store/run-store.js';
import type { Workspace } from '../open.js';
import { findRun, findStep } from './run-ids.js';

/** Output chunks of a run after event `after`, of one step when `step` is given. */
export async function runLogView(
  ws: Workspace,
  runId: string,
  options: { after?: number; limit?: number; step?: string } = {},
): Promise<LogLine[]> {
  const run = await findRun(ws, runId);
  const limit = options.limit ?? 5000;
  if (options.step === undefined) return ws.store.runs.logs(run.id, options.after ?? 0, limit);
  const step = await findStep(
    ws,
    /^\d+$/u.test(options.step) ? `${run.id}.${options.step}` : options.step,
  );
  if (step.runId !== run.id) {
    throw new NotFoundError(`step ${step.id} is not a step of run ${run.id}`, {
      hint: `its run is ${step.runId}`,
    });
  }
  // Read on until `limit` chunks of this step are found or the log ends.
  const out: LogLine[] = [];
  let after = options.after ?? 0;
  for (;;) {
    const page = await ws.store.runs.logs(run.id, after, 5000);
    for (const l of page) if (l.stepId === step.id && out.length < limit) out.push(l);
    if (page.length < 5000 || out.length >= limit) return out;
    after = page.at(-1)!.seq;
  }
}

/** A run's log as a downloadable text file. */
export async function logFile(
  ws: Workspace,
  runId: string,
  step?: string,
): Promise<{ name: string; text: string }> {
  const run = await findRun(ws, runId);
  const steps = new Map((await ws.store.runs.listSteps(run.id)).map((s) => [s.id, s]));
  const parts: string[] = [];
  let current: string | null = null;
  let after = 0;
  let one: string | undefined;
  for (;;) {
    const page = await runLogView(ws, run.id, {
      after,
      limit: 5000,
      ...(step === undefined ? {} : { step }),
    });
    for (const l of page) {
      one ??= l.stepId;
      if (l.stepId !== current) {
        const s = steps.get(l.stepId);
        if (parts.length > 0 && !parts.at(-1)!.endsWith('\n')) parts.push('\n');
        parts.push(`==> step ${s?.ord ?? '?'}: ${s?.title ?? l.stepId} (${l.stepId}) <==\n`);
        current = l.stepId;
      }
      parts.push(l.text);
    }
    if (page.length < 5000) break;
    after = page.at(-1)!.seq;
  }
  const suffix = step === undefined ? '' : `-step-${steps.get(one ?? '')?.ord ?? step}`;
  return { name: `${run.id}${suffix}.log`, text: parts.join('') };
}
