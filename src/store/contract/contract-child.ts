/**
 * A separate process of the store contract suite: opens its own connection to a database,
 * says `ready`, waits for `go` on stdin (so that every child starts at once), does one racing
 * operation and prints its result as one JSON line.
 *   node contract-child.js BACKEND LOCATION OP JSON
 */
import { createInterface } from 'node:readline';
import type { ClaimInput } from '../run-store.js';
import { storeBackend } from './backends.js';

const [name, location, op, json] = process.argv.slice(2);
const arg = JSON.parse(json ?? '{}') as Record<string, unknown>;
const store = await storeBackend(name!).open(location!);
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
lines.close();

async function perform(): Promise<unknown> {
  switch (op) {
    case 'claim':
      return store.runs.claim(arg as unknown as ClaimInput);
    case 'task-claim': {
      const outcome = await store.claims.claim(arg as never);
      return { ok: outcome.ok };
    }
    case 'append': {
      const seqs: number[] = [];
      for (let i = 0; i < (arg.count as number); i++) {
        const e = await store.events.append({
          type: 'agent.call',
          actor: arg.actor as string,
          subject: null,
          data: { tool: 'append', arguments: { i }, outcome: 'ok' },
        });
        seqs.push(e.seq);
      }
      return seqs;
    }
    case 'create-runs': {
      const runs: string[] = [];
      for (let i = 0; i < (arg.count as number); i++) {
        const { run } = await store.runs.createRun({
          title: `r${i}`,
          lane: 'main',
          target: null,
          requestedBy: arg.actor as string,
          session: arg.session as string,
          steps: [{ spec: { title: 's', tool: 'noop', input: '' }, lane: 'main', after: [] }],
        });
        runs.push(run.id);
      }
      return runs;
    }
    default:
      throw new Error(`unknown op ${String(op)}`);
  }
}

try {
  process.stdout.write(`${JSON.stringify({ result: await perform() })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
} finally {
  await store.close();
}
