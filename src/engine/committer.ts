/**
 * Group commit of a worker's writes: ops pushed in the same tick are applied in one
 * transaction, in order; each caller learns its own op's result once the batch is committed.
 * A store error the store marks retryable (a busy database) is retried; any other rejects the
 * batch's callers.
 */
import { isPulserError } from '../errors/index.js';
import type { OpResult, RunStore, WorkerOp } from '../store/run-store.js';

interface Pending {
  readonly op: WorkerOp;
  readonly resolve: (r: OpResult) => void;
  readonly reject: (e: unknown) => void;
}

/** Batches fenced writes into transactions. */
export class Committer {
  readonly #store: RunStore;
  #queue: Pending[] = [];
  #running: Promise<void> | null = null;

  constructor(store: RunStore) {
    this.#store = store;
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

  async #drain(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      let attempt = 0;
      for (;;) {
        try {
          const results = await this.#store.apply(batch.map((p) => p.op));
          batch.forEach((p, i) => p.resolve(results[i] ?? { ok: false, reason: 'stale' }));
          break;
        } catch (error) {
          if (isPulserError(error) && error.retryable && attempt < 50) {
            attempt++;
            await new Promise((r) => setTimeout(r, Math.min(10 * attempt, 200)));
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
