/**
 * The state machine's writes, shared by every runtime operation: moving a step between states
 * while keeping the run's counters, the dependents' `blocked` counts and the run's status
 * right, deciding a step's authority (`store/authority.ts`) when it is inserted or put back in
 * line, and inserting steps. Every method must be
 * called inside `SqliteDb.tx`; callers append their own events and end with `settle()`.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../../errors/index.js';
import { decideAuthority, specDigest, type AuthorityDecision } from '../authority.js';
import type { StoredEvent } from '../events.js';
import {
  DEFAULT_RETRY_POLICY,
  type ApprovalReason,
  type Lease,
  type StepAuthority,
  type StepSpec,
  type StepState,
} from '../run-store.js';
import {
  endedRunStatus,
  isTerminal,
  liveRunStatus,
  transitionEffects,
} from '../runtime/decisions.js';
import { parseStored, type SqliteDb } from './database.js';
import type { RunRow, StepRow } from './runs-rows.js';

/** Columns `move` may set besides `state`. */
export interface StepPatch {
  retries?: number;
  attempts?: number;
  lease_losses?: number;
  run_at?: number;
  fence?: number;
  lease_owner?: string | null;
  lease_expires?: number | null;
  exit_code?: number | null;
  signal?: string | null;
  error?: string | null;
  started_at?: string | null;
  finished_at?: string | null;
  authority?: StepAuthority;
  approval_reason?: ApprovalReason | null;
  blocked?: number;
}

export { isTerminal };

/**
 * A compare-and-set found the row changed since it was read (a concurrent writer): nothing of
 * the transaction may stand; the caller runs it again (`retryable`).
 */
export function conflict(what: string): StoreError {
  return new StoreError(
    `${what} changed under a concurrent write; nothing was written`,
    { reason: 'conflict', hint: 'try again' },
    undefined,
    true,
  );
}

/** A new step's row values (see `insertStep`). */
export interface InsertStep {
  readonly id: string;
  readonly runId: string;
  readonly ord: number;
  readonly spec: StepSpec;
  readonly lane: string;
  readonly blocked: number;
  readonly fallbackOf: string | null;
  readonly unsafe: boolean;
}

/** The runtime's transactional writes on one SQLite connection. */
export class RunTx {
  readonly sdb: SqliteDb;
  readonly db: Database.Database;
  readonly #touched = new Map<string, string>();
  readonly #deltas = new Map<string, [number, number]>();
  readonly #started = new Set<string>();
  readonly #startStmt: Database.Statement<[string, string, number]>;
  readonly #succeedStmt: Database.Statement<
    [number | null, string, string, number],
    { run_id: string; attempts: number; fallback_of: string | null }
  >;
  readonly #cancelling = new Set<string>();
  readonly #patchStmts = new Map<string, Database.Statement>();
  readonly #stepById: Database.Statement<[string], StepRow>;
  readonly #runById: Database.Statement<[string], RunRow>;
  readonly #counters: Database.Statement<[number, number, string]>;
  readonly #unblock: Database.Statement<[string]>;
  readonly #hasDependents: Database.Statement<[string], number>;
  readonly #dependents: Database.Statement<[string], StepRow>;
  readonly #trusted: Database.Statement<[string, string, string], { ok: number }>;
  readonly #insert: Database.Statement;
  readonly #startedRun: Database.Statement<[string, string]>;

  constructor(sdb: SqliteDb) {
    this.sdb = sdb;
    this.db = sdb.db;
    this.#stepById = this.db.prepare('SELECT * FROM run_steps WHERE id = ?');
    this.#runById = this.db.prepare('SELECT * FROM runs WHERE id = ?');
    this.#counters = this.db.prepare(
      'UPDATE runs SET open_steps = open_steps + ?, waiting_steps = waiting_steps + ? WHERE id = ?',
    );
    this.#unblock = this.db.prepare(
      'UPDATE run_steps SET blocked = blocked - 1 WHERE id IN (SELECT step_id FROM run_step_deps WHERE dep_id = ?)',
    );
    this.#hasDependents = this.db
      .prepare<[string], number>('SELECT 1 FROM run_step_deps WHERE dep_id = ? LIMIT 1')
      .pluck();
    this.#dependents = this.db.prepare(
      'SELECT s.* FROM run_step_deps d JOIN run_steps s ON s.id = d.step_id WHERE d.dep_id = ? ORDER BY s.ord',
    );
    this.#trusted = this.db.prepare(
      `SELECT 1 AS ok FROM trusted_items i JOIN trust_grants g ON g.id = i.grant_id
       WHERE i.plan_id = ? AND i.node_id = ? AND i.digest = ? AND g.revoked_at IS NULL LIMIT 1`,
    );
    this.#insert = this.db.prepare(
      `INSERT INTO run_steps (id, run_id, ord, title, tool, lane, spec, digest, plan_id, node_id,
         authority, approval_reason, fallback_of, state, blocked, max_retries, run_at)
       VALUES (@id, @run_id, @ord, @title, @tool, @lane, @spec, @digest, @plan_id, @node_id,
         @authority, @approval_reason, @fallback_of, @state, @blocked, @max_retries, @run_at)`,
    );
    this.#startStmt = this.db.prepare(
      `UPDATE run_steps SET state = 'running', started_at = ?
       WHERE id = ? AND fence = ? AND state = 'leased'`,
    );
    this.#succeedStmt = this.db.prepare(
      `UPDATE run_steps SET state = 'succeeded', exit_code = ?, error = NULL, signal = NULL,
         finished_at = ?, lease_owner = NULL, lease_expires = NULL
       WHERE id = ? AND fence = ? AND state = 'running' RETURNING run_id, attempts, fallback_of`,
    );
    this.#startedRun = this.db.prepare(
      'UPDATE runs SET started_at = ? WHERE id = ? AND started_at IS NULL',
    );
  }

  /** Forgets what an earlier (possibly rolled back) transaction left; called as each one begins. */
  reset(): void {
    this.#touched.clear();
    this.#deltas.clear();
    this.#cancelling.clear();
  }

  /** Now, in ms since the epoch (the store's clock). */
  now(): number {
    return this.sdb.clock.now();
  }

  /** An ISO-8601 timestamp of `ms` (default now). */
  iso(ms?: number): string {
    return ms === undefined ? this.sdb.isoNow() : new Date(ms).toISOString();
  }

  step(id: string): StepRow | undefined {
    return this.#stepById.get(id);
  }

  run(id: string): RunRow | undefined {
    return this.#runById.get(id);
  }

  /** Appends an event in the current transaction. */
  emit(type: string, actor: string, subject: string, data: Record<string, unknown>): StoredEvent {
    return this.sdb.append({ type, actor, subject, data });
  }

  /** Marks a run as being cancelled: when it ends in this transaction, it ends `cancelled`. */
  cancelling(runId: string): void {
    this.#cancelling.add(runId);
  }

  /**
   * Moves `step` to `to` with `patch`: keeps the run's open/waiting counters, unblocks its
   * dependents when it ends well, and (with `cascade`, the default) cancels them when it ends
   * badly. The run's status is brought up to date by `settle()`.
   */
  move(
    step: StepRow,
    to: StepState,
    actor: string,
    patch: StepPatch = {},
    cascade = true,
  ): StepRow {
    const from = step.state;
    const full: StepPatch = { ...patch };
    if (isTerminal(to) && full.finished_at === undefined) full.finished_at = this.iso();
    if (to !== 'leased' && to !== 'running') {
      full.lease_owner ??= null;
      full.lease_expires ??= null;
    }
    if (!isTerminal(to)) full.finished_at ??= null;
    this.#patch(step, to, full);
    const effects = transitionEffects(from, to, cascade);
    if (effects.open !== 0 || effects.waiting !== 0) {
      this.#delta(step.run_id, effects.open, effects.waiting);
    }
    if (to === 'running') this.markStarted(step.run_id, full.started_at ?? this.iso());
    if (effects.unblock) {
      this.unblockDependents(step.id);
      if (to === 'succeeded' && step.fallback_of !== null) {
        this.db
          .prepare('UPDATE run_steps SET recovered_by = ? WHERE id = ?')
          .run(step.id, step.fallback_of);
      }
    }
    if (effects.cancelDependents) {
      for (const listed of this.#dependents.all(step.id)) {
        // Re-read: a cascade earlier in this loop may have moved it already.
        const dep = this.step(listed.id) ?? listed;
        if (isTerminal(dep.state)) continue;
        const reason = `dependency ${step.id} ${to === 'timed_out' ? 'timed out' : to}`;
        this.emit('step.cancelled', actor, dep.id, {
          runId: dep.run_id,
          stepId: dep.id,
          reason,
        });
        this.move(dep, 'cancelled', actor, { error: reason });
      }
    }
    this.#touched.set(step.run_id, actor);
    return { ...step, ...full, state: to };
  }

  /**
   * Writes a transition as a compare-and-set on the state and fencing token `step` was read
   * with: a row that changed since (a concurrent writer) fails the transaction (`conflict`).
   */
  #patch(step: StepRow, state: StepState, patch: StepPatch): void {
    const keys = Object.keys(patch).sort();
    const key = keys.join(',');
    let stmt = this.#patchStmts.get(key);
    if (stmt === undefined) {
      const sets = ['state = @state', ...keys.map((k) => `${k} = @${k}`)];
      stmt = this.db.prepare(
        `UPDATE run_steps SET ${sets.join(', ')}
         WHERE id = @id AND state = @expect_state AND fence = @expect_fence`,
      );
      this.#patchStmts.set(key, stmt);
    }
    const info = stmt.run({
      ...patch,
      state,
      id: step.id,
      expect_state: step.state,
      expect_fence: step.fence,
    });
    if (info.changes !== 1) throw conflict(`step ${step.id}`);
  }

  /** Brings the status of every run touched in this transaction up to date (ending it when done). */
  settle(): void {
    for (const [runId, [open, waiting]] of this.#deltas) {
      if (open !== 0 || waiting !== 0) this.#counters.run(open, waiting, runId);
    }
    this.#deltas.clear();
    for (const [runId, actor] of this.#touched) this.#refresh(runId, actor);
    this.#touched.clear();
    this.#cancelling.clear();
  }

  /** Notes that `runId` changed (so `settle` refreshes it). */
  touch(runId: string, actor: string): void {
    this.#touched.set(runId, actor);
  }

  #refresh(runId: string, actor: string): void {
    const row = this.run(runId);
    if (row === undefined) return;
    if (row.open_steps === 0) {
      if (row.finished_at !== null) return;
      const tally = this.db
        .prepare(
          `SELECT coalesce(sum(state IN ('failed', 'timed_out') AND recovered_by IS NULL), 0) AS failed,
                  coalesce(sum(state = 'cancelled'), 0) AS cancelled,
                  coalesce(sum(state = 'skipped'), 0) AS skipped,
                  count(*) AS total
           FROM run_steps WHERE run_id = ?`,
        )
        .get(runId) as { failed: number; cancelled: number; skipped: number; total: number };
      const { stored, shown } = endedRunStatus(tally, this.#cancelling.has(runId));
      this.db
        .prepare('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?')
        .run(stored, this.iso(), runId);
      this.emit(`run.${shown}`, actor, runId, {
        runId,
        status: shown,
        steps: tally.total,
        failed: tally.failed,
        cancelled: tally.cancelled,
        skipped: tally.skipped,
      });
      return;
    }
    const status = liveRunStatus(row.waiting_steps, row.started_at !== null);
    if (status !== row.status || row.finished_at !== null) {
      this.db
        .prepare('UPDATE runs SET status = ?, finished_at = NULL WHERE id = ?')
        .run(status, runId);
    }
  }

  /** Whether a plan node's command with this digest is covered by an active trust grant. */
  trusted(planId: string, nodeId: string, digest: string): boolean {
    return this.#trusted.get(planId, nodeId, digest) !== undefined;
  }

  /** The authority decision (`decideAuthority`) for a spec, looking trust up in this database. */
  decide(
    spec: StepSpec,
    digest: string,
    carry: { approved?: boolean; unsafe?: boolean; rejected?: boolean } = {},
  ): AuthorityDecision {
    return decideAuthority({
      spec,
      digest,
      trusted: (p, n, d) => this.trusted(p, n, d),
      approved: carry.approved === true,
      unsafe: carry.unsafe === true,
      rejected: carry.rejected === true,
    });
  }

  /**
   * Puts a step back in line after a person's retry: what allows it to run is decided again
   * from scratch (an earlier approval or `--trust-unsafely` covered the earlier execution only;
   * a rejection stands until someone approves), so it goes to `queued` or to
   * `awaiting_approval`. Appends the matching event.
   */
  requeue(row: StepRow, actor: string, patch: StepPatch, reason: string): StepRow {
    const spec = parseStored<StepSpec>('run_steps', row.id, 'spec', row.spec);
    const d = this.decide(spec, row.digest, { rejected: row.approval_reason === 'rejected' });
    const base = { runId: row.run_id, stepId: row.id, by: actor };
    if (d.wait === null) {
      const moved = this.move(row, 'queued', actor, {
        ...patch,
        authority: d.authority,
        approval_reason: null,
        run_at: this.now(),
      });
      this.emit('step.queued', actor, row.id, { ...base, reason });
      return moved;
    }
    const moved = this.move(row, 'awaiting_approval', actor, {
      ...patch,
      authority: d.wait === 'approval_required' ? d.authority : 'none',
      approval_reason: d.wait,
      run_at: this.now(),
    });
    this.emit('step.awaiting_approval', actor, row.id, {
      ...base,
      reason: d.wait,
      planId: row.plan_id,
      nodeId: row.node_id,
    });
    return moved;
  }

  /** Sends a queued step whose trust is gone back to `awaiting_approval` (reason `untrusted`). */
  park(row: StepRow, actor: string): StepRow {
    const moved = this.move(row, 'awaiting_approval', actor, {
      authority: 'none',
      approval_reason: 'untrusted',
    });
    this.emit('step.awaiting_approval', actor, row.id, {
      runId: row.run_id,
      stepId: row.id,
      reason: 'untrusted',
      planId: row.plan_id,
      nodeId: row.node_id,
    });
    return moved;
  }

  /** Inserts a step (queued or awaiting approval), appends its first event and counts it on the run. */
  insertStep(s: InsertStep, actor: string): void {
    const digest = specDigest(s.spec);
    const { authority, wait: reason } = this.decide(s.spec, digest, { unsafe: s.unsafe });
    const state: StepState = reason === null ? 'queued' : 'awaiting_approval';
    const now = this.now();
    this.#insert.run({
      id: s.id,
      run_id: s.runId,
      ord: s.ord,
      title: s.spec.title,
      tool: s.spec.tool,
      lane: s.lane,
      spec: JSON.stringify(s.spec),
      digest,
      plan_id: s.spec.provenance?.planId ?? null,
      node_id: s.spec.provenance?.nodeId ?? null,
      authority,
      approval_reason: reason,
      fallback_of: s.fallbackOf,
      state,
      blocked: s.blocked,
      max_retries: s.spec.retry?.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
      run_at: now,
    });
    this.#delta(s.runId, 1, state === 'awaiting_approval' ? 1 : 0);
    const data: Record<string, unknown> = { runId: s.runId, stepId: s.id };
    if (s.fallbackOf !== null) data.fallbackOf = s.fallbackOf;
    if (reason === null) {
      if (s.blocked > 0) data.blockedBy = s.blocked;
      this.emit('step.queued', actor, s.id, data);
    } else {
      data.reason = reason;
      data.nodeId = s.spec.provenance?.nodeId ?? null;
      data.planId = s.spec.provenance?.planId ?? null;
      this.emit('step.awaiting_approval', actor, s.id, data);
    }
    this.#touched.set(s.runId, actor);
  }

  /** Adds to a run's open/waiting counters (written by `settle`). */
  #delta(runId: string, open: number, waiting: number): void {
    const d = this.#deltas.get(runId);
    if (d === undefined) this.#deltas.set(runId, [open, waiting]);
    else {
      d[0] += open;
      d[1] += waiting;
    }
  }

  /** Lowers the `blocked` count of the steps waiting for `stepId` (most steps have none). */
  unblockDependents(stepId: string): void {
    if (this.#hasDependents.get(stepId) !== undefined) this.#unblock.run(stepId);
  }

  /** Records that a run has started (once per run and connection). */
  markStarted(runId: string, at: string): void {
    if (this.#started.has(runId)) return;
    this.#startedRun.run(at, runId);
    this.#started.add(runId);
  }

  /**
   * Fast path of `leased → running` for the holder of `lease`: one fenced UPDATE. Returns false
   * when the lease is stale. The run ID, attempt and tool are the lease's: a matching fence
   * means no claim happened since it was issued, so they are the row's.
   */
  startLeased(lease: Lease, actor: string): boolean {
    const at = this.iso();
    if (this.#startStmt.run(at, lease.stepId, lease.fence).changes !== 1) return false;
    this.markStarted(lease.runId, at);
    this.#touched.set(lease.runId, actor);
    return true;
  }

  /**
   * Fast path of `running → succeeded` for the lease holder: one fenced UPDATE, then the
   * dependents are unblocked. Returns the run ID and attempt, or null when the lease is stale.
   */
  succeedRunning(
    id: string,
    fence: number,
    exitCode: number | null,
    actor: string,
  ): { runId: string; attempt: number } | null {
    const row = this.#succeedStmt.get(exitCode, this.iso(), id, fence);
    if (row === undefined) return null;
    this.#delta(row.run_id, -1, 0);
    this.unblockDependents(id);
    if (row.fallback_of !== null) {
      this.db
        .prepare('UPDATE run_steps SET recovered_by = ? WHERE id = ?')
        .run(id, row.fallback_of);
    }
    this.#touched.set(row.run_id, actor);
    return { runId: row.run_id, attempt: row.attempts };
  }
}
