// Ledger verification throughput, with raw SHA-256 and Ed25519 verification as reference peers
// measured in the same run. `run()` returns the results; bench/run.js collects them.
import { createHash, hash } from 'node:crypto';
import { GENESIS_HASH, chainEvent, eventPreimage } from '../dist/util/chain.js';
import { generateSigningKey, signBytes, verifyBytes } from '../dist/ledger/keys.js';
import { signCheckpoint } from '../dist/ledger/checkpoint.js';
import { verifyLedger } from '../dist/ledger/verify.js';

const EVENTS = 100_000;
const CHECKPOINT_EVERY = 1_000;
const TYPES = ['step.queued', 'step.leased', 'step.running', 'step.succeeded', 'run.started'];

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
      data: { attempt: seq % 3, exitCode: 0, durationMs: seq % 997, lane: 'A', output: 'ok' },
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
  return {
    name: 'ledger',
    results: [
      {
        name: 'ledger verify (100k events, checkpoint every 1k)',
        value: eventsPerSecond,
        unit: 'events/s',
        goal: '>= 200000',
        pass: eventsPerSecond >= 200_000,
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
