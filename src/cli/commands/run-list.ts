/**
 * `pulser runs`, `pulser logs` and `pulser sessions`.
 */
import { UsageError } from '../../errors/index.js';
import { RUN_STATUSES, type RunStatus } from '../../store/run-store.js';
import type { Workspace } from '../../workspace/open.js';
import { getRun, listRuns, listSessions } from '../../workspace/runs/runs.js';
import { runLogView } from '../../workspace/runs/log-view.js';
import { findRun, findSession } from '../../workspace/runs/run-ids.js';
import { out, outJson, outRaw } from '../context.js';
import { visible } from '../../util/visible.js';
import { colorWanted, paintRunStatuses } from '../color.js';
import { renderRun, renderRuns, renderSessions } from './run-render.js';

interface RunsOptions {
  readonly status?: string;
  readonly lane?: string;
  readonly session?: string;
  readonly search?: string;
  readonly archived?: boolean;
  readonly limit?: number;
  readonly json?: boolean;
  /** False with `--no-color`. */
  readonly color?: boolean;
}

/** Human output of `pulser runs`: status words coloured when {@link colorWanted}. */
function outRuns(text: string, opts: RunsOptions): void {
  if (!colorWanted(opts.color)) out(text);
  else outRaw(paintRunStatuses(visible(text)));
}

function parseStatus(status: string | undefined): RunStatus | undefined {
  if (status === undefined) return undefined;
  if (!(RUN_STATUSES as ReadonlyArray<string>).includes(status)) {
    throw new UsageError(`invalid status ${JSON.stringify(status)}`, {
      hint: `use one of ${RUN_STATUSES.join(', ')}`,
    });
  }
  return status as RunStatus;
}

/** `pulser runs [RUN]`. */
export async function runsCommand(
  ws: Workspace,
  id: string | undefined,
  opts: RunsOptions,
): Promise<void> {
  if (id !== undefined) {
    const { steps, ...run } = await getRun(ws, id);
    if (opts.json === true) outJson({ run: { ...run, steps } });
    else outRuns(renderRun(run, steps), opts);
    return;
  }
  const status = parseStatus(opts.status);
  const session = opts.session === undefined ? undefined : (await findSession(ws, opts.session)).id;
  const runs = await listRuns(ws, {
    ...(status === undefined ? {} : { status }),
    ...(opts.lane === undefined ? {} : { lane: opts.lane }),
    ...(session === undefined ? {} : { session }),
    ...(opts.search === undefined ? {} : { q: opts.search }),
    ...(opts.archived === true ? { archived: true } : {}),
    limit: opts.limit ?? 30,
  });
  if (opts.json === true) outJson({ runs });
  else outRuns(renderRuns(runs), opts);
}

/**
 * `pulser logs RUN [--step STEP] [-f] [--raw]`. A step's output is the process's own bytes: control and bidi
 * characters in it are shown escaped like any other human output, unless `--raw` asks for the
 * text exactly as the process wrote it.
 */
export async function logsCommand(
  ws: Workspace,
  id: string,
  opts: { follow?: boolean; json?: boolean; raw?: boolean; step?: string },
): Promise<void> {
  const write = opts.raw === true ? outRaw : out;
  const run = await findRun(ws, id);
  let after = 0;
  // An unknown step is an error before any output, not an empty log.
  if (opts.step !== undefined) await runLogView(ws, run.id, { step: opts.step, limit: 1 });
  for (;;) {
    const finished = (await ws.store.runs.getRun(run.id))?.finishedAt != null;
    for (;;) {
      const lines = await runLogView(ws, run.id, {
        after,
        limit: 5000,
        ...(opts.step === undefined ? {} : { step: opts.step }),
      });
      for (const l of lines) {
        if (opts.json === true) out(JSON.stringify(l));
        else {
          const prefix = `${l.stepId} ${l.stream === 'stderr' ? '!' : '|'} `;
          for (const line of l.text.replace(/\n$/u, '').split('\n')) write(`${prefix}${line}`);
        }
      }
      if (lines.length === 0) break;
      after = lines[lines.length - 1]!.seq;
      if (lines.length < 5000) break;
    }
    if (opts.follow !== true || finished) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `pulser sessions [--archived]`. */
export async function sessionsCommand(
  ws: Workspace,
  opts: { archived?: boolean; json?: boolean },
): Promise<void> {
  const sessions = await listSessions(ws, { archived: opts.archived === true });
  if (opts.json === true) outJson({ sessions });
  else out(renderSessions(sessions));
}
