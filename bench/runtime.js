// Durable runtime benchmark (exports run(); `node bench/run.js runtime` after a build):
// - durable no-op steps/s on one in-process worker, with synchronous=NORMAL and FULL, and with
//   two `pulser worker` processes on one database;
// - enqueue-to-start latency (p50, p95, p99) of a one-step run: in-process worker (woken at
//   once) and a separate `pulser worker` process (woken by the store's subscription: a watch on
//   the write-ahead log, with a poll as the fallback);
// - a `true` shell step end to end vs a bare child_process.spawn('true'), interleaved;
// - peer: graphile-worker draining the same number of bulk-added no-op jobs on this machine's
//   PostgreSQL (127.0.0.1:5432, user postgres; its own database, dropped afterwards), in its
//   default-like setup (concurrency 10: the goal's reference) and with its batching features
//   (local queue and batched completion, concurrency 128: reported, no goal), interleaved with
//   Pulser's drains round by round because the machine is shared.
// Every step transition is committed (group commit: several steps per transaction) before it
// is acknowledged; nothing is skipped for speed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, '../dist');
const BIN = resolve(here, '../bin/pulser.js');
const ACTOR = 'cli:bench';

const { openWorkspace } = await import(`${dist}/workspace/open.js`);
const { startRun, waitForRun } = await import(`${dist}/workspace/runs/runs.js`);
const { startWorker } = await import(`${dist}/workspace/runs/run-worker.js`);

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const round = (n, d = 1) => Number(n.toFixed(d));

async function workspace(durability) {
  const root = mkdtempSync(join(tmpdir(), 'pulser-bench-rt-'));
  const ws = await openWorkspace({ root, create: true, env: { PULSER_DURABILITY: durability } });
  return {
    ws,
    root,
    done: async () => (await ws.close(), rmSync(root, { recursive: true, force: true })),
  };
}

function noopSteps(n, offset = 0) {
  return Array.from({ length: n }, (_, i) => ({
    title: `n${offset + i}`,
    tool: 'noop',
    input: '',
  }));
}

/** Enqueues `runs × perRun` no-op steps, then drains them with one in-process worker. */
async function noopThroughput(durability, runs, perRun) {
  const { ws, done } = await workspace(durability);
  try {
    const t0 = performance.now();
    const ids = [];
    for (let r = 0; r < runs; r++)
      ids.push((await startRun(ws, { steps: noopSteps(perRun), actor: ACTOR })).run.id);
    const t1 = performance.now();
    // Observed through commit notifications, so that watching does not slow the worker down.
    const left = new Set(ids);
    let finished;
    const all = new Promise((r) => (finished = r));
    const off = ws.store.db.onCommit((events) => {
      for (const e of events)
        if (e.type.startsWith('run.') && left.delete(e.subject) && left.size === 0) finished();
    });
    const w = startWorker(ws, { concurrency: 128, pollMs: 5 });
    await all;
    const t2 = performance.now();
    off();
    await w.stop();
    const n = runs * perRun;
    return {
      steps: n,
      enqueuePerSec: Math.round(n / ((t1 - t0) / 1000)),
      stepsPerSec: Math.round(n / ((t2 - t1) / 1000)),
    };
  } finally {
    await done();
  }
}

function spawnWorker(root, id) {
  const child = spawn(
    process.execPath,
    [BIN, '-w', root, 'worker', '--id', id, '--concurrency', '128'],
    {
      stdio: 'ignore',
    },
  );
  return { child, exited: new Promise((r) => child.once('exit', r)) };
}

/** Two worker processes share one database. */
async function twoProcesses(runs, perRun) {
  const { ws, root, done } = await workspace('normal');
  const workers = [spawnWorker(root, 'b1'), spawnWorker(root, 'b2')];
  try {
    await new Promise((r) => setTimeout(r, 1000)); // let both start and poll
    const ids = [];
    for (let r = 0; r < runs; r++)
      ids.push((await startRun(ws, { steps: noopSteps(perRun), actor: ACTOR })).run.id);
    const t1 = performance.now();
    for (const id of ids) await waitForRun(ws, id, { until: 'finished', pollMs: 20 });
    const t2 = performance.now();
    const n = runs * perRun;
    const byWorker = await ws.store.events.read({ types: ['step.succeeded'], limit: n + 10 });
    const counts = {};
    for (const e of byWorker) counts[e.actor] = (counts[e.actor] ?? 0) + 1;
    return { steps: n, stepsPerSec: Math.round(n / ((t2 - t1) / 1000)), perWorker: counts };
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await done();
  }
}

/** Enqueue-to-start latency of one-step runs. */
async function latency(samples) {
  const { ws, root, done } = await workspace('normal');
  try {
    const inProc = [];
    const w = startWorker(ws, { concurrency: 4, pollMs: 100 });
    let resolveStarted = null;
    const off = ws.store.db.onCommit((events) => {
      if (resolveStarted && events.some((e) => e.type === 'step.started'))
        resolveStarted(performance.now());
    });
    for (let i = 0; i < samples; i++) {
      const started = new Promise((r) => (resolveStarted = r));
      const t0 = performance.now();
      await startRun(ws, { steps: noopSteps(1, i), actor: ACTOR });
      inProc.push((await started) - t0);
    }
    off();
    await w.stop();
    // A separate worker process, woken through Store.subscribe: what a CLI enqueue sees.
    const proc = spawnWorker(root, 'lat');
    await new Promise((r) => setTimeout(r, 1000));
    const crossIds = [];
    for (let i = 0; i < Math.min(samples, 60); i++) {
      crossIds.push((await startRun(ws, { steps: noopSteps(1, i), actor: ACTOR })).run.id);
      await waitForRun(ws, crossIds.at(-1), { until: 'finished', pollMs: 2 });
    }
    proc.child.kill('SIGTERM');
    await proc.exited;
    const cross = [];
    for (const id of crossIds) {
      const ev = await ws.store.runs.runEvents(id);
      const created = Date.parse(ev.find((e) => e.type === 'run.created').ts);
      const started = Date.parse(ev.find((e) => e.type === 'step.started').ts);
      cross.push(started - created);
    }
    return {
      inProcessP50Ms: round(pct(inProc, 50), 2),
      inProcessP99Ms: round(pct(inProc, 99), 2),
      workerProcessP50Ms: pct(cross, 50),
      workerProcessP95Ms: pct(cross, 95),
      workerProcessP99Ms: pct(cross, 99),
    };
  } finally {
    await done();
  }
}

/** A `true` shell step end to end vs bare spawn('true'), interleaved. */
async function shellOverhead(samples) {
  const { ws, done } = await workspace('normal');
  try {
    const w = startWorker(ws, { concurrency: 4, pollMs: 100 });
    let resolveDone = null;
    const off = ws.store.db.onCommit((events) => {
      if (resolveDone && events.some((e) => e.type === 'run.succeeded'))
        resolveDone(performance.now());
    });
    const bare = [];
    const step = [];
    const once = async () => {
      let t0 = performance.now();
      await new Promise((r, j) => spawn('true').once('exit', r).once('error', j));
      bare.push(performance.now() - t0);
      const finished = new Promise((r) => (resolveDone = r));
      t0 = performance.now();
      await startRun(ws, {
        steps: [{ title: 'true', tool: 'shell', input: 'true', trustedBy: ACTOR }],
        actor: ACTOR,
      });
      step.push((await finished) - t0);
    };
    for (let i = 0; i < 5; i++) await once();
    bare.length = 0;
    step.length = 0;
    for (let i = 0; i < samples; i++) await once();
    off();
    await w.stop();
    const b = pct(bare, 50);
    const s = pct(step, 50);
    return {
      bareSpawnMedianMs: round(b, 2),
      shellStepMedianMs: round(s, 2),
      ratio: round(s / b, 2),
    };
  } finally {
    await done();
  }
}

/**
 * graphile-worker on its own database: `drain(config)` bulk-adds `n` no-op jobs and drains them
 * with `runOnce`. Configs: its default-like setup (concurrency 10, one job fetched and completed
 * per query), and its batching features (local queue + batched completion, concurrency 128, as
 * close as it gets to Pulser's claim of 128 steps and group commit).
 */
async function graphilePeer(n) {
  const pg = (await import('pg')).default;
  const { makeWorkerUtils, runOnce, Logger } = await import('graphile-worker');
  const admin = new pg.Client({
    host: '127.0.0.1',
    port: 5432,
    user: 'postgres',
    database: 'postgres',
  });
  try {
    await admin.connect();
  } catch (error) {
    return { skipped: `PostgreSQL unreachable: ${error.message}` };
  }
  const db = `pulser_bench_gw_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${db}`);
  await admin.query(`CREATE DATABASE ${db}`);
  const connectionString = `postgres://postgres@127.0.0.1:5432/${db}`;
  const logger = new Logger(() => () => undefined);
  const pgPool = new pg.Pool({ connectionString, max: 12 });
  pgPool.on('error', () => undefined);
  pgPool.on('connect', (c) => c.on('error', () => undefined));
  const utils = await makeWorkerUtils({ pgPool, logger });
  await utils.migrate();
  const jobs = Array.from({ length: n }, (_, i) => ({ identifier: 'noop', payload: { i } }));
  return {
    async drain({ concurrency, batched }) {
      const t0 = performance.now();
      for (let i = 0; i < n; i += 1000) await utils.addJobs(jobs.slice(i, i + 1000));
      const t1 = performance.now();
      await runOnce({
        pgPool,
        concurrency,
        logger,
        noHandleSignals: true,
        taskList: { noop: async () => {} },
        ...(batched
          ? {
              preset: {
                worker: { localQueue: { size: concurrency + 1 }, completeJobBatchDelay: 0 },
              },
            }
          : {}),
      });
      const t2 = performance.now();
      const left = await utils.withPgClient((c) =>
        c.query('SELECT count(*)::int AS n FROM graphile_worker.jobs'),
      );
      // What a drain left (normally nothing) must not count in the next one.
      await utils.withPgClient((c) => c.query('DELETE FROM graphile_worker._private_jobs'));
      return {
        jobs: n,
        concurrency,
        batched,
        enqueuePerSec: Math.round(n / ((t1 - t0) / 1000)),
        jobsPerSec: Math.round(n / ((t2 - t1) / 1000)),
        left: left.rows[0].n,
      };
    },
    async close() {
      await utils.release();
      await pgPool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    },
  };
}

const median = (values) => pct(values, 50);

/**
 * Runs every measurement and returns figures with their ratios and goals. The machine is shared,
 * so the peer comparison is interleaved: `rounds` times Pulser (1 worker, NORMAL), then
 * graphile-worker (default-like, and batched); medians are reported, and the ratio is the median
 * of the per-round ratios (each taken under the same load).
 */
export async function run({ runs = 5, perRun = 2000, rounds = 3 } = {}) {
  const n = runs * perRun;
  const peer = await graphilePeer(n);
  const rows = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const pulser = await noopThroughput('normal', runs, perRun);
      if (peer.skipped !== undefined) {
        rows.push({ pulser });
        continue;
      }
      const gwDefault = await peer.drain({ concurrency: 10, batched: false });
      const gwBatched = await peer.drain({ concurrency: 128, batched: true });
      rows.push({ pulser, gwDefault, gwBatched });
    }
  } finally {
    if (peer.skipped === undefined) await peer.close();
  }
  const normal = {
    steps: n,
    stepsPerSec: median(rows.map((r) => r.pulser.stepsPerSec)),
    enqueuePerSec: median(rows.map((r) => r.pulser.enqueuePerSec)),
    rounds: rows.map((r) => r.pulser.stepsPerSec),
  };
  const full = await noopThroughput('full', runs, perRun);
  const two = await twoProcesses(runs, perRun);
  const lat = await latency(200);
  const shell = await shellOverhead(40);
  const ratio = (key) =>
    peer.skipped !== undefined
      ? null
      : round(median(rows.map((r) => r.pulser.stepsPerSec / r[key].jobsPerSec)), 2);
  const peerRate = (key) =>
    peer.skipped !== undefined ? peer.skipped : median(rows.map((r) => r[key].jobsPerSec));
  const vsPeer = ratio('gwDefault');
  const vsBatched = ratio('gwBatched');
  return {
    name: 'runtime',
    note: `the machine is shared: the peer comparison is ${rounds} interleaved rounds (medians); the rest is one pass`,
    results: [
      { name: 'no-op steps/s, 1 worker, NORMAL', value: normal.stepsPerSec, unit: 'steps/s' },
      { name: 'no-op steps/s, 1 worker, FULL', value: full.stepsPerSec, unit: 'steps/s' },
      {
        name: 'no-op steps/s, 2 worker processes, NORMAL',
        value: two.stepsPerSec,
        unit: 'steps/s',
      },
      { name: 'enqueue steps/s (NORMAL)', value: normal.enqueuePerSec, unit: 'steps/s' },
      { name: 'enqueue-to-start p50, in-process worker', value: lat.inProcessP50Ms, unit: 'ms' },
      { name: 'enqueue-to-start p99, in-process worker', value: lat.inProcessP99Ms, unit: 'ms' },
      {
        name: 'enqueue-to-start p50, worker process',
        value: lat.workerProcessP50Ms,
        unit: 'ms',
        goal: '<= 10',
        pass: lat.workerProcessP50Ms <= 10,
      },
      {
        name: 'enqueue-to-start p95, worker process',
        value: lat.workerProcessP95Ms,
        unit: 'ms',
      },
      {
        name: 'enqueue-to-start p99, worker process',
        value: lat.workerProcessP99Ms,
        unit: 'ms',
      },
      {
        name: '`true` shell step vs bare spawn (median ratio)',
        value: shell.ratio,
        goal: '<= 2',
        pass: shell.ratio <= 2,
      },
      {
        name: 'graphile-worker no-op jobs/s (PostgreSQL, concurrency 10)',
        value: peerRate('gwDefault'),
        unit: 'jobs/s',
      },
      {
        name: 'Pulser 1 worker NORMAL vs graphile-worker',
        value: vsPeer ?? 'n/a',
        goal: '>= 3',
        pass: vsPeer === null ? undefined : vsPeer >= 3,
      },
      {
        name: 'graphile-worker batched no-op jobs/s (local queue, batched completion, concurrency 128)',
        value: peerRate('gwBatched'),
        unit: 'jobs/s',
      },
      {
        name: 'Pulser 1 worker NORMAL vs graphile-worker batched (no goal; for the record)',
        value: vsBatched ?? 'n/a',
      },
    ],
    details: {
      steps: n,
      normal,
      full,
      twoProcesses: two,
      latency: lat,
      shell,
      graphileWorker: rows.map((r) => ({ default: r.gwDefault, batched: r.gwBatched })),
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
