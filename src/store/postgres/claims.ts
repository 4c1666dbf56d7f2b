import type {
  ClaimInput,
  ClaimOutcome,
  ClaimStore,
  ReleaseReason,
  TaskClaim,
} from '../claim-store.js';
import type { StoredEvent } from '../events.js';
import { safeInt, type PgDb, type PgTx } from './database.js';

interface Row {
  plan_id: string;
  task_id: string;
  agent: string;
  /** Epoch milliseconds (`bigint`, so a string). */
  claimed_at: string;
  renewed_at: string;
  expires_at: string;
  note: string | null;
}

const COLUMNS = 'plan_id, task_id, agent, claimed_at, renewed_at, expires_at, note';

const iso = (ms: string): string => new Date(safeInt(ms, 'a claim time')).toISOString();

function fromRow(row: Row): TaskClaim {
  return {
    planId: row.plan_id,
    taskId: row.task_id,
    agent: row.agent,
    claimedAt: iso(row.claimed_at),
    renewedAt: iso(row.renewed_at),
    expiresAt: iso(row.expires_at),
    note: row.note,
  };
}

/** The subject of task events: `planId:taskId`. */
function taskSubject(planId: string, taskId: string): string {
  return `${planId}:${taskId}`;
}

/**
 * The PostgreSQL claim store. Every change runs in a transaction holding the workspace's chain
 * lock, and every write is a compare-and-set on the holder and its lease (`WHERE agent = ... AND
 * expires_at > now`): a holder whose lease passed, and who lost the task to another agent,
 * writes nothing (its progress and release return null). The primary key (workspace, plan,
 * task) refuses a second holder whatever the locking.
 */
export class PgClaimStore implements ClaimStore {
  readonly #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  #released(tx: PgTx, row: Row, reason: ReleaseReason, actor: string, note?: string) {
    return tx.append({
      type: 'task.released',
      actor,
      subject: taskSubject(row.plan_id, row.task_id),
      data: {
        planId: row.plan_id,
        taskId: row.task_id,
        agent: row.agent,
        reason,
        ...(note === undefined ? {} : { note }),
      },
    });
  }

  claim(input: ClaimInput): Promise<ClaimOutcome> {
    const ws = this.#db.workspace;
    return this.#db.tx(async (tx): Promise<ClaimOutcome> => {
      const now = this.#db.clock.now();
      const events: StoredEvent[] = [];
      // An expired claim is released first (compare-and-set on its expiry).
      const expired = await tx.query<Row>(
        `DELETE FROM task_claims WHERE workspace = $1 AND plan_id = $2 AND task_id = $3 AND expires_at <= $4
         RETURNING ${COLUMNS}`,
        [ws, input.planId, input.taskId, now],
      );
      for (const row of expired.rows)
        events.push(await this.#released(tx, row, 'expired', 'system'));
      const expires = now + input.leaseMs;
      // Take the task, or renew it when this agent holds it; another holder makes it a no-op.
      const taken = await tx.query<Row & { renewed: boolean }>(
        `INSERT INTO task_claims AS c (workspace, plan_id, task_id, agent, claimed_at, renewed_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $5, $6)
         ON CONFLICT (workspace, plan_id, task_id) DO UPDATE SET renewed_at = $5, expires_at = $6
           WHERE c.agent = $4
         RETURNING ${COLUMNS}, (xmax <> 0) AS renewed`,
        [ws, input.planId, input.taskId, input.agent, now, expires],
      );
      const row = taken.rows[0];
      if (row === undefined) {
        const holder = await tx.query<Row>(
          `SELECT ${COLUMNS} FROM task_claims WHERE workspace = $1 AND plan_id = $2 AND task_id = $3`,
          [ws, input.planId, input.taskId],
        );
        return { ok: false, holder: fromRow(holder.rows[0]!) };
      }
      const renewed = row.renewed;
      events.push(
        await tx.append({
          type: 'task.claimed',
          actor: input.agent,
          subject: taskSubject(input.planId, input.taskId),
          data: {
            planId: input.planId,
            taskId: input.taskId,
            agent: input.agent,
            leaseMs: input.leaseMs,
            expiresAt: new Date(expires).toISOString(),
            renewed,
          },
        }),
      );
      return { ok: true, claim: fromRow(row), renewed, events };
    });
  }

  progress(input: ClaimInput & { readonly note: string }): Promise<TaskClaim | null> {
    return this.#db.tx(async (tx) => {
      const now = this.#db.clock.now();
      const expires = now + input.leaseMs;
      const res = await tx.query<Row>(
        `UPDATE task_claims SET renewed_at = $5, expires_at = $6, note = $7
         WHERE workspace = $1 AND plan_id = $2 AND task_id = $3 AND agent = $4 AND expires_at > $5
         RETURNING ${COLUMNS}`,
        [this.#db.workspace, input.planId, input.taskId, input.agent, now, expires, input.note],
      );
      const row = res.rows[0];
      if (row === undefined) return null;
      await tx.append({
        type: 'task.progress',
        actor: input.agent,
        subject: taskSubject(input.planId, input.taskId),
        data: {
          planId: input.planId,
          taskId: input.taskId,
          agent: input.agent,
          note: input.note,
          expiresAt: new Date(expires).toISOString(),
        },
      });
      return fromRow(row);
    });
  }

  release(
    input: Omit<ClaimInput, 'leaseMs'> & { readonly reason: ReleaseReason; readonly note?: string },
  ): Promise<TaskClaim | null> {
    return this.#db.tx(async (tx) => {
      const res = await tx.query<Row>(
        `DELETE FROM task_claims
         WHERE workspace = $1 AND plan_id = $2 AND task_id = $3 AND agent = $4 AND expires_at > $5
         RETURNING ${COLUMNS}`,
        [this.#db.workspace, input.planId, input.taskId, input.agent, this.#db.clock.now()],
      );
      const row = res.rows[0];
      if (row === undefined) return null;
      await this.#released(tx, row, input.reason, input.agent, input.note);
      return fromRow(row);
    });
  }

  async get(planId: string, taskId: string): Promise<TaskClaim | null> {
    const res = await this.#db.query<Row>(
      `SELECT ${COLUMNS} FROM task_claims
       WHERE workspace = $1 AND plan_id = $2 AND task_id = $3 AND expires_at > $4`,
      [this.#db.workspace, planId, taskId, this.#db.clock.now()],
    );
    return res.rows[0] === undefined ? null : fromRow(res.rows[0]);
  }

  async list(): Promise<TaskClaim[]> {
    const res = await this.#db.query<Row>(
      `SELECT ${COLUMNS} FROM task_claims WHERE workspace = $1 AND expires_at > $2
       ORDER BY claimed_at, plan_id COLLATE "C", task_id COLLATE "C"`,
      [this.#db.workspace, this.#db.clock.now()],
    );
    return res.rows.map(fromRow);
  }

  async expire(): Promise<TaskClaim[]> {
    const ws = this.#db.workspace;
    const any = await this.#db.query(
      'SELECT 1 FROM task_claims WHERE workspace = $1 AND expires_at <= $2 LIMIT 1',
      [ws, this.#db.clock.now()],
    );
    if (any.rows.length === 0) return [];
    return this.#db.tx(async (tx) => {
      const res = await tx.query<Row>(
        `DELETE FROM task_claims WHERE workspace = $1 AND expires_at <= $2 RETURNING ${COLUMNS}`,
        [ws, this.#db.clock.now()],
      );
      // In primary-key order, as the SQLite store releases them.
      const key = (r: Row): string => `${r.plan_id}\u0000${r.task_id}`;
      const rows = res.rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      for (const row of rows) await this.#released(tx, row, 'expired', 'system');
      return rows.map(fromRow);
    });
  }
}
