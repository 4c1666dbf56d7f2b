// `pulser status` start-up benchmark: wall time of the real CLI on a workspace with the large
// generated plan (bench/plans.js, about 52 KB) imported, against `node -e 0`, interleaved in the
// same run. Goal: ratio <= 2. Exports run(); bench/run.js (the runner) calls it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { largePlan } from './plans.js';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '../bin/pulser.js');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function wall(args, cwd) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

/** Median wall time of `pulser status` and of `node -e 0`, and their ratio. */
export async function run({ samples = 15, warmup = 3 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pulser-bench-status-'));
  try {
    const plan = largePlan();
    writeFileSync(join(dir, 'plan.md'), plan);
    wall([BIN, 'import', 'plan.md'], dir);
    for (let i = 0; i < warmup; i++) {
      wall(['-e', '0'], dir);
      wall([BIN, 'status'], dir);
    }
    const bare = [];
    const status = [];
    for (let i = 0; i < samples; i++) {
      bare.push(wall(['-e', '0'], dir));
      status.push(wall([BIN, 'status'], dir));
    }
    const nodeMs = median(bare);
    const statusMs = median(status);
    const ratio = statusMs / nodeMs;
    return {
      name: 'status',
      input: `generated plan (bench/plans.js, ${Buffer.byteLength(plan)} bytes)`,
      samples,
      nodeMedianMs: Number(nodeMs.toFixed(2)),
      statusMedianMs: Number(statusMs.toFixed(2)),
      ratio: Number(ratio.toFixed(3)),
      budgetRatio: 2,
      pass: ratio <= 2,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
