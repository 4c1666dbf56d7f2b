/**
 * `startWorker`: a worker on a workspace, configured from `.pulser/config.json` (`runtime`)
 * and the caller's options. Used in-process by `pulser run` and the server, and by the
 * `pulser worker` command as its own process.
 */
import { Worker, createMcpTool, type WorkerOptions } from '../engine/index.js';
import type { Workspace } from './open.js';
import { loadRuntimeConfig } from './run-config.js';
import { artifactsDir } from './runs.js';

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
  if (autoStart) worker.start();
  return {
    actor: worker.actor,
    stop: (o) => worker.stop(o),
    poke: () => worker.poke(),
    worker,
  };
}
