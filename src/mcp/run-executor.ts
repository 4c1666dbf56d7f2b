/**
 * Who executes the runs an agent starts through MCP. An agent that calls `pulser_run` expects
 * its run to make progress without anyone starting `pulser worker`, so by default the MCP
 * server executes the runs it started itself, with one in-process worker per run (limited to
 * that run) that lives until the run ends or the server stops. Other workers (`pulser worker`,
 * the server's) may take the same steps: each step is still claimed by exactly one worker.
 */
import type { Workspace } from '../workspace/open.js';
import { startWorker, type WorkerHandle } from '../workspace/runs/run-worker.js';

/** Executes runs started through MCP (or leaves them to other workers). */
export interface RunExecutor {
  /** True when this server executes the runs it starts. */
  readonly inProcess: boolean;
  /** Executes run `runId` of `ws` until it ends (nothing for an external executor). */
  track(ws: Workspace, runId: string): void;
  /** Runs this executor is executing now. */
  tracked(): ReadonlyArray<string>;
  /** Stops every worker: running steps get `graceMs`, then are killed and released. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Leaves runs to other workers (`pulser worker`, `pulser run --resume RUN`). */
export const externalExecutor: RunExecutor = {
  inProcess: false,
  track: () => undefined,
  tracked: () => [],
  close: () => Promise.resolve(),
};

/** Options of {@link inProcessExecutor}. */
export interface InProcessExecutorOptions {
  /** How often a worker looks for work and the executor checks whether runs ended. @default 100 */
  readonly pollMs?: number;
  /** Where worker notices go. @default stderr (errors only) */
  readonly onError?: (message: string) => void;
}

interface Tracked {
  readonly ws: Workspace;
  readonly runId: string;
  readonly worker: WorkerHandle;
}

/**
 * Executes each tracked run with a worker of its own, in this process.
 * @example const runs = inProcessExecutor(); runs.track(ws, run.id); ...; await runs.close();
 */
export function inProcessExecutor(options: InProcessExecutorOptions = {}): RunExecutor {
  const pollMs = options.pollMs ?? 100;
  const onError = options.onError ?? ((m: string) => process.stderr.write(`pulser mcp: ${m}\n`));
  const runs = new Map<string, Tracked>();
  let timer: NodeJS.Timeout | null = null;
  let sweeping = false;
  let closed = false;

  const sweep = async (): Promise<void> => {
    if (sweeping) return;
    sweeping = true;
    try {
      for (const [key, t] of runs) {
        const run = await t.ws.store.runs.getRun(t.runId).catch(() => undefined);
        if (run === undefined || (run !== null && run.finishedAt === null)) continue;
        runs.delete(key);
        await t.worker.stop({ graceMs: 0 });
      }
      if (runs.size === 0 && timer !== null) {
        clearInterval(timer);
        timer = null;
      }
    } finally {
      sweeping = false;
    }
  };

  return {
    inProcess: true,
    track(ws, runId) {
      if (closed) return;
      const key = `${ws.dir}\u0000${runId}`;
      if (runs.has(key)) return;
      const worker = startWorker(ws, {
        runs: [runId],
        pollMs,
        onNotice: (n) => {
          if (n.kind === 'error') onError(n.message);
        },
      });
      runs.set(key, { ws, runId, worker });
      if (timer === null) {
        timer = setInterval(() => void sweep(), Math.max(50, pollMs * 2));
        timer.unref();
      }
    },
    tracked: () => [...runs.values()].map((t) => t.runId),
    async close(o = {}) {
      closed = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      const all = [...runs.values()];
      runs.clear();
      await Promise.all(all.map((t) => t.worker.stop({ graceMs: o.graceMs ?? 1000 })));
    },
  };
}
