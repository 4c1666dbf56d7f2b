/**
 * The worker: claims ready steps, executes them with their tool, streams their output, renews
 * its leases, and writes each result with the lease's fencing token. Usable in-process (the
 * server and `pulser run` embed one) and as its own process (`pulser worker`); any number of
 * workers may share one store.
 */
import { isAbsolute, resolve } from 'node:path';
import { isPulserError } from '../errors/index.js';
import type {
  ClaimInput,
  ClaimResult,
  Lease,
  OpResult,
  RunStore,
  StepOutcome,
  WorkerOp,
} from '../store/run-store.js';
import { storeArtifact } from './artifacts.js';
import { retryDelay, retryPolicy } from './backoff.js';
import { Committer } from './committer.js';
import { compileWorkerOptions, type CompiledWorkerOptions, type WorkerOptions } from './options.js';
import { OutputSink } from './output.js';
import type { ToolResult } from './tool.js';

interface Inflight {
  readonly lease: Lease;
  /** Made when the tool first asks for its signal (most no-op and quick steps never do). */
  controller: AbortController | null;
  /** Why it was aborted (null: not aborted): the worker stops (release the step), or the lease is gone. */
  reason: 'stop' | 'lost' | null;
}

/** The abort signal of an execution. */
function signalOf(f: Inflight): AbortSignal {
  if (f.controller === null) {
    f.controller = new AbortController();
    if (f.reason !== null) f.controller.abort();
  }
  return f.controller.signal;
}

/** Aborts an execution once; returns false when it already was. */
function abortExecution(f: Inflight, reason: 'stop' | 'lost'): boolean {
  if (f.reason !== null) return false;
  f.reason = reason;
  f.controller?.abort();
  return true;
}

const workersByStore = new WeakMap<RunStore, Set<Worker>>();

/** Wakes the in-process workers of `store` (after new work was enqueued in this process). */
export function notifyWork(store: RunStore): void {
  for (const w of workersByStore.get(store) ?? []) w.poke();
}

/** A worker bound to one store. */
export class Worker {
  readonly options: CompiledWorkerOptions;
  readonly #store: RunStore;
  readonly #committer: Committer;
  readonly #inflight = new Map<string, Inflight>();
  readonly #executions = new Set<Promise<void>>();
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  /** A poke came while the loop was awake: it must not sleep before it looks again. */
  #poked = false;
  #heartbeat: NodeJS.Timeout | null = null;
  #lastCheck = 0;

  constructor(store: RunStore, options: WorkerOptions) {
    this.#store = store;
    this.options = compileWorkerOptions(options);
    this.#committer = new Committer(store, {
      input: (ops) => this.#claimAlong(ops),
      claimed: (result) => this.#took(result, this.#running),
    });
  }

  /** The worker's actor (`worker:<id>`). */
  get actor(): string {
    return this.options.actor;
  }

  /** Steps executing now. */
  get busy(): number {
    return this.#inflight.size;
  }

  /** Starts the claim loop and the heartbeat. */
  start(): this {
    if (this.#running) return this;
    this.#running = true;
    let set = workersByStore.get(this.#store);
    if (set === undefined) workersByStore.set(this.#store, (set = new Set()));
    set.add(this);
    this.#heartbeat = setInterval(() => void this.#beat(), this.options.heartbeatMs);
    this.#heartbeat.unref?.();
    this.#loop = this.#run();
    this.options.onNotice({ kind: 'started', message: `${this.actor} started` });
    return this;
  }

  /** Wakes the claim loop now. */
  poke(): void {
    const wake = this.#wake;
    this.#wake = null;
    if (wake === null) this.#poked = true; // not asleep: the loop looks again before it sleeps
    wake?.();
  }

  /**
   * Claims and starts whatever is ready now, once (tests drive workers with it and a manual
   * clock). Resolves with the number of steps started.
   */
  async tick(): Promise<number> {
    const room = this.options.concurrency - this.#inflight.size;
    if (room <= 0) return 0;
    const claimed = await this.#store.claim(this.#claimInput(room));
    this.#took(claimed, true);
    return claimed.leases.length;
  }

  #claimInput(limit: number): ClaimInput {
    const o = this.options;
    return {
      worker: o.actor,
      leaseMs: o.leaseMs,
      limit,
      maxLeaseLosses: o.maxLeaseLosses,
      // Each claimed step is executed at once: start it in the claim's transaction.
      start: true,
      laneLimits: o.laneLimits,
      rateLimits: o.rateLimits,
      ...(o.lanes === undefined ? {} : { lanes: o.lanes }),
      ...(o.runs === undefined ? {} : { runs: o.runs }),
    };
  }

  /** What to claim in the transaction of a batch of writes: the slots its finished steps free. */
  #claimAlong(ops: ReadonlyArray<WorkerOp>): ClaimInput | null {
    if (!this.#running) return null;
    let ending = 0;
    for (const op of ops) if (op.kind === 'finish') ending++;
    if (ending === 0) return null;
    const room = this.options.concurrency - this.#inflight.size + ending;
    return room > 0 ? this.#claimInput(room) : null;
  }

  /** Executes what a claim leased (or, with `execute` false, hands it back: the worker stops). */
  #took(claimed: ClaimResult, execute: boolean): void {
    this.#nextAt = claimed.nextAt;
    for (const lease of claimed.leases) {
      if (execute) this.#spawn(lease);
      else {
        void this.#write({ kind: 'release', lease, worker: this.actor, reason: 'worker_stopped' });
      }
    }
  }

  #nextAt: number | null = null;

  /** Resolves when no step is executing (and every write is committed). */
  async idle(): Promise<void> {
    while (this.#executions.size > 0) await Promise.allSettled([...this.#executions]);
    await this.#committer.flush();
  }

  /**
   * Stops claiming, lets running steps finish for `stopGraceMs`, then kills the rest and
   * releases their leases so another worker takes them at once.
   */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    if (!this.#running) {
      await this.idle();
      return;
    }
    this.#running = false;
    workersByStore.get(this.#store)?.delete(this);
    this.poke();
    await this.#loop;
    const grace = options.graceMs ?? this.options.stopGraceMs;
    if (this.#executions.size > 0 && grace > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.#executions]),
        new Promise((r) => (timer = setTimeout(r, grace))),
      ]);
      clearTimeout(timer);
    }
    for (const f of this.#inflight.values()) abortExecution(f, 'stop');
    await this.idle();
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    this.options.onNotice({ kind: 'stopped', message: `${this.actor} stopped` });
  }

  async #run(): Promise<void> {
    const o = this.options;
    while (this.#running) {
      let delay = o.pollMs;
      this.#poked = false;
      try {
        await this.#checkHeld();
        if (this.#inflight.size < o.concurrency) {
          const filter = {
            ...(o.lanes === undefined ? {} : { lanes: o.lanes }),
            ...(o.runs === undefined ? {} : { runs: o.runs }),
          };
          if (await this.#store.hasWork(filter)) {
            const started = await this.tick();
            if (started > 0 && this.#inflight.size < o.concurrency) delay = 0;
          }
          if (this.#nextAt !== null) {
            delay = Math.min(delay, Math.max(0, this.#nextAt - o.clock.now()));
          }
        }
      } catch (error) {
        o.onNotice({ kind: 'error', message: `claim failed: ${(error as Error).message}`, error });
        // A store that cannot write (a full disk) is retried each second, not flooded.
        delay = Math.max(delay, isPulserError(error) && !error.retryable ? 1000 : 50);
      }
      if (!this.#running) break;
      if (delay === 0 || this.#poked) {
        await new Promise((r) => setImmediate(r));
        continue;
      }
      await new Promise<void>((r) => {
        const timer = setTimeout(() => {
          this.#wake = null;
          r();
        }, delay);
        this.#wake = () => {
          clearTimeout(timer);
          r();
        };
      });
      // Steps that finish together free their slots together: claim for all of them at once.
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Stops executions whose step was cancelled or taken over (a cheap read, at most every 200 ms). */
  async #checkHeld(): Promise<void> {
    if (this.#inflight.size === 0) return;
    const now = Date.now();
    if (now - this.#lastCheck < Math.min(200, this.options.heartbeatMs)) return;
    this.#lastCheck = now;
    const leases = [...this.#inflight.values()].map((f) => f.lease);
    const held = await this.#store.stillHeld(leases);
    for (const lease of leases) {
      if (held.has(lease.stepId)) continue;
      const f = this.#inflight.get(lease.stepId);
      if (f === undefined || f.reason !== null) continue;
      this.options.onNotice({
        kind: 'lost',
        stepId: lease.stepId,
        message: `step ${lease.stepId} was cancelled or taken over; stopping it`,
      });
      abortExecution(f, 'lost');
    }
  }

  async #beat(): Promise<void> {
    const leases = [...this.#inflight.values()].map((f) => f.lease);
    await Promise.all(
      leases.map(async (lease) => {
        const r = await this.#write({
          kind: 'heartbeat',
          lease,
          worker: this.actor,
          leaseMs: this.options.leaseMs,
        }).catch(() => ({ ok: true }));
        if (!r.ok) {
          const f = this.#inflight.get(lease.stepId);
          if (f !== undefined) abortExecution(f, 'lost');
        }
      }),
    );
  }

  #write(op: WorkerOp): Promise<OpResult> {
    return this.#committer.push(op).then((r) => {
      if (!r.ok && op.kind !== 'output') {
        this.options.onNotice({
          kind: 'stale',
          stepId: op.lease.stepId,
          message: `stale write rejected: ${op.kind} of step ${op.lease.stepId} with fence ${op.lease.fence}`,
        });
      }
      return r;
    });
  }

  #spawn(lease: Lease): void {
    const f: Inflight = { lease, controller: null, reason: null };
    this.#inflight.set(lease.stepId, f);
    const p = this.#execute(f)
      .catch((error: unknown) => {
        this.options.onNotice({
          kind: 'error',
          stepId: lease.stepId,
          message: `step ${lease.stepId}: ${(error as Error).message}`,
          error,
        });
      })
      .finally(() => {
        this.#inflight.delete(lease.stepId);
        this.#executions.delete(p);
        this.poke();
      });
    this.#executions.add(p);
  }

  async #execute(f: Inflight): Promise<void> {
    const { lease } = f;
    const o = this.options;
    const worker = this.actor;
    // The claim started the step (`running`, with its event) before handing out the lease.
    const spec = lease.spec;
    const cwd = resolve(o.root, spec.cwd ?? '.');
    let env: Record<string, string | undefined> | undefined;
    const buildEnv = (): Record<string, string | undefined> => ({
      ...(spec.inheritEnv === false ? { PATH: o.env.PATH } : o.env),
      ...(spec.env ?? {}),
      PULSER_RUN_ID: lease.runId,
      PULSER_STEP_ID: lease.stepId,
      PULSER_ATTEMPT: String(lease.attempt),
      PULSER_WORKSPACE: o.root,
    });
    // Output that cannot be stored (a full disk) must not let the step finish as if it had been:
    // the first such error stops this execution after the tool ends, and the step is taken over.
    const written: Promise<unknown>[] = [];
    let lost: unknown;
    const sink = new OutputSink((stream, text, truncated) => {
      written.push(
        this.#write({
          kind: 'output',
          lease,
          worker,
          stream,
          text,
          ...(truncated ? { truncated } : {}),
        }).catch((error: unknown) => {
          lost ??= error;
        }),
      );
    }, o.maxOutputBytes);
    const runner = o.tools[spec.tool];
    let result: ToolResult;
    if (runner === undefined) {
      result = {
        kind: 'failed',
        exitCode: null,
        signal: null,
        error: `no runner for tool ${spec.tool} in this worker`,
        retryable: false,
      };
    } else {
      try {
        result = await runner.run({
          lease,
          spec,
          cwd,
          get env() {
            return (env ??= buildEnv());
          },
          timeoutMs: spec.timeoutMs ?? o.defaultTimeoutMs,
          get signal() {
            return signalOf(f);
          },
          onOutput: (stream, text) => sink.add(stream, text),
        });
      } catch (error) {
        result = {
          kind: 'failed',
          exitCode: null,
          signal: null,
          error: `tool ${spec.tool} failed: ${(error as Error).message}`,
          retryable: isPulserError(error) ? error.retryable : true,
        };
      }
    }
    sink.flush();
    await Promise.all(written);
    if (lost !== undefined)
      throw lost instanceof Error ? lost : new Error('output could not be stored', { cause: lost });
    if (f.reason !== null || result.kind === 'aborted') {
      if (f.reason === 'stop') {
        await this.#write({ kind: 'release', lease, worker, reason: 'worker_stopped' });
      }
      return;
    }
    let final: Exclude<ToolResult, { kind: 'aborted' }> = result;
    if (final.kind === 'succeeded' && (spec.outputs?.length ?? 0) > 0) {
      final = await this.#artifacts(lease, cwd, spec.outputs ?? [], final);
    }
    await this.#write({ kind: 'finish', lease, worker, outcome: this.#outcome(lease, final) });
  }

  async #artifacts(
    lease: Lease,
    cwd: string,
    outputs: ReadonlyArray<string>,
    ok: Extract<ToolResult, { kind: 'succeeded' }>,
  ): Promise<Exclude<ToolResult, { kind: 'aborted' }>> {
    for (const path of outputs) {
      const abs = isAbsolute(path) ? path : resolve(cwd, path);
      try {
        const { sha256, bytes } = await storeArtifact(this.options.artifactsDir, abs);
        await this.#write({ kind: 'artifact', lease, worker: this.actor, path, sha256, bytes });
      } catch (error) {
        return {
          kind: 'failed',
          exitCode: ok.exitCode,
          signal: null,
          error: `declared output ${path} could not be stored: ${(error as Error).message}`,
          retryable: false,
        };
      }
    }
    return ok;
  }

  #outcome(lease: Lease, result: Exclude<ToolResult, { kind: 'aborted' }>): StepOutcome {
    if (result.kind === 'succeeded') return { kind: 'succeeded', exitCode: result.exitCode };
    const retry = result.retryable && lease.retries < lease.maxRetries;
    return {
      kind: result.kind,
      exitCode: result.exitCode,
      signal: result.signal,
      error: result.error,
      retryable: result.retryable,
      retryDelayMs: retry
        ? retryDelay(retryPolicy(lease.spec.retry), lease.retries + 1, this.options.random)
        : null,
    };
  }
}

/**
 * Starts a worker on `store`; `stop()` ends it.
 * @example const w = startEngineWorker(store, { root, artifactsDir }); ...; await w.stop();
 */
export function startEngineWorker(store: RunStore, options: WorkerOptions): Worker {
  return new Worker(store, options).start();
}
