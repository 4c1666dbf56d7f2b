import { diffPlans, summarizeDiff } from '../../ir/diff.js';
import type { Plan } from '../../ir/schema.js';
import { StoreError } from '../../errors/index.js';
import type { StoredEvent } from '../events.js';
import type { NodeRow, PlanRow } from '../rows.js';
import type {
  PlanNodeRef,
  PlanStore,
  SavePlanInput,
  SavePlanResult,
  StoredPlan,
} from '../plan-store.js';
import { planNodeRows } from '../plan-nodes.js';
import type { PgDb, PgTx } from './database.js';

const PLAN_COLUMNS = 'id, path, sha256, version, imported_at, ir';

function fromRow(row: PlanRow): StoredPlan {
  let plan: Plan;
  try {
    plan = JSON.parse(row.ir) as Plan;
  } catch (cause) {
    throw new StoreError(
      `the workspace database is damaged: plans row ${JSON.stringify(row.id)} has an ir that is not JSON`,
      { table: 'plans', row: row.id, field: 'ir', reason: 'damaged', hint: 'run `pulser doctor`' },
      cause,
    );
  }
  return {
    id: row.id,
    path: row.path,
    sha256: row.sha256,
    version: row.version,
    importedAt: row.imported_at,
    plan,
  };
}

function refOf(row: NodeRow): PlanNodeRef {
  return { planId: row.plan_id, nodeId: row.node_id, kind: row.kind, title: row.title };
}

/** The PostgreSQL plan store: one row per plan (its current IR) plus a node snapshot. */
export class PgPlanStore implements PlanStore {
  readonly #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async #one(where: string, value: string): Promise<StoredPlan | null> {
    const res = await this.#db.query<PlanRow>(
      `SELECT ${PLAN_COLUMNS} FROM plans WHERE workspace = $1 AND ${where} = $2`,
      [this.#db.workspace, value],
    );
    return res.rows[0] === undefined ? null : fromRow(res.rows[0]);
  }

  get(id: string): Promise<StoredPlan | null> {
    return this.#one('id', id);
  }

  getByPath(path: string): Promise<StoredPlan | null> {
    return this.#one('path', path);
  }

  async list(): Promise<StoredPlan[]> {
    const res = await this.#db.query<PlanRow>(
      `SELECT ${PLAN_COLUMNS} FROM plans WHERE workspace = $1 ORDER BY id COLLATE "C"`,
      [this.#db.workspace],
    );
    return res.rows.map(fromRow);
  }

  async findNodes(nodeId: string): Promise<PlanNodeRef[]> {
    const res = await this.#db.query<NodeRow>(
      `SELECT plan_id, node_id, kind, title FROM plan_nodes WHERE workspace = $1 AND node_id = $2
       ORDER BY plan_id COLLATE "C"`,
      [this.#db.workspace, nodeId],
    );
    return res.rows.map(refOf);
  }

  async nodeIds(): Promise<PlanNodeRef[]> {
    const res = await this.#db.query<NodeRow>(
      `SELECT plan_id, node_id, kind, title FROM plan_nodes WHERE workspace = $1
       ORDER BY plan_id COLLATE "C", line`,
      [this.#db.workspace],
    );
    return res.rows.map(refOf);
  }

  save(input: SavePlanInput): Promise<SavePlanResult> {
    return this.#db.tx((tx) => this.#save(tx, input));
  }

  async #save(tx: PgTx, input: SavePlanInput): Promise<SavePlanResult> {
    const ws = this.#db.workspace;
    const prevRes = await tx.query<PlanRow>(
      `SELECT ${PLAN_COLUMNS} FROM plans WHERE workspace = $1 AND path = $2`,
      [ws, input.path],
    );
    const previous = prevRes.rows[0] === undefined ? null : fromRow(prevRes.rows[0]);
    const id = previous?.id ?? (await this.#freeId(tx, input.suggestedId));
    const diff = diffPlans(previous?.plan ?? null, input.plan);
    const stored: StoredPlan = {
      id,
      path: input.path,
      sha256: input.plan.source.sha256,
      version: (previous?.version ?? 0) + 1,
      importedAt: this.#db.isoNow(),
      plan: input.plan,
    };
    await tx.query(
      `INSERT INTO plans (workspace, id, path, sha256, version, imported_at, title, ir)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (workspace, id) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256,
         version = excluded.version, imported_at = excluded.imported_at, title = excluded.title, ir = excluded.ir`,
      [
        ws,
        id,
        stored.path,
        stored.sha256,
        stored.version,
        stored.importedAt,
        input.plan.title,
        JSON.stringify(input.plan),
      ],
    );
    await tx.query('DELETE FROM plan_nodes WHERE workspace = $1 AND plan_id = $2', [ws, id]);
    const columns: unknown[][] = [[], [], [], [], [], [], []];
    for (const values of planNodeRows(id, input.plan)) {
      values.forEach((v, i) => columns[i]!.push(v));
    }
    // One statement for every node; the first row of an ID wins, as in the SQLite store.
    await tx.query(
      `INSERT INTO plan_nodes (workspace, plan_id, node_id, kind, title, status, checked, line)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::smallint[], $8::integer[])
       ON CONFLICT DO NOTHING`,
      [ws, ...columns],
    );
    const events: StoredEvent[] = [];
    if (input.write !== undefined) {
      events.push(
        await tx.append({
          type: 'plan.written',
          actor: input.actor,
          subject: id,
          data: { planId: id, path: stored.path, ...input.write },
        }),
      );
    }
    events.push(
      await tx.append({
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

  async #freeId(tx: PgTx, base: string): Promise<string> {
    const res = await tx.query<{ id: string }>(
      'SELECT id FROM plans WHERE workspace = $1 AND (id = $2 OR starts_with(id, $3))',
      [this.#db.workspace, base, `${base}-`],
    );
    const taken = new Set(res.rows.map((r) => r.id));
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    return id;
  }
}
