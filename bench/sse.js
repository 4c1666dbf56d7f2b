// SSE benchmark: event-to-client latency through `pulser serve` (its own process, with its
// embedded worker, as users run it), read over a real socket with fetch.
//
// 1. synthetic: another process (a stand-in for a worker) appends 1,000 events/s to the
//    workspace's event log. Latency = time the client parsed the event − time the producer
//    stamped it before appending (same machine, same clock).
// 2. worker: a real `pulser worker` process executes a run of no-op steps, rate-limited to 333
//    steps/s (up to 1,000 events/s: leased, started, succeeded; the server runs --no-worker so
//    that every step event comes from the other process). Latency = time the client parsed the
//    event − the event's commit timestamp (`ts`, millisecond resolution, so up to 1 ms is added).
// Exports run(); bench/run.js calls it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createToken, workspaceId } from '../dist/workspace/access/auth.js';
import { openWorkspace } from '../dist/workspace/open.js';
import { startRun } from '../dist/workspace/runs/runs.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, '../bin/pulser.js');
const storeModule = resolve(here, '../dist/store/sqlite/index.js');

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const now = () => performance.timeOrigin + performance.now();

const PRODUCER = `
  import { openSqliteStore } from ${JSON.stringify(storeModule)};
  const [db, rate, seconds] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
  const s = openSqliteStore(db);
  const total = rate * seconds;
  const start = performance.timeOrigin + performance.now() + 200;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    let t = performance.timeOrigin + performance.now();
    if (due - t > 1) await new Promise((r) => setTimeout(r, due - t - 1));
    while ((t = performance.timeOrigin + performance.now()) < due);
    await s.events.append({ type: 'agent.call', actor: 'worker:bench', subject: null, data: { tool: 'bench.tick', arguments: { i, t }, outcome: 'ok' } });
  }
  await s.close();
`;

/** A workspace with a viewer token; `config` is written to .pulser/config.json. */
async function workspace(config) {
  const root = mkdtempSync(join(tmpdir(), 'pulser-bench-sse-'));
  const ws = await openWorkspace({ root, create: true, env: {} });
  if (config !== undefined) writeFileSync(join(ws.dir, 'config.json'), JSON.stringify(config));
  const { secret } = await createToken(ws, { role: 'viewer', user: 'bench', actor: 'bench' });
  const tenant = await workspaceId(ws);
  return { root, ws, secret, tenant };
}

/** Starts `pulser serve` on a free port; resolves with its URL and a stop function. */
async function serve(root, args = []) {
  const server = spawn(process.execPath, [bin, 'serve', '--port', '0', '-w', root, ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise((ok, fail) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /on (http:\/\/\S+)/u.exec(out);
      if (m) ok(m[1]);
    });
    server.once('exit', (code) => fail(new Error(`pulser serve exited with ${code}`)));
  });
  return {
    url,
    stop: async () => {
      server.kill('SIGTERM');
      await new Promise((ok) => server.once('exit', ok));
    },
  };
}

/**
 * Reads the workspace's event stream; calls `onEvent(event, receivedAt)` until it returns true
 * or `timeoutMs` passes. Resolves with the number of gaps in `seq`.
 */
async function follow(url, tenant, secret, onEvent, timeoutMs) {
  const ac = new AbortController();
  const res = await fetch(`${url}/api/w/${tenant}/events/stream`, {
    headers: { authorization: `Bearer ${secret}` },
    signal: ac.signal,
  });
  if (res.status !== 200) throw new Error(`stream: HTTP ${res.status}`);
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  let gaps = 0;
  let lastSeq = 0;
  const reading = (async () => {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const at = now();
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const line = block.split('\n').find((l) => l.startsWith('data: '));
        if (!line || (!block.includes('\nid: ') && !block.startsWith('id: '))) continue;
        const e = JSON.parse(line.slice(6));
        if (lastSeq !== 0 && e.seq !== lastSeq + 1) gaps++;
        lastSeq = e.seq;
        if (onEvent(e, at)) {
          ac.abort();
          return;
        }
      }
    }
  })();
  return {
    done: reading
      .catch(() => undefined)
      .then(() => {
        clearTimeout(timer);
        return gaps;
      }),
  };
}

function summary(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  if (sorted.length === 0) return { p50Ms: null, p99Ms: null, maxMs: null };
  return {
    p50Ms: Number(percentile(sorted, 50).toFixed(2)),
    p99Ms: Number(percentile(sorted, 99).toFixed(2)),
    maxMs: Number(sorted[sorted.length - 1].toFixed(2)),
  };
}

/** Synthetic producer at `rate` events/s for `seconds`. */
async function synthetic(rate, seconds) {
  const { root, ws, secret, tenant } = await workspace();
  await ws.close();
  const server = await serve(root);
  const total = rate * seconds;
  const latencies = [];
  const stream = await follow(
    server.url,
    tenant,
    secret,
    (e, at) => {
      if (e.data?.tool === 'bench.tick') latencies.push(at - e.data.arguments.t);
      return latencies.length >= total;
    },
    (seconds + 20) * 1000,
  );
  const producer = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      PRODUCER,
      join(root, '.pulser', 'pulser.db'),
      String(rate),
      String(seconds),
    ],
    { stdio: 'inherit' },
  );
  const produced = new Promise((ok) => producer.once('exit', ok));
  const gaps = await stream.done;
  await produced;
  await server.stop();
  rmSync(root, { recursive: true, force: true });
  return { events: total, received: latencies.length, gaps, ...summary(latencies) };
}

/** A real worker process running `stepsPerSec × seconds` no-op steps, rate-limited. */
async function workerRun(stepsPerSec, seconds) {
  const { root, ws, secret, tenant } = await workspace({
    runtime: { concurrency: 16, rateLimits: { noop: { perSecond: stepsPerSec, burst: 1 } } },
  });
  const server = await serve(root, ['--no-worker']);
  const n = stepsPerSec * seconds;
  const latencies = [];
  let first = null;
  let last = null;
  let runId = null;
  const stream = await follow(
    server.url,
    tenant,
    secret,
    (e, at) => {
      if (!e.type.startsWith('step.') && !e.type.startsWith('run.')) return false;
      if (e.actor.startsWith('worker:')) {
        latencies.push(at - Date.parse(e.ts));
        first ??= at;
        last = at;
      }
      return e.type === 'run.succeeded' && e.subject === runId;
    },
    (seconds + 60) * 1000,
  );
  const steps = Array.from({ length: n }, (_, i) => ({
    title: `noop ${i + 1}`,
    tool: 'noop',
    input: '',
  }));
  const { run } = await startRun(ws, { steps, actor: 'cli:bench' });
  runId = run.id;
  await ws.close();
  const worker = spawn(process.execPath, [bin, 'worker', '-w', root], { stdio: 'ignore' });
  const gaps = await stream.done;
  worker.kill('SIGTERM');
  await new Promise((ok) => worker.once('exit', ok));
  await server.stop();
  rmSync(root, { recursive: true, force: true });
  const span = first === null || last === null ? 0 : (last - first) / 1000;
  return {
    steps: n,
    events: latencies.length,
    eventsPerSec: span > 0 ? Math.round(latencies.length / span) : null,
    gaps,
    ...summary(latencies),
  };
}

/** p50/p99 event-to-client latency: a synthetic producer at `rate`, then a real worker. */
export async function run({ rate = 1000, seconds = 5, stepsPerSec = 333 } = {}) {
  const synth = await synthetic(rate, seconds);
  const worker = await workerRun(stepsPerSec, seconds);
  const ok = (v) => v !== null && v < 50;
  return {
    name: 'sse',
    results: [
      {
        name: `event-to-client p99, ${rate} events/s appended by another process`,
        value: synth.p99Ms,
        unit: 'ms',
        goal: '< 50',
        pass: ok(synth.p99Ms),
      },
      { name: 'event-to-client p50, another process', value: synth.p50Ms, unit: 'ms' },
      {
        name: 'event-to-client p99, events of a real `pulser worker` running no-op steps',
        value: worker.p99Ms,
        unit: 'ms',
        goal: '< 50',
        pass: ok(worker.p99Ms),
      },
      { name: 'event-to-client p50, real worker', value: worker.p50Ms, unit: 'ms' },
    ],
    details: { synthetic: { rate, seconds, ...synth }, worker },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
