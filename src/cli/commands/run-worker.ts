/**
 * `pulser worker`: a long-lived worker process. SIGINT/SIGTERM stop it gracefully (running
 * steps get a grace period, then are killed and released for another worker).
 */
import type { Workspace } from '../../workspace/open.js';
import { startWorker } from '../../workspace/runs/run-worker.js';
import { untilStopSignal } from '../context.js';
import { visible } from '../../util/visible.js';

/** Runs a worker until SIGINT or SIGTERM. */
export async function workerCommand(
  ws: Workspace,
  opts: { lane?: string[]; concurrency?: number; id?: string; leaseMs?: number; json?: boolean },
): Promise<void> {
  // A store that cannot run steps (PostgreSQL, for now) says so once, here, not at every poll.
  await ws.store.runs.hasWork({});
  const handle = startWorker(ws, {
    ...(opts.lane === undefined ? {} : { lanes: opts.lane }),
    ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
    ...(opts.id === undefined ? {} : { id: opts.id }),
    ...(opts.leaseMs === undefined ? {} : { leaseMs: opts.leaseMs }),
    onNotice: ({ error: _error, ...n }) => {
      const line =
        opts.json === true
          ? JSON.stringify({ ts: new Date().toISOString(), ...n })
          : `pulser worker: ${n.message}`;
      process.stderr.write(`${visible(line)}\n`);
    },
  });
  await untilStopSignal();
  await handle.stop();
}
