import type Database from 'better-sqlite3';
import { diffPlans, summarizeDiff } from '../../ir/diff.js';
import type { Plan } from '../../ir/schema.js';
import type { StoredEvent } from '../events.js';
import type { NodeRow, PlanRow } from '../rows.js';
import { planNodeRows, type PlanNodeValues } from '../plan-nodes.js';
import type {
  PlanNodeRef,
  PlanStore,
  SavePlanInput,
  SavePlanResult,
  StoredPlan,
} from '../plan-store.js';
import type { SqliteDb } from './database.js';
import { parseStored } from './database.js';

function fromRow(row: PlanRow): StoredPlan {
  return {
    id: row.id,
    path: row.path,
    sha256: row.sha256,
    version: row.version,
    importedAt: row.imported_at,
    plan: parseStored<Plan>('plans', row.id, 'ir', row.ir),
  };
}

/** The SQLite plan store: one row per plan (its current IR) plus a node snapshot. */
export class SqlitePlanStore implements PlanStore {
  readonly #db: SqliteDb;
  readonly #byId: Database.Statement<[string], PlanRow>;
  readonly #byPath: Database.Statement<[string], PlanRow>;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#byId = db.db.prepare('SELECT * FROM plans WHERE id = ?');
    this.#byPath = db.db.prepare('SELECT * FROM plans WHERE path = ?');
  }

  get(id: string): Promise<StoredPlan | null> {
    const row = this.#byId.get(id);
    return Promise.resolve(row === undefined ? null : fromRow(row));
  }

  list(): Promise<StoredPlan[]> {
    const rows = this.#db.db.prepare('SELECT * FROM plans ORDER BY id').all() as PlanRow[];
    return Promise.resolve(rows.map(fromRow));
  }

  getByPath(path: string): Promise<StoredPlan | null> {
    const row = this.#byPath.get(path);
    return Promise.resolve(row === undefined ? null : fromRow(row));
  }

  findNodes(nodeId: string): Promise<PlanNodeRef[]> {
    const rows = this.#db.db
      .prepare(
        'SELECT plan_id, node_id, kind, title FROM plan_nodes WHERE node_id = ? ORDER BY plan_id',
      )
      .all(nodeId) as NodeRow[];
    return Promise.resolve(rows.map(refOf));
  }

  nodeIds(): Promise<PlanNodeRef[]> {
    const rows = this.#db.db
      .prepare('SELECT plan_id, node_id, kind, title FROM plan_nodes ORDER BY plan_id, line')
      .all() as NodeRow[];
    return Promise.resolve(rows.map(refOf));
  }

  save(input: SavePlanInput): Promise<SavePlanResult> {
    return Promise.resolve(this.#db.tx(() => this.#save(input)));
  }

  #save(input: SavePlanInput): SavePlanResult {
    const db = this.#db.db;
    const prevRow = this.#byPath.get(input.path);
    const previous = prevRow === undefined ? null : fromRow(prevRow);
    const id = previous?.id ?? this.#freeId(input.suggestedId);
    const diff = diffPlans(previous?.plan ?? null, input.plan);
    const stored: StoredPlan = {
      id,
      path: input.path,
      sha256: input.plan.source.sha256,
      version: (previous?.version ?? 0) + 1,
      importedAt: new Date(this.#db.clock.now()).toISOString(),
      plan: input.plan,
    };
    db.prepare(
      `INSERT INTO plans (id, path, sha256, version, imported_at, title, ir) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256,
         version = excluded.version, imported_at = excluded.imported_at, title = excluded.title, ir = excluded.ir`,
    ).run(
      id,
      stored.path,
      stored.sha256,
      stored.version,
      stored.importedAt,
      input.plan.title,
      JSON.stringify(input.plan),
    );
    db.prepare('DELETE FROM plan_nodes WHERE plan_id = ?').run(id);
    const insert = db.prepare<PlanNodeValues>(
      'INSERT OR IGNORE INTO plan_nodes (plan_id, node_id, kind, title, status, checked, line) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const values of planNodeRows(id, input.plan)) insert.run(...values);
    const events: StoredEvent[] = [];
    if (input.write !== undefined) {
      events.push(
        this.#db.append({
          type: 'plan.written',
          actor: input.actor,
          subject: id,
          data: { planId: id, path: stored.path, ...input.write },
        }),
      );
    }
    events.push(
      this.#db.append({
        type: 'plan.imported',
        actor: input.actor,
        subject: id,
        data: {
          planId: id,
          path: stored.path,
          sha256: stored.sha256,
          version: stored.version,
          diff: summarizeDiff(diff),
          // The compiled IR, so that reports can be rebuilt from the ledger alone.
          ir: input.plan,
        },
      }),
    );
    return { stored, previous, diff, events };
  }

  #freeId(base: string): string {
    let id = base;
    for (let n = 2; this.#byId.get(id) !== undefined; n++) id = `${base}-${n}`;
    return id;
  }
}

function refOf(row: NodeRow): PlanNodeRef {
  return { planId: row.plan_id, nodeId: row.node_id, kind: row.kind, title: row.title };
}
