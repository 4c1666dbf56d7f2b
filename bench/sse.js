// SSE benchmark: event-to-client latency through `pulser serve` while another process (a stand-in
// for a worker) appends 1,000 events/s to the workspace's event log. The server runs as its own
// process (`pulser serve`); the client reads the stream over a real socket with fetch.
// Latency = time the client parsed the event − time the producer stamped it before appending
// (same machine, same clock). Exports run(); bench/run.js calls it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createToken } from '../dist/workspace/auth.js';
import { openWorkspace } from '../dist/workspace/open.js';

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
    await s.events.append({ type: 'bench.tick', actor: 'worker:bench', subject: null, data: { i, t } });
  }
  await s.close();
`;

/** p50/p99 event-to-client latency at `rate` events/s for `seconds`. */
export async function run({ rate = 1000, seconds = 5 } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'pulser-bench-sse-'));
  const ws = await openWorkspace({ root, create: true, env: {} });
  const { secret } = await createToken(ws, { role: 'viewer', user: 'bench', actor: 'bench' });
  const tenant = await (await import('../dist/workspace/auth.js')).workspaceId(ws);
  await ws.close();

  const server = spawn(process.execPath, [bin, 'serve', '--port', '0', '-w', root], {
    stdio: ['ignore', 'pipe', 'inherit'],
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

  const latencies = [];
  const ac = new AbortController();
  const res = await fetch(`${url}/api/w/${tenant}/events/stream`, {
    headers: { authorization: `Bearer ${secret}` },
    signal: ac.signal,
  });
  if (res.status !== 200) throw new Error(`stream: HTTP ${res.status}`);
  const total = rate * seconds;
  let lastSeq = 0;
  let gaps = 0;
  const reading = (async () => {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (latencies.length < total) {
      const { value, done } = await reader.read();
      if (done) break;
      const at = now();
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const line = block.split('\n').find((l) => l.startsWith('data: '));
        if (!line || (!block.includes('\nid: ') && !block.startsWith('id: '))) continue;
        const e = JSON.parse(line.slice(6));
        if (e.type !== 'bench.tick') continue;
        if (lastSeq !== 0 && e.seq !== lastSeq + 1) gaps++;
        lastSeq = e.seq;
        latencies.push(at - e.data.t);
      }
    }
    ac.abort();
  })();

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
  const timeout = setTimeout(() => ac.abort(), (seconds + 20) * 1000);
  await reading.catch(() => undefined);
  clearTimeout(timeout);
  await produced;
  server.kill('SIGTERM');
  await new Promise((ok) => server.once('exit', ok));
  rmSync(root, { recursive: true, force: true });

  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name: 'sse',
    rate,
    seconds,
    events: total,
    received: latencies.length,
    gaps,
    p50Ms: Number(percentile(sorted, 50).toFixed(2)),
    p99Ms: Number(percentile(sorted, 99).toFixed(2)),
    maxMs: Number(sorted[sorted.length - 1].toFixed(2)),
    goalP99Ms: 50,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
