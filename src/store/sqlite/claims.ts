import type Database from 'better-sqlite3';
import type {
  ClaimInput,
  ClaimOutcome,
  ClaimStore,
  ReleaseReason,
  TaskClaim,
} from '../claim-store.js';
import type { StoredEvent } from '../events.js';
import type { SqliteDb } from './database.js';

interface Row {
  plan_id: string;
  task_id: string;
  agent: string;
  claimed_at: number;
  renewed_at: number;
  expires_at: number;
  note: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

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
export function taskSubject(planId: string, taskId: string): string {
  return `${planId}:${taskId}`;
}

/**
 * The SQLite claim store. Claims run in IMMEDIATE transactions, which SQLite serialises across
 * processes, and the primary key (plan, task) refuses a second holder even if they did not.
 */
export class SqliteClaimStore implements ClaimStore {
  readonly #db: SqliteDb;
  readonly #get: Database.Statement<[string, string], Row>;

  constructor(db: SqliteDb) {
    this.#db = db;
    this.#get = db.db.prepare('SELECT * FROM task_claims WHERE plan_id = ? AND task_id = ?');
  }

  #now(): number {
    return this.#db.clock.now();
  }

  #released(row: Row, reason: ReleaseReason, actor: string, note?: string): StoredEvent {
    this.#db.db
      .prepare('DELETE FROM task_claims WHERE plan_id = ? AND task_id = ?')
      .run(row.plan_id, row.task_id);
    return this.#db.append({
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
    const outcome = this.#db.tx((): ClaimOutcome => {
      const now = this.#now();
      const events: StoredEvent[] = [];
      let row = this.#get.get(input.planId, input.taskId);
      if (row !== undefined && row.expires_at <= now) {
        events.push(this.#released(row, 'expired', 'system'));
        row = undefined;
      }
      if (row !== undefined && row.agent !== input.agent)
        return { ok: false, holder: fromRow(row) };
      const expires = now + input.leaseMs;
      const renewed = row !== undefined;
      if (row === undefined) {
        this.#db.db
          .prepare(
            `INSERT INTO task_claims (plan_id, task_id, agent, claimed_at, renewed_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(input.planId, input.taskId, input.agent, now, now, expires);
      } else {
        this.#db.db
          .prepare(
            'UPDATE task_claims SET renewed_at = ?, expires_at = ? WHERE plan_id = ? AND task_id = ?',
          )
          .run(now, expires, input.planId, input.taskId);
      }
      events.push(
        this.#db.append({
          type: 'task.claimed',
          actor: input.agent,
          subject: taskSubject(input.planId, input.taskId),
          data: {
            planId: input.planId,
            taskId: input.taskId,
            agent: input.agent,
            leaseMs: input.leaseMs,
            expiresAt: iso(expires),
            renewed,
          },
        }),
      );
      const claim = fromRow(this.#get.get(input.planId, input.taskId)!);
      return { ok: true, claim, renewed, events };
    });
    return Promise.resolve(outcome);
  }

  progress(input: ClaimInput & { readonly note: string }): Promise<TaskClaim | null> {
    const claim = this.#db.tx((): TaskClaim | null => {
      const now = this.#now();
      const row = this.#get.get(input.planId, input.taskId);
      if (row === undefined || row.agent !== input.agent || row.expires_at <= now) return null;
      const expires = now + input.leaseMs;
      this.#db.db
        .prepare(
          'UPDATE task_claims SET renewed_at = ?, expires_at = ?, note = ? WHERE plan_id = ? AND task_id = ?',
        )
        .run(now, expires, input.note, input.planId, input.taskId);
      this.#db.append({
        type: 'task.progress',
        actor: input.agent,
        subject: taskSubject(input.planId, input.taskId),
        data: {
          planId: input.planId,
          taskId: input.taskId,
          agent: input.agent,
          note: input.note,
          expiresAt: iso(expires),
        },
      });
      return fromRow(this.#get.get(input.planId, input.taskId)!);
    });
    return Promise.resolve(claim);
  }

  release(
    input: Omit<ClaimInput, 'leaseMs'> & { readonly reason: ReleaseReason; readonly note?: string },
  ): Promise<TaskClaim | null> {
    const claim = this.#db.tx((): TaskClaim | null => {
      const row = this.#get.get(input.planId, input.taskId);
      if (row === undefined || row.agent !== input.agent || row.expires_at <= this.#now()) {
        return null;
      }
      this.#released(row, input.reason, input.agent, input.note);
      return fromRow(row);
    });
    return Promise.resolve(claim);
  }

  get(planId: string, taskId: string): Promise<TaskClaim | null> {
    const row = this.#get.get(planId, taskId);
    return Promise.resolve(
      row === undefined || row.expires_at <= this.#now() ? null : fromRow(row),
    );
  }

  list(): Promise<TaskClaim[]> {
    const rows = this.#db.db
      .prepare(
        'SELECT * FROM task_claims WHERE expires_at > ? ORDER BY claimed_at, plan_id, task_id',
      )
      .all(this.#now()) as Row[];
    return Promise.resolve(rows.map(fromRow));
  }

  expire(): Promise<TaskClaim[]> {
    const select = this.#db.db.prepare('SELECT * FROM task_claims WHERE expires_at <= ?');
    if (select.get(this.#now()) === undefined) return Promise.resolve([]);
    const expired = this.#db.tx(() => {
      const rows = select.all(this.#now()) as Row[];
      for (const row of rows) this.#released(row, 'expired', 'system');
      return rows.map(fromRow);
    });
    return Promise.resolve(expired);
  }
}
