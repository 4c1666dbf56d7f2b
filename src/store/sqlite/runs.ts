/**
 * The SQLite run store: sessions, runs and their step executions, with the state machine in
 * `runs-tx.ts`, workers' claims and fenced writes in `runs-worker.ts`, people's actions in
 * `runs-people.ts` and trust in `runs-trust.ts`.
 */
import { randomBytes } from 'node:crypto';
import { NotFoundError, StateError, StoreError } from '../../errors/index.js';
import { specDigest } from '../authority.js';
import type { StoredEvent } from '../events.js';
import type {
  ClaimInput,
  ClaimResult,
  CreateRunInput,
  GrantTrustInput,
  Lease,
  LogLine,
  OpResult,
  ResolveAction,
  RunQuery,
  RunRecord,
  RunStore,
  SessionRecord,
  StepRecord,
  StepState,
  TrustGrant,
  WorkerOp,
} from '../run-store.js';
import { eventFromRow, type SqliteDb } from './database.js';
import {
  runFromRow,
  sessionFromRow,
  stepFromRow,
  zeroCounts,
  type RunRow,
  type SessionRow,
  type StepRow,
} from './runs-rows.js';
import { PeopleOps } from './runs-people.js';
import { TrustOps } from './runs-trust.js';
import { RunTx } from './runs-tx.js';
import { WorkerOps } from './runs-worker.js';
import { shellCommand } from '../../util/shell-quote.js';

type EventRow = Parameters<typeof eventFromRow>[0];

const SESSION_SQL = `SELECT s.*, (SELECT count(*) FROM runs r WHERE r.session_id = s.id) AS runs
  FROM run_sessions s`;

function newId(prefix: string, bytes: number): string {
  return `${prefix}-${randomBytes(bytes).toString('hex')}`;
}

/** The SQLite implementation of {@link RunStore}. */
export class SqliteRunStore implements RunStore {
  readonly #sdb: SqliteDb;
  readonly #t: RunTx;
  readonly #worker: WorkerOps;
  readonly #people: PeopleOps;
  readonly #trust: TrustOps;

  constructor(sdb: SqliteDb) {
    this.#sdb = sdb;
    this.#t = new RunTx(sdb);
    this.#worker = new WorkerOps(this.#t);
    this.#people = new PeopleOps(this.#t);
    this.#trust = new TrustOps(this.#t);
  }

  #tx<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(
        this.#sdb.tx(() => {
          this.#t.reset();
          return fn();
        }),
      );
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) {
        return Promise.reject(
          new StoreError('the workspace database is busy', { code }, error, true),
        );
      }
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #read<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  get #db() {
    return this.#sdb.db;
  }

  // ---- runs ----

  createRun(input: CreateRunInput): Promise<{ run: RunRecord; steps: StepRecord[] }> {
    return this.#tx(() => {
      const t = this.#t;
      const actor = input.requestedBy;
      const sessionId = this.#sessionFor(input.session, actor);
      let id = newId('run', 4);
      while (t.run(id) !== undefined) id = newId('run', 4);
      const num =
        (this.#db.prepare('SELECT coalesce(max(num), 0) AS n FROM runs').get() as { n: number }).n +
        1;
      this.#db
        .prepare(
          `INSERT INTO runs (id, num, session_id, title, intent, lane, target, status, requested_by,
             created_at, open_steps, waiting_steps)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, 0, 0)`,
        )
        .run(
          id,
          num,
          sessionId,
          input.title,
          input.intent ?? null,
          input.lane,
          input.target === null ? null : JSON.stringify(input.target),
          actor,
          t.iso(),
        );
      const stepIds = input.steps.map((_, i) => `${id}.${i + 1}`);
      input.steps.forEach((s, i) => {
        for (const a of s.after) {
          if (!Number.isInteger(a) || a < 0 || a >= i) {
            throw new StateError(
              `step ${i + 1} of the run waits for step ${a + 1}, which does not come before it`,
            );
          }
        }
      });
      t.emit('run.created', actor, id, {
        runId: id,
        sessionId,
        title: input.title,
        ...(input.intent === undefined ? {} : { intent: input.intent }),
        lane: input.lane,
        target: input.target,
        requestedBy: actor,
        steps: input.steps.map((s, i) => ({
          id: stepIds[i],
          title: s.spec.title,
          tool: s.spec.tool,
          lane: s.lane,
          input: s.spec.input,
          digest: specDigest(s.spec),
          planId: s.spec.provenance?.planId ?? null,
          nodeId: s.spec.provenance?.nodeId ?? null,
          after: s.after.map((a) => stepIds[a]),
          ...(s.unsafe === true ? { unsafe: true } : {}),
        })),
      });
      const dep = this.#db.prepare(
        'INSERT OR IGNORE INTO run_step_deps (dep_id, step_id) VALUES (?, ?)',
      );
      input.steps.forEach((s, i) => {
        const stepId = stepIds[i]!;
        const after = [...new Set(s.after)];
        for (const a of after) dep.run(stepIds[a]!, stepId);
        t.insertStep(
          {
            id: stepId,
            runId: id,
            ord: i + 1,
            spec: s.spec,
            lane: s.lane,
            blocked: after.length,
            fallbackOf: null,
            unsafe: s.unsafe === true,
          },
          actor,
        );
      });
      t.touch(id, actor);
      t.settle();
      return { run: this.#runRecord(t.run(id)!), steps: this.#stepRecords(id) };
    });
  }

  #sessionFor(session: CreateRunInput['session'], actor: string): string {
    const t = this.#t;
    if (typeof session === 'string') {
      const row = this.#db.prepare('SELECT * FROM run_sessions WHERE id = ?').get(session) as
        SessionRow | undefined;
      if (row === undefined) {
        throw new NotFoundError(`no session with ID ${session}`, {
          hint: 'run `pulser sessions` to see session IDs, or use --new-session TITLE',
        });
      }
      if (row.archived_at !== null) {
        throw new StateError(`session ${session} is archived`, {
          hint: `unarchive it first (${shellCommand('pulser', 'session', 'unarchive', session)}) or start a new one`,
        });
      }
      return row.id;
    }
    if (session === undefined) {
      const current = this.#db
        .prepare(
          'SELECT id FROM run_sessions WHERE archived_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1',
        )
        .get() as { id: string } | undefined;
      if (current !== undefined) return current.id;
    }
    const title = session?.title ?? `session ${t.iso().slice(0, 10)}`;
    let id = newId('ses', 3);
    while (this.#db.prepare('SELECT 1 FROM run_sessions WHERE id = ?').get(id) !== undefined) {
      id = newId('ses', 3);
    }
    this.#db
      .prepare('INSERT INTO run_sessions (id, title, created_by, created_at) VALUES (?, ?, ?, ?)')
      .run(id, title, actor, t.iso());
    t.emit('session.created', actor, id, { sessionId: id, title });
    return id;
  }

  #counts(
    runIds: ReadonlyArray<string>,
  ): Map<string, { counts: Record<StepState, number>; ready: number }> {
    const map = new Map<string, { counts: Record<StepState, number>; ready: number }>();
    for (const id of runIds) map.set(id, { counts: zeroCounts(), ready: 0 });
    if (runIds.length === 0) return map;
    const rows = this.#db
      .prepare(
        `SELECT run_id, state, count(*) AS n, sum(blocked = 0) AS ready FROM run_steps
         WHERE run_id IN (${runIds.map(() => '?').join(', ')}) GROUP BY run_id, state`,
      )
      .all(...runIds) as Array<{ run_id: string; state: StepState; n: number; ready: number }>;
    for (const r of rows) {
      const entry = map.get(r.run_id)!;
      entry.counts[r.state] = r.n;
      if (r.state === 'queued') entry.ready = r.ready;
    }
    return map;
  }

  #runRecord(row: RunRow): RunRecord {
    const c = this.#counts([row.id]).get(row.id)!;
    return runFromRow(row, c.counts, c.ready);
  }

  #stepRecords(runId: string): StepRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM run_steps WHERE run_id = ? ORDER BY ord')
      .all(runId) as StepRow[];
    const deps = this.#db
      .prepare(
        `SELECT d.step_id, d.dep_id FROM run_step_deps d JOIN run_steps s ON s.id = d.step_id
         WHERE s.run_id = ?`,
      )
      .all(runId) as Array<{ step_id: string; dep_id: string }>;
    const after = new Map<string, string[]>();
    for (const d of deps) {
      const list = after.get(d.step_id) ?? [];
      list.push(d.dep_id);
      after.set(d.step_id, list);
    }
    return rows.map((r) => stepFromRow(r, after.get(r.id) ?? []));
  }

  #stepRecord(row: StepRow): StepRecord {
    const after = this.#db
      .prepare('SELECT dep_id FROM run_step_deps WHERE step_id = ? ORDER BY dep_id')
      .pluck()
      .all(row.id) as string[];
    return stepFromRow(row, after);
  }

  getRun(id: string): Promise<RunRecord | null> {
    return this.#read(() => {
      const row = this.#t.run(id);
      return row === undefined ? null : this.#runRecord(row);
    });
  }

  listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    return this.#read(() => {
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (query.status !== undefined) {
        // `skipped` is stored `succeeded` (see runFromRow).
        const skip =
          "EXISTS (SELECT 1 FROM run_steps k WHERE k.run_id = r.id AND k.state = 'skipped')";
        if (query.status === 'skipped') where.push(`r.status = 'succeeded' AND ${skip}`);
        else if (query.status === 'succeeded') where.push(`r.status = 'succeeded' AND NOT ${skip}`);
        else {
          where.push('r.status = ?');
          params.push(query.status);
        }
      }
      if (query.lane !== undefined) {
        where.push('r.lane = ?');
        params.push(query.lane);
      }
      if (query.session !== undefined) {
        where.push('r.session_id = ?');
        params.push(query.session);
      } else if (query.archived !== true) {
        where.push('s.archived_at IS NULL');
      }
      if (query.q !== undefined && query.q !== '') {
        const like = `%${query.q.replace(/[\\%_]/gu, (c) => `\\${c}`)}%`;
        where.push(
          "(r.id LIKE ? ESCAPE '\\' OR r.title LIKE ? ESCAPE '\\' OR coalesce(r.intent, '') LIKE ? ESCAPE '\\' OR coalesce(r.target, '') LIKE ? ESCAPE '\\')",
        );
        params.push(like, like, like, like);
      }
      params.push(query.limit ?? 100);
      const rows = this.#db
        .prepare(
          `SELECT r.* FROM runs r JOIN run_sessions s ON s.id = r.session_id
           ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.num DESC LIMIT ?`,
        )
        .all(...params) as RunRow[];
      const counts = this.#counts(rows.map((r) => r.id));
      return rows.map((r) => {
        const c = counts.get(r.id)!;
        return runFromRow(r, c.counts, c.ready);
      });
    });
  }

  latestStepsOf(planId: string, nodeIds: ReadonlyArray<string>): Promise<StepRecord[]> {
    return this.#read(() => {
      if (nodeIds.length === 0) return [];
      const rows = this.#db
        .prepare(
          `SELECT s.* FROM run_steps s JOIN runs r ON r.id = s.run_id
           WHERE s.plan_id = ? AND s.node_id IN (${nodeIds.map(() => '?').join(', ')})
           ORDER BY r.num DESC, s.ord`,
        )
        .all(planId, ...nodeIds) as StepRow[];
      const seen = new Set<string>();
      const out: StepRecord[] = [];
      for (const row of rows) {
        if (row.node_id === null || seen.has(row.node_id)) continue;
        seen.add(row.node_id);
        out.push(this.#stepRecord(row));
      }
      return out;
    });
  }

  listSteps(runId: string): Promise<StepRecord[]> {
    return this.#read(() => this.#stepRecords(runId));
  }

  getStep(id: string): Promise<StepRecord | null> {
    return this.#read(() => {
      const row = this.#t.step(id);
      return row === undefined ? null : this.#stepRecord(row);
    });
  }

  stepsInState(states: ReadonlyArray<StepState>, limit = 200): Promise<StepRecord[]> {
    return this.#read(() => {
      if (states.length === 0) return [];
      const rows = this.#db
        .prepare(
          `SELECT s.* FROM run_steps s JOIN runs r ON r.id = s.run_id
           WHERE s.state IN (${states.map(() => '?').join(', ')}) ORDER BY r.num DESC, s.ord LIMIT ?`,
        )
        .all(...states, limit) as StepRow[];
      return rows.map((r) => this.#stepRecord(r));
    });
  }

  recentRunIds(limit = 500): Promise<string[]> {
    return this.#read(
      () =>
        this.#db
          .prepare('SELECT id FROM runs ORDER BY num DESC LIMIT ?')
          .pluck()
          .all(limit) as string[],
    );
  }

  // ---- sessions ----

  listSessions(options: { archived?: boolean } = {}): Promise<SessionRecord[]> {
    return this.#read(() => {
      const rows = this.#db
        .prepare(
          `${SESSION_SQL} ${options.archived === true ? '' : 'WHERE s.archived_at IS NULL'}
           ORDER BY s.created_at DESC, s.rowid DESC`,
        )
        .all() as SessionRow[];
      return rows.map(sessionFromRow);
    });
  }

  getSession(id: string): Promise<SessionRecord | null> {
    return this.#read(() => {
      const row = this.#db.prepare(`${SESSION_SQL} WHERE s.id = ?`).get(id) as
        SessionRow | undefined;
      return row === undefined ? null : sessionFromRow(row);
    });
  }

  archiveSession(id: string, archived: boolean, actor: string): Promise<SessionRecord> {
    return this.#tx(() => {
      const row = this.#db.prepare(`${SESSION_SQL} WHERE s.id = ?`).get(id) as
        SessionRow | undefined;
      if (row === undefined) {
        throw new NotFoundError(`no session with ID ${id}`, {
          hint: 'run `pulser sessions --archived` to see every session',
        });
      }
      const at = archived ? (row.archived_at ?? this.#t.iso()) : null;
      this.#db.prepare('UPDATE run_sessions SET archived_at = ? WHERE id = ?').run(at, id);
      this.#sdb.append({
        type: 'session.archived',
        actor,
        subject: id,
        data: { sessionId: id, archived },
      });
      return sessionFromRow({ ...row, archived_at: at });
    });
  }

  // ---- workers ----

  claim(input: ClaimInput): Promise<ClaimResult> {
    return this.#tx(() => this.#worker.claim(input));
  }

  apply(ops: ReadonlyArray<WorkerOp>): Promise<ReadonlyArray<OpResult>> {
    if (ops.length === 0) return Promise.resolve([]);
    return this.#tx(() => this.#worker.apply(ops));
  }

  applyAndClaim(
    ops: ReadonlyArray<WorkerOp>,
    input: ClaimInput,
  ): Promise<{ readonly results: ReadonlyArray<OpResult>; readonly claimed: ClaimResult }> {
    return this.#tx(() => {
      const results = this.#worker.apply(ops);
      return { results, claimed: this.#worker.claim(input) };
    });
  }

  stillHeld(leases: ReadonlyArray<Lease>): Promise<ReadonlySet<string>> {
    return this.#read(() => this.#worker.stillHeld(leases));
  }

  hasWork(input: Pick<ClaimInput, 'lanes' | 'runs'>): Promise<boolean> {
    return this.#read(() => this.#worker.hasWork(input));
  }

  // ---- people ----

  #recordOf(row: StepRow): StepRecord {
    return this.#stepRecord(this.#t.step(row.id) ?? row);
  }

  approve(stepId: string, actor: string, note?: string): Promise<StepRecord> {
    return this.#tx(() => this.#recordOf(this.#people.approve(stepId, actor, note)));
  }

  reject(stepId: string, actor: string, reason?: string): Promise<StepRecord> {
    return this.#tx(() => this.#recordOf(this.#people.reject(stepId, actor, reason)));
  }

  resolve(
    stepId: string,
    action: ResolveAction,
    actor: string,
    reason?: string,
  ): Promise<StepRecord> {
    return this.#tx(() => this.#recordOf(this.#people.resolve(stepId, action, actor, reason)));
  }

  judgeRun(
    runId: string,
    status: 'succeeded' | 'failed',
    actor: string,
    reason: string,
  ): Promise<RunRecord> {
    return this.#tx(() => {
      const row = this.#t.run(runId);
      if (row === undefined) throw new NotFoundError(`no run with ID ${runId}`);
      if (row.finished_at === null) {
        throw new StateError(`run ${runId} has not ended (${row.status}); it cannot be judged`);
      }
      if (row.status !== status) {
        this.#db.prepare('UPDATE runs SET status = ? WHERE id = ?').run(status, runId);
      }
      this.#t.emit('run.judged', actor, runId, { runId, from: row.status, status, reason });
      return this.#runRecord(this.#t.run(runId)!);
    });
  }

  retry(id: string, actor: string): Promise<{ run: RunRecord; steps: StepRecord[] }> {
    return this.#tx(() => {
      const { runId, steps } = this.#people.retry(id, actor);
      const ids = new Set(steps);
      return {
        run: this.#runRecord(this.#t.run(runId)!),
        steps: this.#stepRecords(runId).filter((s) => ids.has(s.id)),
      };
    });
  }

  cancelRun(runId: string, actor: string): Promise<RunRecord> {
    return this.#tx(() => {
      this.#people.cancelRun(runId, actor);
      return this.#runRecord(this.#t.run(runId)!);
    });
  }

  cancelStep(stepId: string, actor: string): Promise<StepRecord> {
    return this.#tx(() => this.#recordOf(this.#people.cancelStep(stepId, actor)));
  }

  // ---- trust ----

  grantTrust(input: GrantTrustInput): Promise<{ grant: TrustGrant; released: StepRecord[] }> {
    return this.#tx(() => {
      const { grant, released } = this.#trust.grant(input);
      return { grant, released: released.map((r) => this.#recordOf(r)) };
    });
  }

  revokeTrust(
    planId: string,
    actor: string,
  ): Promise<{ revoked: TrustGrant[]; parked: StepRecord[] }> {
    return this.#tx(() => {
      const { revoked, parked } = this.#trust.revoke(planId, actor);
      return { revoked, parked: parked.map((r) => this.#recordOf(r)) };
    });
  }

  listTrust(options: { revoked?: boolean } = {}): Promise<TrustGrant[]> {
    return this.#read(() => this.#trust.list(options.revoked === true));
  }

  trustedDigests(planId: string): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
    return this.#read(() => this.#trust.digests(planId));
  }

  // ---- logs ----

  #events(runId: string, after: number, limit: number, types: string | null): StoredEvent[] {
    // A live follow (after > 0) scans the log by seq; a full read uses the subject index.
    const col = after > 0 ? '+subject' : 'subject';
    const rows = this.#db
      .prepare(
        `SELECT * FROM events WHERE seq > ? AND (${col} = ? OR (${col} > ? AND ${col} < ?))
         ${types === null ? '' : 'AND type = ?'} ORDER BY seq LIMIT ?`,
      )
      .all(
        after,
        runId,
        `${runId}.`,
        `${runId}/`,
        ...(types === null ? [] : [types]),
        limit,
      ) as EventRow[];
    return rows.map(eventFromRow);
  }

  logs(runId: string, after = 0, limit = 5000): Promise<LogLine[]> {
    return this.#read(() =>
      this.#events(runId, after, limit, 'step.output').map((e) => {
        const d = e.data as { stepId: string; stream: 'stdout' | 'stderr'; text: string };
        return { seq: e.seq, ts: e.ts, stepId: d.stepId, stream: d.stream, text: d.text };
      }),
    );
  }

  runEvents(runId: string, after = 0, limit = 5000): Promise<StoredEvent[]> {
    return this.#read(() => this.#events(runId, after, limit, null));
  }
}
