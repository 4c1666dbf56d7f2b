/**
 * Group commit of a worker's writes: ops pushed in the same tick are applied in one
 * transaction, in order; each caller learns its own op's result once the batch is committed.
 * When the batch frees slots (finished steps), the worker may claim their successors in the
 * same transaction. A store error the store marks retryable (a busy database) is retried; any
 * other rejects the batch's callers (after one more try without the claim).
 */
import { isPulserError } from '../errors/index.js';
import type { ClaimInput, ClaimResult, OpResult, RunStore, WorkerOp } from '../store/run-store.js';

interface Pending {
  readonly op: WorkerOp;
  readonly resolve: (r: OpResult) => void;
  readonly reject: (e: unknown) => void;
}

/** How a worker claims along with its writes. */
export interface ClaimAlong {
  /** What to claim with this batch, or null for nothing. */
  readonly input: (ops: ReadonlyArray<WorkerOp>) => ClaimInput | null;
  /** Receives what was claimed, after the commit and before the batch's callers resume. */
  readonly claimed: (result: ClaimResult) => void;
}

/** Batches fenced writes into transactions. */
export class Committer {
  readonly #store: RunStore;
  readonly #along: ClaimAlong | null;
  #queue: Pending[] = [];
  #running: Promise<void> | null = null;

  constructor(store: RunStore, along: ClaimAlong | null = null) {
    this.#store = store;
    this.#along = along;
  }

  /** Queues `op`; resolves with its result after its batch commits. */
  push(op: WorkerOp): Promise<OpResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, resolve, reject });
      this.#running ??= this.#drain();
    });
  }

  /** Resolves when every queued op has been applied. */
  async flush(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  async #apply(ops: ReadonlyArray<WorkerOp>, along: boolean): Promise<ReadonlyArray<OpResult>> {
    const input = along ? (this.#along?.input(ops) ?? null) : null;
    if (input === null) return this.#store.apply(ops);
    const { results, claimed } = await this.#store.applyAndClaim(ops, input);
    this.#along!.claimed(claimed);
    return results;
  }

  async #drain(): Promise<void> {
    // Each batch waits for the current turn of the event loop to end, so that the writes its
    // microtasks produce (steps finishing together) are committed together.
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      if (this.#queue.length === 0) break;
      const batch = this.#queue;
      this.#queue = [];
      const ops = batch.map((p) => p.op);
      let attempt = 0;
      let along = true;
      for (;;) {
        try {
          const results = await this.#apply(ops, along);
          batch.forEach((p, i) => p.resolve(results[i] ?? { ok: false, reason: 'stale' }));
          break;
        } catch (error) {
          if (isPulserError(error) && error.retryable && attempt < 50) {
            attempt++;
            await new Promise((r) => setTimeout(r, Math.min(10 * attempt, 200)));
            continue;
          }
          if (along && this.#along !== null) {
            // A failing claim must not fail the writes: apply them alone (the claim loop reports it).
            along = false;
            continue;
          }
          for (const p of batch) p.reject(error);
          break;
        }
      }
    }
    this.#running = null;
  }
}
