/**
 * `startWorker`: a worker on a workspace, configured from `.pulser/config.json` (`runtime`)
 * and the caller's options. Used in-process by `pulser run` and the server, and by the
 * `pulser worker` command as its own process.
 */
import { Worker, createMcpTool, type WorkerOptions } from '../../engine/index.js';
import { CHECKPOINT_EVERY, sealLedger } from '../ledger/ledger.js';
import type { Workspace } from '../open.js';
import { loadRuntimeConfig } from './run-config.js';
import { artifactsDir } from './runs.js';
import { announceWorker } from './worker-presence.js';

/** How often a worker looks whether {@link CHECKPOINT_EVERY} events wait for a signed checkpoint. */
export const SEAL_CHECK_MS = 1000;

/** Options of `startWorker` (all optional; the workspace's config fills the rest). */
export type StartWorkerOptions = Partial<Omit<WorkerOptions, 'root' | 'artifactsDir'>>;

/** A running worker. */
export interface WorkerHandle {
  /** `worker:<id>` */
  readonly actor: string;
  /** Stops claiming, lets running steps finish (grace), kills and releases the rest. */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** Wakes the worker (new work enqueued). */
  poke(): void;
  /** The engine worker (tests drive it with `tick()`). */
  readonly worker: Worker;
}

/**
 * Starts a worker on the workspace.
 * @example const w = startWorker(ws, { concurrency: 2 }); ... await w.stop();
 */
export function startWorker(
  ws: Workspace,
  options: StartWorkerOptions = {},
  autoStart = true,
): WorkerHandle {
  const config = loadRuntimeConfig(ws.dir);
  const worker = new Worker(ws.store.runs, {
    ...config,
    ...options,
    laneLimits: { ...(config.laneLimits ?? {}), ...(options.laneLimits ?? {}) },
    rateLimits: { ...(config.rateLimits ?? {}), ...(options.rateLimits ?? {}) },
    tools: { mcp: createMcpTool(ws.config), ...(options.tools ?? {}) },
    root: ws.root,
    artifactsDir: artifactsDir(ws),
  });
  // Long-running workers sign the ledger's head every CHECKPOINT_EVERY events, and on stop.
  const seal = async (minUnsigned: number): Promise<void> => {
    try {
      await sealLedger(ws, { actor: worker.actor, minUnsigned });
    } catch (error) {
      worker.options.onNotice({
        kind: 'error',
        message: `checkpoint not signed: ${(error as Error).message}`,
      });
    }
  };
  let sealing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sealing = sealing.then(() => seal(CHECKPOINT_EVERY));
  }, SEAL_CHECK_MS);
  timer.unref?.();
  // New work committed anywhere (this process, or another one on the same database) wakes it.
  let unsubscribe: (() => void) | null = null;
  const listen = (): void => {
    unsubscribe ??= ws.store.subscribe({ onWork: () => worker.poke() });
  };
  if (autoStart) {
    listen();
    worker.start();
  }
  const unannounce = announceWorker(ws.dir, worker.actor);
  return {
    actor: worker.actor,
    stop: async (o) => {
      unsubscribe?.();
      unsubscribe = null;
      await worker.stop(o);
      unannounce();
      clearInterval(timer);
      await sealing;
      await seal(1);
    },
    poke: () => worker.poke(),
    worker,
  };
}
