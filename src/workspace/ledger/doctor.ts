/**
 * `pulser doctor`: one check of everything a workspace's data depends on (the SQLite file's
 * integrity, the ledger, its events against the event catalog, and the state tables against the
 * events), each problem with what to do.
 */
import { join } from 'node:path';
import { isPulserError } from '../../errors/index.js';
import { eventProblem, isEventType } from '../../ir/events.js';
import { withoutPassword } from '../../store/postgres/connection.js';
import { verifyWorkspaceLedger, type LedgerCheck } from './ledger.js';
import type { Workspace } from '../open.js';

/** What part of the workspace a finding is about. */
export type DoctorArea = 'database' | 'ledger' | 'events' | 'state';

/** What the events check read: how many events, and those of types not in the catalog. */
export interface EventsCheck {
  readonly count: number;
  /** Types not in the event catalog (renamed or removed since they were written): not damage. */
  readonly unknownTypes: Readonly<Record<string, number>>;
}

/** One problem `doctor` found, and what to do about it. */
export interface DoctorFinding {
  readonly area: DoctorArea;
  readonly problem: string;
  readonly fix: string;
}

/** What {@link doctor} found. */
export interface DoctorReport {
  /** True when nothing is wrong. */
  readonly ok: boolean;
  /** The database file (or, for a shared database, its URL without the password). */
  readonly database: string;
  readonly findings: ReadonlyArray<DoctorFinding>;
  /** The ledger check, or null when the ledger could not be read. */
  readonly ledger: LedgerCheck | null;
  /** The events checked against the event catalog, or null when they could not be read. */
  readonly events: EventsCheck | null;
  /** Areas checked without a problem. */
  readonly healthy: ReadonlyArray<DoctorArea>;
}

const RESTORE =
  'restore .pulser/pulser.db from a backup; or, to start clean, move .pulser/pulser.db aside (keep it for the record) and run `pulser import` on each plan again';

function readFailure(area: DoctorArea, error: unknown): DoctorFinding {
  if (!isPulserError(error) && !(error instanceof Error)) throw error;
  return { area, problem: `cannot be read: ${error.message}`, fix: RESTORE };
}

/**
 * Checks the workspace's database with `PRAGMA integrity_check` (recording damage, so that
 * Pulser refuses to write until a check finds the file healthy), verifies the ledger (chain,
 * checkpoints, chain-key MACs) and compares the state tables with the events. Never throws
 * for a damaged workspace: every problem is a finding.
 *
 * @example
 * const report = await doctor(ws);
 * for (const f of report.findings) console.log(f.area, f.problem, f.fix);
 */
export async function doctor(ws: Workspace): Promise<DoctorReport> {
  const findings: DoctorFinding[] = [];
  const healthy: DoctorArea[] = [];
  try {
    const problems = await ws.store.integrityCheck();
    if (problems.length === 0) healthy.push('database');
    else {
      findings.push({
        area: 'database',
        problem: `the SQLite file is damaged: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
        fix: `${RESTORE}; Pulser refuses to write into it until \`pulser doctor\` finds it healthy`,
      });
    }
  } catch (error) {
    findings.push(readFailure('database', error));
  }

  let ledger: LedgerCheck | null = null;
  try {
    ledger = await verifyWorkspaceLedger(ws);
    const v = ledger.verdict;
    if (v.ok && ledger.fileProblems.length === 0) healthy.push('ledger');
    else {
      const first = v.firstBad ?? v.problems[0] ?? ledger.fileProblems[0];
      const count = v.problemCount + ledger.fileProblems.length;
      findings.push({
        area: 'ledger',
        problem: `${first?.message ?? 'the ledger does not verify'}${count > 1 ? ` (${count} problems in all)` : ''}`,
        fix:
          first?.code === 'unauthenticated'
            ? `events were added or changed by someone without the ledger key: find out who can write .pulser/pulser.db; ${RESTORE}; \`pulser ledger verify --json\` lists every problem`
            : `the ledger was changed outside Pulser: ${RESTORE}; \`pulser ledger verify --json\` lists every problem`,
      });
    }
  } catch (error) {
    findings.push(readFailure('ledger', error));
  }

  let events: EventsCheck | null = null;
  try {
    const { check, mismatches } = await checkEvents(ws);
    events = check;
    if (mismatches.length === 0) healthy.push('events');
    else {
      findings.push({
        area: 'events',
        problem: `${mismatches[0]}${mismatches.length > 1 ? ` (${mismatches.length} events in all)` : ''}`,
        fix: `an event's data does not match its type, so reports and checks cannot read it: ${RESTORE}`,
      });
    }
  } catch (error) {
    findings.push(readFailure('events', error));
  }

  try {
    const state = await ws.store.checkState();
    if (state.length === 0) healthy.push('state');
    for (const f of state) {
      findings.push({
        area: 'state',
        problem: `${f.table} row ${JSON.stringify(f.row)} ${f.message}`,
        fix: `the state tables were changed outside Pulser and no longer match the ledger: ${RESTORE}`,
      });
    }
  } catch (error) {
    findings.push(readFailure('state', error));
  }
  const shared = ws.config.database;
  const database =
    ws.store.backend === 'postgres' && shared !== null
      ? `${withoutPassword(shared.url)} (PostgreSQL)`
      : join(ws.dir, 'pulser.db');
  return { ok: findings.length === 0, database, findings, ledger, events, healthy };
}

/** Reads every event and checks its data against the event catalog. */
async function checkEvents(ws: Workspace): Promise<{ check: EventsCheck; mismatches: string[] }> {
  let count = 0;
  const unknownTypes: Record<string, number> = {};
  const mismatches: string[] = [];
  for await (const e of ws.store.events.scan()) {
    count++;
    if (!isEventType(e.type)) {
      unknownTypes[e.type] = (unknownTypes[e.type] ?? 0) + 1;
      continue;
    }
    const problem = eventProblem(e.type, e.data);
    if (problem !== null) {
      mismatches.push(`event ${e.seq} (${e.type}) does not match the event catalog: ${problem}`);
    }
  }
  return { check: { count, unknownTypes }, mismatches };
}

/** The report for a database file too damaged to open at all. */
export function unopenable(database: string, message: string): DoctorReport {
  return {
    ok: false,
    database,
    findings: [
      {
        area: 'database',
        problem: `the SQLite file cannot be opened: ${message}`,
        fix: `${RESTORE}; Pulser refuses to write into it until \`pulser doctor\` finds it healthy`,
      },
    ],
    ledger: null,
    events: null,
    healthy: [],
  };
}
