// Ledger verification throughput, with raw SHA-256 and Ed25519 verification as reference peers
// measured in the same run. `run()` returns the results; bench/run.js collects them.
import { createHash, hash } from 'node:crypto';
import { GENESIS_HASH, chainEvent, eventPreimage } from '../dist/util/chain.js';
import { generateSigningKey, signBytes, verifyBytes } from '../dist/ledger/keys.js';
import { signCheckpoint } from '../dist/ledger/checkpoint.js';
import { verifyLedger } from '../dist/ledger/verify.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkspace } from '../dist/workspace/open.js';
import { sealLedger, verifyWorkspaceLedger } from '../dist/workspace/ledger/ledger.js';

const EVENTS = 100_000;
const CHECKPOINT_EVERY = 1_000;
const TYPES = ['step.queued', 'step.leased', 'step.started', 'step.succeeded', 'run.succeeded'];

/** Small step data, as the event catalog (src/ir/events.ts) accepts for every type in TYPES. */
function dataOf(seq) {
  const runId = `run-${Math.floor(seq / 50)}`;
  return { runId, stepId: `${runId}.${seq % 13}`, attempt: seq % 3, exitCode: 0, lane: 'A' };
}

/** A synthetic ledger shaped like a real run: small data objects, a checkpoint every 1,000 events. */
function buildLedger(key) {
  const events = new Array(EVENTS);
  const checkpoints = [];
  let prev = GENESIS_HASH;
  const t0 = Date.UTC(2025, 0, 1);
  for (let i = 0; i < EVENTS; i++) {
    const seq = i + 1;
    const e = chainEvent(prev, {
      seq,
      ts: new Date(t0 + seq * 7).toISOString(),
      type: TYPES[seq % TYPES.length],
      actor: `worker:w${seq % 4}`,
      subject: `run-${Math.floor(seq / 50)}/phase-n${seq % 9}/task-${seq % 13}`,
      data: dataOf(seq),
    });
    events[i] = e;
    prev = e.hash;
    if (seq % CHECKPOINT_EVERY === 0) {
      checkpoints.push(signCheckpoint({ ledgerId: 'bench', seq, head: e.hash, ts: e.ts }, key));
    }
  }
  return { events, checkpoints };
}

function time(fn) {
  const start = process.hrtime.bigint();
  const value = fn();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function best(repeats, fn) {
  let fastest = Infinity;
  let value;
  for (let i = 0; i < repeats; i++) {
    const r = time(fn);
    value = r.value;
    fastest = Math.min(fastest, r.seconds);
  }
  return { value, seconds: fastest };
}

/** A real workspace (SQLite file) holding EVENTS events, sealed every CHECKPOINT_EVERY. */
async function buildWorkspace() {
  const root = mkdtempSync(join(tmpdir(), 'pulser-bench-ledger-'));
  const ws = await openWorkspace({ root, create: true, env: {} });
  const db = ws.store.db;
  for (let from = 0; from < EVENTS; from += CHECKPOINT_EVERY) {
    db.tx(() => {
      for (let seq = from + 1; seq <= from + CHECKPOINT_EVERY; seq++) {
        db.append({
          type: TYPES[seq % TYPES.length],
          actor: `worker:w${seq % 4}`,
          subject: `run-${Math.floor(seq / 50)}/phase-n${seq % 9}/task-${seq % 13}`,
          data: dataOf(seq),
        });
      }
    });
    await sealLedger(ws);
  }
  return { root, ws };
}

async function timeAsync(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

async function bestAsync(repeats, fn) {
  let fastest = Infinity;
  let value;
  for (let i = 0; i < repeats; i++) {
    const r = await timeAsync(fn);
    value = r.value;
    fastest = Math.min(fastest, r.seconds);
  }
  return { value, seconds: fastest };
}

/** `pulser ledger verify` on a real SQLite workspace, and a plain scan of the same rows (peer). */
async function workspaceVerify() {
  const { root, ws } = await buildWorkspace();
  try {
    const verify = await bestAsync(5, () => verifyWorkspaceLedger(ws));
    if (!verify.value.verdict.ok)
      throw new Error(`bench workspace did not verify: ${verify.value.verdict.firstBad?.message}`);
    if (verify.value.authentication.state !== 'verified')
      throw new Error(`bench workspace chain key: ${verify.value.authentication.state}`);
    const count = verify.value.verdict.count;
    const scan = await bestAsync(5, async () => {
      let n = 0;
      for await (const batch of ws.store.ledger.scanRaw()) n += batch.length;
      return n;
    });
    // The failure path: a forged last event makes verify check the MAC of every event to name
    // the first one that fails (the happy path checks only the head's MAC).
    const db = ws.store.db.db;
    const head = db.prepare('SELECT seq FROM events ORDER BY seq DESC LIMIT 1').get();
    db.prepare('UPDATE events SET mac = NULL WHERE seq = ?').run(head.seq);
    const forged = await bestAsync(3, () => verifyWorkspaceLedger(ws));
    if (forged.value.verdict.firstBad?.code !== 'unauthenticated')
      throw new Error('bench: the forged head was not found');
    ws.holdSeal();
    return { count, checkpoints: verify.value.checkpointSources.database, verify, scan, forged };
  } finally {
    await ws.close();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Runs the ledger benchmarks and returns their results. */
export async function run() {
  const key = generateSigningKey();
  const trusted = new Map([[key.keyId, key.publicKey]]);
  const { events, checkpoints } = buildLedger(key);

  const verify = best(5, () => verifyLedger(events, checkpoints, trusted, { ledgerId: 'bench' }));
  if (!verify.value.ok)
    throw new Error(`bench ledger did not verify: ${verify.value.firstBad?.message}`);

  // Peer 1: SHA-256 alone over the same preimages (what verification cannot go below).
  const preimages = events.map((e) => eventPreimage(e.prevHash, e));
  const avgBytes = preimages.reduce((n, p) => n + Buffer.byteLength(p), 0) / preimages.length;
  const sha = best(5, () => {
    let x = 0;
    for (const p of preimages) x ^= hash('sha256', p, 'hex').charCodeAt(0);
    return x;
  });
  const shaObject = best(5, () => {
    let x = 0;
    for (const p of preimages)
      x ^= createHash('sha256').update(p, 'utf8').digest('hex').charCodeAt(0);
    return x;
  });
  // Peer 2: bulk SHA-256 over 1 MiB buffers.
  const block = Buffer.alloc(1 << 20, 7);
  const bulk = best(3, () => {
    const h = createHash('sha256');
    for (let i = 0; i < 256; i++) h.update(block);
    return h.digest();
  });
  // Peer 3: Ed25519 verifications of a checkpoint-sized message.
  const message = Buffer.from('{"head":"' + '0'.repeat(64) + '","ledger":"bench","seq":1000}');
  const sig = signBytes(key, message);
  const VERIFIES = 5_000;
  const ed = best(3, () => {
    let ok = 0;
    for (let i = 0; i < VERIFIES; i++) if (verifyBytes(key.publicKey, message, sig)) ok++;
    return ok;
  });

  const eventsPerSecond = Math.round(EVENTS / verify.seconds);
  const real = await workspaceVerify();
  const realPerSecond = Math.round(real.count / real.verify.seconds);
  return {
    name: 'ledger',
    results: [
      {
        name: `pulser ledger verify on a SQLite workspace (${real.count} events, ${real.checkpoints} checkpoints)`,
        value: realPerSecond,
        unit: 'events/s',
        goal: '>= 200000',
        pass: realPerSecond >= 200_000,
        seconds: real.verify.seconds,
      },
      {
        name: 'ledger verify that must name a forged last event (MAC of every event checked)',
        value: Math.round(real.count / real.forged.seconds),
        unit: 'events/s',
        seconds: real.forged.seconds,
      },
      {
        name: 'reading the same rows from SQLite without verifying, peer',
        value: Math.round(real.count / real.scan.seconds),
        unit: 'rows/s',
        ratio: Math.round((real.verify.seconds / real.scan.seconds) * 100) / 100,
      },
      {
        name: 'ledger verify in memory (100k parsed events, checkpoint every 1k)',
        value: eventsPerSecond,
        unit: 'events/s',
        seconds: verify.seconds,
        checkpoints: checkpoints.length,
      },
      {
        name: `sha256 of event preimages (${Math.round(avgBytes)} B avg, crypto.hash as verify uses), peer`,
        value: Math.round(EVENTS / sha.seconds),
        unit: 'hashes/s',
      },
      {
        name: 'sha256 of event preimages (createHash per event), peer',
        value: Math.round(EVENTS / shaObject.seconds),
        unit: 'hashes/s',
      },
      {
        name: 'sha256 bulk (1 MiB updates), peer',
        value: Math.round(256 / bulk.seconds),
        unit: 'MiB/s',
      },
      {
        name: 'ed25519 verify, peer',
        value: Math.round(VERIFIES / ed.seconds),
        unit: 'verifies/s',
      },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run(), null, 2));
}
