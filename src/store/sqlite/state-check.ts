/**
 * Checks the state tables against the events that recorded them: every JSON column parses,
 * every plan row is the version its last `plan.imported` event recorded, a step or run that
 * says it succeeded has the event that made it so. Read-only; used by `pulser doctor`.
 */
import type { StateFinding } from '../store.js';
import type { SqliteDb } from './database.js';

interface PlanRow {
  id: string;
  path: string;
  sha256: string;
  version: number;
  ir: string;
}

function parses(text: string | null): boolean {
  if (text === null) return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The last event of each subject among events of `types`, as subject → type and data. */
function lastEvents(sdb: SqliteDb, where: string): Map<string, { type: string; data: string }> {
  const rows = sdb.db
    .prepare(
      `SELECT e.subject, e.type, e.data FROM events e
       JOIN (SELECT subject, max(seq) AS seq FROM events WHERE ${where} GROUP BY subject) m
         ON e.seq = m.seq`,
    )
    .all() as Array<{ subject: string; type: string; data: string }>;
  return new Map(rows.map((r) => [r.subject, { type: r.type, data: r.data }]));
}

/** Every disagreement between the state tables and the events (capped at `max`). */
export function checkStateTables(sdb: SqliteDb, max = 100): StateFinding[] {
  const findings: StateFinding[] = [];
  const add = (f: StateFinding): void => {
    if (findings.length < max) findings.push(f);
  };
  const db = sdb.db;

  const imported = lastEvents(sdb, "type = 'plan.imported'");
  for (const p of db
    .prepare('SELECT id, path, sha256, version, ir FROM plans')
    .all() as PlanRow[]) {
    if (!parses(p.ir)) add({ table: 'plans', row: p.id, message: 'has an ir that is not JSON' });
    const e = imported.get(p.id);
    if (e === undefined) {
      add({ table: 'plans', row: p.id, message: 'no plan.imported event records this plan' });
      continue;
    }
    let data: { sha256?: unknown; version?: unknown; path?: unknown } = {};
    try {
      data = JSON.parse(e.data) as typeof data;
    } catch {
      continue; // A damaged event is the ledger check's finding.
    }
    if (data.sha256 !== p.sha256 || data.version !== p.version || data.path !== p.path) {
      add({
        table: 'plans',
        row: p.id,
        message: `says version ${p.version} of ${p.path} (sha256 ${p.sha256.slice(0, 12)}), but the last plan.imported event says version ${String(data.version)} of ${String(data.path)} (sha256 ${String(data.sha256).slice(0, 12)})`,
      });
    }
  }

  for (const r of db.prepare('SELECT id, status, target FROM runs').all() as Array<{
    id: string;
    status: string;
    target: string | null;
  }>) {
    if (!parses(r.target))
      add({ table: 'runs', row: r.id, message: 'has a target that is not JSON' });
  }
  const runEnds = lastEvents(
    sdb,
    "type IN ('run.succeeded', 'run.failed', 'run.cancelled', 'run.retried')",
  );
  for (const r of db
    .prepare("SELECT id, status FROM runs WHERE status IN ('succeeded', 'failed', 'cancelled')")
    .all() as Array<{ id: string; status: string }>) {
    const e = runEnds.get(r.id);
    if (e?.type !== `run.${r.status}`) {
      add({
        table: 'runs',
        row: r.id,
        message: `says ${r.status}, but the events say ${e === undefined ? 'it never finished' : e.type}`,
      });
    }
  }

  const stepLast = lastEvents(
    sdb,
    "type LIKE 'step.%' AND type NOT IN ('step.output', 'step.artifact')",
  );
  const succeeded = new Set(
    db
      .prepare("SELECT DISTINCT subject FROM events WHERE type = 'step.succeeded'")
      .pluck()
      .all() as string[],
  );
  for (const s of db.prepare('SELECT id, state, spec FROM run_steps').all() as Array<{
    id: string;
    state: string;
    spec: string;
  }>) {
    if (!parses(s.spec))
      add({ table: 'run_steps', row: s.id, message: 'has a spec that is not JSON' });
    if (s.state === 'succeeded' && !succeeded.has(s.id)) {
      add({
        table: 'run_steps',
        row: s.id,
        message: 'says succeeded, but no step.succeeded event exists for it',
      });
    } else if (s.state !== 'succeeded' && stepLast.get(s.id)?.type === 'step.succeeded') {
      add({
        table: 'run_steps',
        row: s.id,
        message: `says ${s.state}, but its last event says it succeeded`,
      });
    }
  }
  return findings;
}
