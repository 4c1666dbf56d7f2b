/**
 * What people do to runs in the SQLite store: approve or reject a waiting step, resolve a
 * quarantined one (retry, skip, abort), retry failed steps or runs, cancel. Each is one
 * transaction with its events; the rules (who may approve what, which state allows what) are
 * checked inside it so that two people acting at once cannot both win. A retry decides again
 * what allows each step to run (`RunTx.requeue`): it never carries an earlier approval over.
 */
import { NotFoundError, StateError, TrustError, UsageError } from '../../errors/index.js';
import type { ResolveAction } from '../run-store.js';
import type { StepRow } from './runs-rows.js';
import { isTerminal, type RunTx } from './runs-tx.js';

function notFound(id: string): NotFoundError {
  return new NotFoundError(`no step execution with ID ${id}`, {
    hint: 'run `pulser runs` and `pulser logs RUN` to see step IDs (RUN.N)',
  });
}

/** People's operations on runs and steps. */
export class PeopleOps {
  readonly #t: RunTx;

  constructor(t: RunTx) {
    this.#t = t;
  }

  #step(id: string): StepRow {
    const row = this.#t.step(id);
    if (row === undefined) throw notFound(id);
    return row;
  }

  approve(stepId: string, actor: string, note?: string): StepRow {
    const t = this.#t;
    const row = this.#step(stepId);
    if (row.state !== 'awaiting_approval') {
      throw new StateError(`step ${stepId} is ${row.state}, not awaiting approval`, {
        hint: 'only steps waiting in awaiting_approval can be approved',
      });
    }
    const run = t.run(row.run_id)!;
    if (actor.startsWith('agent:') && actor === run.requested_by) {
      throw new TrustError(`${actor} requested run ${run.id} and cannot approve its steps`, {
        hint: 'an agent never approves its own steps: a person must approve them',
      });
    }
    t.emit('step.approved', actor, row.id, {
      runId: row.run_id,
      stepId: row.id,
      reason: row.approval_reason,
      ...(note === undefined ? {} : { note }),
    });
    // An approval covers this execution (and its automatic retries), whatever else allowed it.
    const moved = t.move(row, 'queued', actor, {
      authority: 'approved',
      approval_reason: null,
      run_at: t.now(),
    });
    t.emit('step.queued', actor, row.id, { runId: row.run_id, stepId: row.id, reason: 'approved' });
    t.settle();
    return moved;
  }

  reject(stepId: string, actor: string, reason?: string): StepRow {
    const t = this.#t;
    const row = this.#step(stepId);
    if (row.state !== 'awaiting_approval') {
      throw new StateError(`step ${stepId} is ${row.state}, not awaiting approval`);
    }
    t.emit('step.rejected', actor, row.id, {
      runId: row.run_id,
      stepId: row.id,
      ...(reason === undefined ? {} : { reason }),
    });
    // Final for this execution: a later retry waits for a person's approval again.
    const moved = t.move(row, 'failed', actor, {
      error: `rejected by ${actor}${reason === undefined ? '' : `: ${reason}`}`,
      authority: 'none',
      approval_reason: 'rejected',
    });
    t.settle();
    return moved;
  }

  resolve(stepId: string, action: ResolveAction, actor: string, reason?: string): StepRow {
    const t = this.#t;
    const row = this.#step(stepId);
    if (row.state !== 'quarantined') {
      throw new StateError(`step ${stepId} is ${row.state}, not quarantined`, {
        hint: 'retry, skip or abort applies to quarantined steps; use `pulser retry` for failed ones',
      });
    }
    const base = { runId: row.run_id, stepId: row.id, by: actor };
    // Its execution ended when it was quarantined: time spent waiting for a person is not its.
    const ended =
      (t.db
        .prepare(
          "SELECT ts FROM events WHERE subject = ? AND type = 'step.quarantined' ORDER BY seq DESC LIMIT 1",
        )
        .pluck()
        .get(row.id) as string | undefined) ?? t.iso();
    let moved: StepRow;
    switch (action) {
      case 'retry':
        moved = t.requeue(row, actor, { retries: 0 }, 'resolve_retry');
        break;
      case 'skip': {
        const why = reason?.trim() ?? '';
        if (why === '') {
          throw new UsageError(`skipping step ${stepId} needs a reason`, {
            hint: `say why its work need not be done (\`pulser resolve ${stepId} skip --reason TEXT\`, or "reason" in the API)`,
          });
        }
        // The skip is recorded with who and why; the failure it hides stays in the events.
        moved = t.move(row, 'skipped', actor, {
          error: `skipped by ${actor}: ${why}`,
          finished_at: ended,
        });
        t.emit('step.skipped', actor, row.id, { ...base, reason: why, failure: row.error });
        break;
      }
      case 'abort':
        t.emit('step.failed', actor, row.id, {
          ...base,
          exitCode: row.exit_code,
          signal: row.signal,
          error: `aborted by ${actor}`,
          retryable: false,
          attempt: row.attempts,
          aborted: true,
        });
        moved = t.move(row, 'failed', actor, {
          error: `aborted by ${actor}: ${row.error ?? ''}`,
          finished_at: ended,
        });
        break;
      default: {
        const never: never = action;
        throw new StateError(`unknown action ${String(never)}`);
      }
    }
    t.settle();
    return moved;
  }

  /** Re-queues failed, timed-out, cancelled and quarantined steps of a run, or one step. */
  retry(id: string, actor: string): { runId: string; steps: string[] } {
    const t = this.#t;
    const run = t.run(id);
    let targets: StepRow[];
    let runId: string;
    if (run !== undefined) {
      runId = run.id;
      targets = t.db
        .prepare(
          `SELECT * FROM run_steps WHERE run_id = ? AND (state IN ('cancelled', 'quarantined')
             OR (state IN ('failed', 'timed_out') AND recovered_by IS NULL
               AND NOT EXISTS (SELECT 1 FROM run_steps f WHERE f.fallback_of = run_steps.id)))
           ORDER BY ord`,
        )
        .all(run.id) as StepRow[];
    } else {
      const step = this.#step(id);
      runId = step.run_id;
      if (!['failed', 'timed_out', 'cancelled', 'quarantined'].includes(step.state)) {
        throw new StateError(
          `step ${id} is ${step.state}; only failed, timed-out, cancelled or quarantined steps can be retried`,
        );
      }
      targets = [step, ...this.#cancelledDependents(step.id)];
    }
    if (targets.length === 0) {
      throw new StateError(`run ${id} has no failed, cancelled or quarantined step to retry`);
    }
    const ids = targets.map((s) => s.id);
    t.emit('run.retried', actor, runId, { runId, steps: ids });
    const blockedOf = t.db.prepare(
      `SELECT count(*) AS n FROM run_step_deps d JOIN run_steps s ON s.id = d.dep_id
       WHERE d.step_id = ? AND s.state NOT IN ('succeeded', 'skipped')`,
    );
    for (const s of targets) {
      const fresh = t.step(s.id)!;
      if (!isTerminal(fresh.state) && fresh.state !== 'quarantined') continue;
      t.requeue(fresh, actor, { retries: 0, blocked: 0 }, 'retry');
    }
    // Blocked counts depend on the whole set having been put back.
    for (const s of targets) {
      const n = (blockedOf.get(s.id) as { n: number }).n;
      t.db.prepare('UPDATE run_steps SET blocked = ? WHERE id = ?').run(n, s.id);
    }
    t.touch(runId, actor);
    t.settle();
    return { runId, steps: ids };
  }

  #cancelledDependents(stepId: string): StepRow[] {
    const out: StepRow[] = [];
    const seen = new Set<string>([stepId]);
    const queue = [stepId];
    const deps = this.#t.db.prepare(
      `SELECT s.* FROM run_step_deps d JOIN run_steps s ON s.id = d.step_id WHERE d.dep_id = ?`,
    );
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const row of deps.all(id) as StepRow[]) {
        if (seen.has(row.id) || row.state !== 'cancelled') continue;
        seen.add(row.id);
        out.push(row);
        queue.push(row.id);
      }
    }
    return out;
  }

  cancelRun(runId: string, actor: string): void {
    const t = this.#t;
    const run = t.run(runId);
    if (run === undefined) throw new NotFoundError(`no run with ID ${runId}`);
    if (run.finished_at !== null) {
      throw new StateError(`run ${runId} already ended (${run.status})`);
    }
    t.cancelling(runId);
    const rows = t.db
      .prepare('SELECT * FROM run_steps WHERE run_id = ? ORDER BY ord')
      .all(runId) as StepRow[];
    for (const r of rows) {
      const row = t.step(r.id)!;
      if (isTerminal(row.state)) continue;
      t.emit('step.cancelled', actor, row.id, {
        runId,
        stepId: row.id,
        reason: `run cancelled by ${actor}`,
      });
      t.move(row, 'cancelled', actor, { error: `cancelled by ${actor}` }, false);
    }
    t.touch(runId, actor);
    t.settle();
  }

  cancelStep(stepId: string, actor: string): StepRow {
    const t = this.#t;
    const row = this.#step(stepId);
    if (isTerminal(row.state)) {
      throw new StateError(`step ${stepId} already ended (${row.state})`);
    }
    t.emit('step.cancelled', actor, row.id, {
      runId: row.run_id,
      stepId: row.id,
      reason: `cancelled by ${actor}`,
    });
    const moved = t.move(row, 'cancelled', actor, { error: `cancelled by ${actor}` });
    t.settle();
    return moved;
  }
}
