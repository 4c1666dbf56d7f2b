/**
 * The `auto` completion policy for runs the server executes: when a run of a plan succeeds,
 * every task it made complete is marked done in its plan (see `workspace/runs/completion.ts`), as
 * the person who started the run, with the evidence recorded.
 */
import { closeLoop } from '../workspace/runs/completion.js';
import type { Tenant } from './context.js';

/**
 * Follows `tenant`'s runs while the workspace's policy is `auto`; returns the stop function.
 * A failed write-back leaves the task proposed (the Runboard offers it).
 */
export async function followCompletions(tenant: Tenant): Promise<() => void> {
  const { ws, hub } = tenant;
  if (ws.config.completion !== 'auto') return () => undefined;
  let chain: Promise<unknown> = Promise.resolve();
  return hub.subscribe(await hub.head(), (events) => {
    for (const e of events) {
      if (e.type !== 'run.succeeded' || e.subject === null) continue;
      const runId = e.subject;
      chain = chain
        .then(async () => {
          const run = await ws.store.runs.getRun(runId);
          if (run?.target != null) await closeLoop(ws, run.requestedBy, run.target.planId);
        })
        .catch(() => undefined);
    }
    return Promise.resolve();
  });
}
