/**
 * Finding runs, step executions and sessions by ID (or a unique prefix), with close IDs
 * suggested when nothing matches.
 */
import { NotFoundError, UsageError } from '../../errors/index.js';
import type { RunRecord, SessionRecord, StepRecord } from '../../store/run-store.js';
import type { Workspace } from '../open.js';
import { closeIds } from '../resolve.js';

function suggest(wanted: string, ids: ReadonlyArray<string>): string[] {
  return closeIds(
    wanted,
    ids.map((nodeId) => ({ planId: '', nodeId, kind: '', title: '' })),
  );
}

function hint(close: ReadonlyArray<string>, fallback: string): string {
  return close.length > 0 ? `did you mean ${close.join(', ')}?` : fallback;
}

/** The run with this ID or unique ID prefix; NotFoundError with suggestions otherwise. */
export async function findRun(ws: Workspace, ref: string): Promise<RunRecord> {
  const id = ref.trim();
  const exact = await ws.store.runs.getRun(id);
  if (exact !== null) return exact;
  const ids = await ws.store.runs.recentRunIds(5000);
  const prefixed = id.length >= 3 ? ids.filter((r) => r.startsWith(id)) : [];
  if (prefixed.length === 1) return (await ws.store.runs.getRun(prefixed[0]!))!;
  if (prefixed.length > 1) {
    throw new UsageError(`${id} matches several runs: ${prefixed.slice(0, 5).join(', ')}`, {
      hint: 'give more of the ID',
    });
  }
  throw new NotFoundError(`no run with ID ${id}`, {
    hint: hint(suggest(id, ids), 'run `pulser runs` to see run IDs'),
  });
}

/** The step execution with this ID (`RUN.N`, the run part may be a unique prefix). */
export async function findStep(ws: Workspace, ref: string): Promise<StepRecord> {
  const id = ref.trim();
  const exact = await ws.store.runs.getStep(id);
  if (exact !== null) return exact;
  const dot = id.lastIndexOf('.');
  if (dot > 0) {
    let run: RunRecord | null = null;
    try {
      run = await findRun(ws, id.slice(0, dot));
    } catch {
      run = null;
    }
    if (run !== null) {
      const full = await ws.store.runs.getStep(`${run.id}${id.slice(dot)}`);
      if (full !== null) return full;
      const steps = await ws.store.runs.listSteps(run.id);
      throw new NotFoundError(`no step ${id.slice(dot + 1)} in run ${run.id}`, {
        hint: `its steps are ${run.id}.1 to ${run.id}.${steps.length}`,
      });
    }
  }
  // A plan step's node ID names the one execution of it waiting for a person, if there is one.
  const waiting = (
    await ws.store.runs.stepsInState(['awaiting_approval', 'quarantined'], 1000)
  ).filter((s) => s.nodeId === id);
  if (waiting.length === 1) return waiting[0]!;
  if (waiting.length > 1) {
    throw new UsageError(`${id} waits in several runs: ${waiting.map((s) => s.id).join(', ')}`, {
      hint: 'name the step execution (RUN.N)',
    });
  }
  const ids = (
    await ws.store.runs.stepsInState(['awaiting_approval', 'quarantined', 'failed'], 200)
  ).map((s) => s.id);
  throw new NotFoundError(`no step execution with ID ${id}`, {
    hint: hint(
      suggest(id, ids),
      'step IDs look like run-1a2b3c4d.2; run `pulser runs` and `pulser logs RUN` to find them',
    ),
  });
}

/** The session with this ID (or unique prefix); NotFoundError with suggestions otherwise. */
export async function findSession(ws: Workspace, ref: string): Promise<SessionRecord> {
  const id = ref.trim();
  const exact = await ws.store.runs.getSession(id);
  if (exact !== null) return exact;
  const all = await ws.store.runs.listSessions({ archived: true });
  const prefixed = all.filter((s) => id.length >= 3 && s.id.startsWith(id));
  if (prefixed.length === 1) return prefixed[0]!;
  throw new NotFoundError(`no session with ID ${id}`, {
    hint: hint(
      suggest(
        id,
        all.map((s) => s.id),
      ),
      'run `pulser sessions --archived` to see every session',
    ),
  });
}
