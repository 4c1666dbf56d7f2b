// A newcomer's commands, on the repository's own examples (no ../shared needed), against
// `node -e 0`, interleaved: `pulser status` with examples/roadmap.md imported (goal: ratio <= 2),
// `pulser summary` of examples/roadmap.md, the largest example (goal: ratio <= 2.5), and the
// quick start's one command, `pulser demo` (reported, no goal: it runs a plan whose step is
// retried after a 0.5-1 s backoff, so its time is mostly that wait).
// Exports run(); bench/run.js (the runner) calls it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '../bin/pulser.js');
const LARGEST = resolve(here, '../examples/roadmap.md');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * CPU time (user + system, ms) of this process's waited-for children, from /proc/self/stat
 * (Linux; undefined elsewhere). On a loaded machine it varies far less than wall time.
 */
function childCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10; // clock ticks of 10 ms
  } catch {
    return undefined;
  }
}

const cpu = { bare: 0, status: 0, summary: 0 };

function wall(args, cwd, env = process.env, account) {
  const cpuBefore = childCpuMs();
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  if (account !== undefined && cpuBefore !== undefined) cpu[account] += childCpuMs() - cpuBefore;
  return ms;
}

const round = (n) => Number(n.toFixed(2));

/** Median wall times of status, summary and demo against `node -e 0`. */
export async function run({ samples = 15, warmup = 3, demoSamples = 3 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pulser-bench-start-'));
  cpu.bare = cpu.status = cpu.summary = 0;
  try {
    copyFileSync(LARGEST, join(dir, 'roadmap.md'));
    wall([BIN, 'import', 'roadmap.md'], dir);
    const bare = [];
    const status = [];
    const summary = [];
    for (let i = 0; i < warmup + samples; i++) {
      const measured = i >= warmup;
      const b = wall(['-e', '0'], dir, process.env, measured ? 'bare' : undefined);
      const s = wall([BIN, 'status'], dir, process.env, measured ? 'status' : undefined);
      const c = wall(
        [BIN, 'summary', 'roadmap.md'],
        dir,
        process.env,
        measured ? 'summary' : undefined,
      );
      if (!measured) continue;
      bare.push(b);
      status.push(s);
      summary.push(c);
    }
    const scratch = join(dir, 'demos');
    mkdirSync(scratch);
    const demo = [];
    for (let i = 0; i < demoSamples; i++)
      demo.push(wall([BIN, 'demo'], dir, { ...process.env, TMPDIR: scratch }));
    const nodeMs = median(bare);
    const statusRatio = median(status) / nodeMs;
    const summaryRatio = median(summary) / nodeMs;
    return {
      name: 'start',
      input: 'examples/roadmap.md (status, summary); examples/launch.md (demo)',
      samples,
      nodeMedianMs: round(nodeMs),
      statusMedianMs: round(median(status)),
      statusRatio: round(statusRatio),
      summaryMedianMs: round(median(summary)),
      summaryRatio: round(summaryRatio),
      demoMedianMs: round(median(demo)),
      demoRatio: round(median(demo) / nodeMs),
      ...(childCpuMs() === undefined || cpu.bare === 0
        ? {}
        : {
            cpuNote: 'CPU time (user + system) summed over the same samples; 10 ms ticks',
            statusCpuRatio: round(cpu.status / cpu.bare),
            summaryCpuRatio: round(cpu.summary / cpu.bare),
          }),
      budgets: { statusRatio: 2, summaryRatio: 2.5 },
      pass: statusRatio <= 2 && summaryRatio <= 2.5,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
