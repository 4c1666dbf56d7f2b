/**
 * The runs list as the Runboard pages it: a page of runs with the total count, runs waiting
 * for a person first when asked, and the runs `pulser check` starts grouped apart (counted,
 * with the latest) so that they do not flood the list.
 */
import type { RunQuery, RunRecord } from '../../store/run-store.js';
import { CHECK_INTENT } from '../checks/check-run.js';
import type { Workspace } from '../open.js';

/** Runs read to page through: beyond it the total reads "at least". */
export const RUNS_SCANNED = 10_000;

/** Which runs: the plan's work, the check runs, or both. */
export type RunKind = 'work' | 'checks' | 'all';

/** A page query. */
export interface RunPageQuery extends Omit<RunQuery, 'limit'> {
  readonly kind?: RunKind;
  /** `waiting`: runs waiting for a person first, then newest first. @default newest */
  readonly order?: 'newest' | 'waiting';
  readonly offset?: number;
  /** @default 50 */
  readonly limit?: number;
}

/** Check runs of the same filters, summarized. */
export interface CheckRunsSummary {
  readonly total: number;
  readonly failed: number;
  readonly latest: RunRecord | null;
}

/** A page of runs. */
export interface RunPage {
  readonly runs: ReadonlyArray<RunRecord>;
  /** Runs matching the query (all pages). */
  readonly total: number;
  /** True when more runs exist than were counted ({@link RUNS_SCANNED}). */
  readonly more: boolean;
  readonly offset: number;
  readonly limit: number;
  /** Of all matching runs, those waiting for a person. */
  readonly waiting: number;
  /** Check runs (when `kind` is `work`, the group left out of the list). */
  readonly checks: CheckRunsSummary;
}

/** True for a run `pulser check` started. */
export function isCheckRun(run: RunRecord): boolean {
  return run.intent === CHECK_INTENT;
}

/** A page of runs with the total count (newest first, or waiting ones first). */
export async function runPage(ws: Workspace, query: RunPageQuery = {}): Promise<RunPage> {
  const { kind = 'work', order = 'newest', offset = 0, limit = 50, ...filters } = query;
  const all = await ws.store.runs.listRuns({ ...filters, limit: RUNS_SCANNED });
  const checks = all.filter(isCheckRun);
  let list = kind === 'all' ? all : kind === 'checks' ? checks : all.filter((r) => !isCheckRun(r));
  if (order === 'waiting') {
    // A stable sort keeps newest-first inside each group.
    list = [...list].sort(
      (a, b) => Number(b.status === 'waiting') - Number(a.status === 'waiting'),
    );
  }
  return {
    runs: list.slice(offset, offset + limit),
    total: list.length,
    more: all.length >= RUNS_SCANNED,
    offset,
    limit,
    waiting: list.filter((r) => r.status === 'waiting').length,
    checks: {
      total: checks.length,
      failed: checks.filter((r) => r.status === 'failed').length,
      latest: checks[0] ?? null,
    },
  };
}
