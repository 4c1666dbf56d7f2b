/**
 * What workers do to the SQLite store: claim ready steps (taking back expired leases first,
 * honouring per-lane limits and shared token buckets), and apply batches of fenced writes.
 * A write whose fencing token or state no longer matches is rejected (and recorded as a
 * `worker.fenced` event), so a worker that was paused past its lease cannot overwrite the
 * result of the worker that took the step over. A claim starts a step only when `authorityAtStart`
 * (store/authority.ts) says it has authority now; a queued step without it is parked in
 * `awaiting_approval` instead.
 */
import type Database from 'better-sqlite3';
import type {
  ClaimInput,
  ClaimResult,
  Lease,
  OpResult,
  RateLimit,
  StepSpec,
  WorkerOp,
} from '../run-store.js';
import { authorityAtStart } from '../authority.js';
import {
  bucketTokens,
  bucketWaitMs,
  decideFailure,
  decideLeaseExpiry,
  laneRoom,
} from '../runtime/decisions.js';
import type { StepRow } from './runs-rows.js';
import { conflict, type RunTx } from './runs-tx.js';
import { parseStored } from './database.js';

interface Bucket {
  tokens: number;
  updated: number;
  readonly limit: RateLimit;
  dirty: boolean;
  /** The stored row as read (null: none yet): the write is a compare-and-set on it. */
  readonly read: { readonly tokens: number; readonly updated_ms: number } | null;
}

function inList(column: string, values: ReadonlyArray<string> | undefined): string {
  if (values === undefined) return '';
  return ` AND ${column} IN (${values.map(() => '?').join(', ') || 'NULL'})`;
}

/** The columns of a ready step that a claim reads (a narrow row is much cheaper to fetch). */
type ClaimRow = Pick<
  StepRow,
  | 'id'
  | 'run_id'
  | 'lane'
  | 'tool'
  | 'spec'
  | 'fence'
  | 'attempts'
  | 'retries'
  | 'max_retries'
  | 'fallback_of'
  | 'authority'
  | 'digest'
>;
const CLAIM_COLUMNS =
  'id, run_id, lane, tool, spec, fence, attempts, retries, max_retries, fallback_of, authority, digest';

/** Lease a worker gets for a claimed step row. */
function leaseOf(row: ClaimRow, spec: StepSpec): Lease {
  return {
    stepId: row.id,
    runId: row.run_id,
    fence: row.fence,
    attempt: row.attempts,
    retries: row.retries,
    maxRetries: row.max_retries,
    lane: row.lane,
    spec,
    hasFallback: spec.fallback !== undefined && row.fallback_of === null,
  };
}

/** Claims and fenced writes of workers. */
export class WorkerOps {
  readonly #t: RunTx;
  readonly #stmts = new Map<string, Database.Statement>();
  readonly #expired: Database.Statement<[number, number], StepRow>;
  readonly #active: Database.Statement<[], { lane: string; n: number }>;
  readonly #held: Database.Statement<[string, number], { ok: number }>;
  readonly #heartbeat: Database.Statement<[number, string, number]>;
  readonly #lease: Database.Statement<[number, number, string, number, string, number]>;
  readonly #leaseStart: Database.Statement<
    [number, number, string, number, string, string, number]
  >;

  readonly #trustedFn: (planId: string, nodeId: string, digest: string) => boolean;
  readonly #setAuthority: Database.Statement<[string, string]>;

  constructor(t: RunTx) {
    this.#t = t;
    this.#trustedFn = (p, n, d) => t.trusted(p, n, d);
    this.#setAuthority = t.db.prepare('UPDATE run_steps SET authority = ? WHERE id = ?');
    this.#expired = t.db.prepare(
      `SELECT * FROM run_steps WHERE state IN ('leased', 'running') AND lease_expires < ?
       ORDER BY lease_expires LIMIT ?`,
    );
    this.#active = t.db.prepare(
      `SELECT lane, count(*) AS n FROM run_steps WHERE state IN ('leased', 'running') GROUP BY lane`,
    );
    this.#held = t.db.prepare(
      `SELECT 1 AS ok FROM run_steps WHERE id = ? AND fence = ? AND state IN ('leased', 'running')`,
    );
    // A claim is a compare-and-set on the fencing token it read: of several claimers of one
    // step, one changes the row and the others change nothing (and skip it).
    this.#lease = t.db.prepare(
      `UPDATE run_steps SET state = 'leased', fence = ?, attempts = ?, lease_owner = ?, lease_expires = ?
       WHERE id = ? AND state = 'queued' AND fence = ?`,
    );
    // queued → leased → running in one UPDATE (both transitions' events are appended).
    this.#leaseStart = t.db.prepare(
      `UPDATE run_steps SET state = 'running', fence = ?, attempts = ?, lease_owner = ?, lease_expires = ?,
         started_at = ? WHERE id = ? AND state = 'queued' AND fence = ?`,
    );
    this.#heartbeat = t.db.prepare(
      `UPDATE run_steps SET lease_expires = ? WHERE id = ? AND fence = ? AND state IN ('leased', 'running')`,
    );
  }

  #stmt(sql: string): Database.Statement {
    let s = this.#stmts.get(sql);
    if (s === undefined) {
      s = this.#t.db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  /** Takes back expired leases, then leases ready steps; runs inside one transaction. */
  claim(input: ClaimInput): ClaimResult {
    const t = this.#t;
    const now = t.now();
    let reclaimed = 0;
    for (const row of this.#expired.all(now, 100)) {
      reclaimed++;
      const losses = row.lease_losses + 1;
      const error = `lease of ${row.lease_owner ?? 'a worker'} expired (no heartbeat since before ${t.iso(row.lease_expires ?? now)})`;
      t.emit('step.failed', input.worker, row.id, {
        runId: row.run_id,
        stepId: row.id,
        exitCode: null,
        signal: null,
        error,
        retryable: true,
        attempt: row.attempts,
        leaseExpired: true,
      });
      if (decideLeaseExpiry(losses, input.maxLeaseLosses) === 'quarantine') {
        t.move(row, 'quarantined', input.worker, {
          lease_losses: losses,
          fence: row.fence + 1,
          error,
        });
        t.emit('step.quarantined', input.worker, row.id, {
          runId: row.run_id,
          stepId: row.id,
          attempts: row.attempts,
          retries: row.retries,
          error: `lost its lease ${losses} times`,
        });
      } else {
        t.move(row, 'queued', input.worker, {
          lease_losses: losses,
          fence: row.fence + 1,
          run_at: now,
          error,
        });
        t.emit('step.queued', input.worker, row.id, {
          runId: row.run_id,
          stepId: row.id,
          reason: 'lease_expired',
        });
      }
    }

    const active = new Map<string, number>();
    for (const r of this.#active.all()) active.set(r.lane, r.n);
    const limits = input.laneLimits ?? {};
    const buckets = new Map<string, Bucket>();
    const bucketOf = (tool: string): Bucket | null => {
      const limit = input.rateLimits?.[tool];
      if (limit === undefined) return null;
      let b = buckets.get(tool);
      if (b === undefined) {
        const row = this.#stmt('SELECT tokens, updated_ms FROM rate_buckets WHERE tool = ?').get(
          tool,
        ) as { tokens: number; updated_ms: number } | undefined;
        const stored = row === undefined ? null : { tokens: row.tokens, updatedMs: row.updated_ms };
        const tokens = bucketTokens(stored, limit, now);
        b = { tokens, updated: now, limit, dirty: row === undefined, read: row ?? null };
        buckets.set(tool, b);
      }
      return b;
    };

    const params: Array<string | number> = [now];
    let sql = `SELECT ${CLAIM_COLUMNS} FROM run_steps WHERE state = 'queued' AND blocked = 0 AND run_at <= ?`;
    sql += inList('lane', input.lanes);
    if (input.lanes !== undefined) params.push(...input.lanes);
    sql += inList('run_id', input.runs);
    if (input.runs !== undefined) params.push(...input.runs);
    sql += ' ORDER BY run_at, rowid LIMIT ?';
    const filtered =
      Object.keys(input.laneLimits ?? {}).length > 0 ||
      Object.keys(input.rateLimits ?? {}).length > 0;
    params.push(filtered ? Math.max(input.limit * 4, 16) : input.limit);
    const candidates = this.#stmt(sql).all(...params) as ClaimRow[];

    const leases: Lease[] = [];
    let nextAt: number | null = null;
    const later = (at: number): void => {
      nextAt = nextAt === null ? at : Math.min(nextAt, at);
    };
    for (const row of candidates) {
      if (leases.length >= input.limit) break;
      const spec = parseStored<StepSpec>('run_steps', row.id, 'spec', row.spec);
      // The enforcement point: whatever put the step in the queue, it starts only with authority now.
      const authority = authorityAtStart(row.authority, {
        spec,
        digest: row.digest,
        trusted: this.#trustedFn,
      });
      if (authority === null) {
        t.park(t.step(row.id)!, input.worker);
        continue;
      }
      if (authority !== row.authority) this.#setAuthority.run(authority, row.id);
      if (!laneRoom(limits, active, row.lane)) continue;
      const bucket = bucketOf(row.tool);
      if (bucket !== null) {
        if (bucket.tokens < 1) {
          later(now + bucketWaitMs(bucket.tokens, bucket.limit));
          continue;
        }
        bucket.tokens -= 1;
        bucket.dirty = true;
      }
      active.set(row.lane, (active.get(row.lane) ?? 0) + 1);
      /** Gives back the slot and token of a step another claimer took first. */
      const refund = (): void => {
        active.set(row.lane, (active.get(row.lane) ?? 1) - 1);
        if (bucket !== null) bucket.tokens += 1;
      };
      const moved: ClaimRow = { ...row, fence: row.fence + 1, attempts: row.attempts + 1 };
      const expires = now + input.leaseMs;
      const data = {
        runId: row.run_id,
        stepId: row.id,
        worker: input.worker,
        fence: moved.fence,
        attempt: moved.attempts,
      };
      if (input.start === true) {
        const at = t.iso();
        const won = this.#leaseStart.run(
          moved.fence,
          moved.attempts,
          input.worker,
          expires,
          at,
          row.id,
          row.fence,
        ).changes;
        if (won !== 1) {
          refund();
          continue;
        }
        t.markStarted(row.run_id, at);
        t.touch(row.run_id, input.worker);
        t.emit('step.leased', input.worker, row.id, data);
        t.emit('step.started', input.worker, row.id, {
          runId: row.run_id,
          stepId: row.id,
          attempt: moved.attempts,
          worker: input.worker,
          tool: row.tool,
        });
      } else {
        // queued → leased changes no counter of the run: one UPDATE is the whole transition.
        const won = this.#lease.run(
          moved.fence,
          moved.attempts,
          input.worker,
          expires,
          row.id,
          row.fence,
        ).changes;
        if (won !== 1) {
          refund();
          continue;
        }
        t.touch(row.run_id, input.worker);
        t.emit('step.leased', input.worker, row.id, data);
      }
      leases.push(leaseOf(moved, spec));
    }
    // Each bucket is written as a compare-and-set on the row it was read from: a concurrent
    // claimer's spend is never overwritten (the transaction fails and is run again instead).
    for (const [tool, b] of buckets) {
      if (!b.dirty) continue;
      const changed =
        b.read === null
          ? this.#stmt(
              `INSERT INTO rate_buckets (tool, tokens, updated_ms) VALUES (?, ?, ?)
               ON CONFLICT (tool) DO NOTHING`,
            ).run(tool, b.tokens, b.updated).changes
          : this.#stmt(
              `UPDATE rate_buckets SET tokens = ?, updated_ms = ?
               WHERE tool = ? AND tokens = ? AND updated_ms = ?`,
            ).run(b.tokens, b.updated, tool, b.read.tokens, b.read.updated_ms).changes;
      if (changed !== 1) throw conflict(`the rate bucket of ${tool}`);
    }
    if (leases.length === 0 || candidates.length < input.limit) {
      let waitSql = `SELECT min(run_at) AS at FROM run_steps WHERE state = 'queued' AND blocked = 0 AND run_at > ?`;
      const waitParams: Array<string | number> = [now];
      waitSql += inList('lane', input.lanes);
      if (input.lanes !== undefined) waitParams.push(...input.lanes);
      waitSql += inList('run_id', input.runs);
      if (input.runs !== undefined) waitParams.push(...input.runs);
      const at = (this.#stmt(waitSql).get(...waitParams) as { at: number | null }).at;
      if (at !== null) later(at);
    }
    t.settle();
    return { leases, nextAt, reclaimed };
  }

  /** Applies fenced writes; each op is checked on its own. */
  apply(ops: ReadonlyArray<WorkerOp>): OpResult[] {
    const t = this.#t;
    const results: OpResult[] = [];
    for (const op of ops) {
      const { lease } = op;
      if (op.kind === 'heartbeat') {
        const changed = this.#heartbeat.run(
          t.now() + op.leaseMs,
          lease.stepId,
          lease.fence,
        ).changes;
        results.push(changed === 1 ? { ok: true } : this.#stale(op));
        continue;
      }
      if (op.kind === 'start') {
        if (!t.startLeased(lease, op.worker)) results.push(this.#stale(op));
        else {
          t.emit('step.started', op.worker, lease.stepId, {
            runId: lease.runId,
            stepId: lease.stepId,
            attempt: lease.attempt,
            worker: op.worker,
            tool: lease.spec.tool,
          });
          results.push({ ok: true });
        }
        continue;
      }
      if (op.kind === 'finish' && op.outcome.kind === 'succeeded') {
        const done = t.succeedRunning(lease.stepId, lease.fence, op.outcome.exitCode, op.worker);
        if (done === null) results.push(this.#stale(op));
        else {
          t.emit('step.succeeded', op.worker, lease.stepId, {
            runId: done.runId,
            stepId: lease.stepId,
            attempt: done.attempt,
            exitCode: op.outcome.exitCode,
          });
          results.push({ ok: true });
        }
        continue;
      }
      const row = t.step(lease.stepId);
      const expected = 'running';
      if (row === undefined || row.fence !== lease.fence || row.state !== expected) {
        results.push(this.#stale(op));
        continue;
      }
      const base = { runId: row.run_id, stepId: row.id };
      switch (op.kind) {
        case 'output':
          t.emit('step.output', op.worker, row.id, {
            ...base,
            stream: op.stream,
            text: op.text,
            ...(op.truncated === true ? { truncated: true } : {}),
          });
          break;
        case 'artifact':
          t.emit('step.artifact', op.worker, row.id, {
            ...base,
            path: op.path,
            sha256: op.sha256,
            bytes: op.bytes,
          });
          break;
        case 'release':
          t.move(row, 'queued', op.worker, { fence: row.fence + 1, run_at: t.now() });
          t.emit('step.queued', op.worker, row.id, { ...base, reason: op.reason });
          break;
        case 'finish':
          this.#finish(row, op);
          break;
        default: {
          const never: never = op;
          throw new Error(`unknown op ${String(never)}`);
        }
      }
      results.push({ ok: true });
    }
    t.settle();
    return results;
  }

  #finish(row: StepRow, op: Extract<WorkerOp, { kind: 'finish' }>): void {
    const t = this.#t;
    const { outcome, worker } = op;
    const base = { runId: row.run_id, stepId: row.id };
    if (outcome.kind === 'succeeded') {
      t.move(row, 'succeeded', worker, { exit_code: outcome.exitCode, error: null, signal: null });
      t.emit('step.succeeded', worker, row.id, {
        ...base,
        attempt: row.attempts,
        exitCode: outcome.exitCode,
      });
      return;
    }
    t.emit(outcome.kind === 'timed_out' ? 'step.timed_out' : 'step.failed', worker, row.id, {
      ...base,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      error: outcome.error,
      retryable: outcome.retryable,
      attempt: row.attempts,
    });
    const result = {
      exit_code: outcome.exitCode,
      signal: outcome.signal,
      error: outcome.error,
    };
    const spec = parseStored<StepSpec>('run_steps', row.id, 'spec', row.spec);
    const decision = decideFailure({
      retryable: outcome.retryable,
      retryDelayMs: outcome.retryDelayMs,
      retries: row.retries,
      maxRetries: row.max_retries,
      fallback: spec.fallback !== undefined && row.fallback_of === null,
      quarantine: spec.quarantine !== false,
      now: t.now(),
    });
    switch (decision.kind) {
      case 'retry':
        t.move(row, 'queued', worker, { ...result, retries: row.retries + 1, run_at: decision.at });
        t.emit('step.retry_scheduled', worker, row.id, {
          ...base,
          attempt: row.attempts + 1,
          retry: row.retries + 1,
          delayMs: outcome.retryDelayMs,
          at: t.iso(decision.at),
        });
        return;
      case 'fallback':
        t.move(row, outcome.kind, worker, result, false);
        this.#startFallback(row, spec.fallback!, worker);
        return;
      case 'end':
        t.move(row, outcome.kind, worker, result);
        return;
      case 'quarantine':
        t.move(row, 'quarantined', worker, result);
        t.emit('step.quarantined', worker, row.id, {
          ...base,
          attempts: row.attempts,
          retries: row.retries,
          error: outcome.error,
        });
        return;
      default: {
        const never: never = decision;
        throw new Error(`unknown decision ${String(never)}`);
      }
    }
  }

  #startFallback(row: StepRow, fallback: StepSpec, actor: string): void {
    const t = this.#t;
    const ord =
      (
        t.db.prepare('SELECT max(ord) AS n FROM run_steps WHERE run_id = ?').get(row.run_id) as {
          n: number;
        }
      ).n + 1;
    const id = `${row.run_id}.${ord}`;
    const { fallback: _nested, ...spec } = fallback;
    t.insertStep(
      {
        id,
        runId: row.run_id,
        ord,
        spec,
        lane: spec.lane ?? row.lane,
        blocked: 0,
        fallbackOf: row.id,
        unsafe: row.authority === 'unsafe',
      },
      actor,
    );
    t.db.prepare('UPDATE run_step_deps SET dep_id = ? WHERE dep_id = ?').run(id, row.id);
  }

  #stale(op: WorkerOp): OpResult {
    const row = this.#t.step(op.lease.stepId);
    this.#t.emit('worker.fenced', op.worker, op.lease.stepId, {
      runId: op.lease.runId,
      stepId: op.lease.stepId,
      op: op.kind,
      fence: op.lease.fence,
      currentFence: row?.fence ?? null,
      state: row?.state ?? null,
    });
    return { ok: false, reason: 'stale' };
  }

  /** Which leases are still held. */
  stillHeld(leases: ReadonlyArray<Lease>): Set<string> {
    const held = new Set<string>();
    for (const l of leases) if (this.#held.get(l.stepId, l.fence) !== undefined) held.add(l.stepId);
    return held;
  }

  /** Whether a claim may find something now (ready or expired). */
  hasWork(input: Pick<ClaimInput, 'lanes' | 'runs'>): boolean {
    const now = this.#t.now();
    if (this.#expired.get(now, 1) !== undefined) return true;
    let sql = `SELECT 1 AS ok FROM run_steps WHERE state = 'queued' AND blocked = 0 AND run_at <= ?`;
    const params: Array<string | number> = [now];
    sql += inList('lane', input.lanes);
    if (input.lanes !== undefined) params.push(...input.lanes);
    sql += inList('run_id', input.runs);
    if (input.runs !== undefined) params.push(...input.runs);
    return this.#stmt(`${sql} LIMIT 1`).get(...params) !== undefined;
  }
}
