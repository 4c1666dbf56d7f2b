// Report generation for a workspace with 100,000 events: the demo roadmap workspace (plan
// imports, write-backs, checks, metrics, signoffs) padded with runtime events (runs and steps)
// to 100k events. Peer in the same run: reading the same events from SQLite without building a
// report (what a report cannot go below).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWorkspaceReport } from '../dist/workspace/plans/report.js';
import { demoWorkspace } from './report-fixture.js';

const TARGET = 100_000;
const STEPS = 10;

async function time(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

async function best(repeats, fn) {
  let fastest = Infinity;
  let value;
  for (let i = 0; i < repeats; i++) {
    const r = await time(fn);
    value = r.value;
    fastest = Math.min(fastest, r.seconds);
  }
  return { value, seconds: fastest };
}

/** Runs the report benchmark and returns its results. */
export async function run() {
  const root = mkdtempSync(join(tmpdir(), 'pulser-bench-report-'));
  // Each padded run appends 2 + 3 * STEPS events; the demo itself holds about 400.
  const padRuns = Math.ceil((TARGET - 420) / (2 + 3 * STEPS));
  const ws = await demoWorkspace(root, { padRuns, padSteps: STEPS });
  try {
    const events = (await ws.store.events.head()).seq;
    const scan = await best(3, async () => {
      let n = 0;
      for await (const e of ws.store.events.scan()) n += e.seq > 0 ? 1 : 0;
      return n;
    });
    const results = [];
    for (const format of ['md', 'json', 'html']) {
      const r = await best(3, () => buildWorkspaceReport(ws, format));
      results.push({
        name: `pulser report --format ${format} (${events} events)`,
        value: Math.round(r.seconds * 1000),
        unit: 'ms',
        bytes: Buffer.byteLength(r.value.text),
        eventsPerSecond: Math.round(events / r.seconds),
        ratioToScan: Math.round((r.seconds / scan.seconds) * 100) / 100,
      });
    }
    results.push({
      name: `reading the ${events} events from SQLite (parsed), peer`,
      value: Math.round(scan.seconds * 1000),
      unit: 'ms',
    });
    return { name: 'report', events, results };
  } finally {
    await ws.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
