import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../util/canonical-json.js';
import { GENESIS_HASH, chainEvent, type ChainedEvent } from '../util/chain.js';
import { signCheckpoint, type Checkpoint } from './checkpoint.js';
import { generateSigningKey } from './keys.js';
import { verifyLedger, verifyLedgerAsync, type LedgerVerdict } from './verify.js';

const LEDGER = 'ws-test';
const key = generateSigningKey();
const trusted = new Map([[key.keyId, key.publicKey]]);

/** Deterministic PRNG (mulberry32), so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function eventFields(seq: number) {
  return {
    seq,
    ts: new Date(Date.UTC(2025, 0, 1) + seq * 1000).toISOString(),
    type: ['step.succeeded', 'plan.imported', 'trust.granted'][seq % 3]!,
    actor: seq % 2 === 0 ? 'worker:w1' : 'cli:zoë',
    subject: seq % 5 === 0 ? null : `phase-n${seq % 7}/task-${seq}`,
    data: {
      n: seq,
      ratio: seq / 7,
      ok: seq % 2 === 0,
      note: `ünïcode ✅ ${seq}`,
      list: [seq, 'x', null, { deep: [1, 2, { k: 'v' }] }],
    },
  };
}

/** Rebuilds hashes from `events[from]` on, as a forger with no signing key would. */
function rechain(events: ChainedEvent[], from = 0): ChainedEvent[] {
  const out = events.slice(0, from);
  let prev = from === 0 ? GENESIS_HASH : out[from - 1]!.hash;
  for (let i = from; i < events.length; i++) {
    const { prevHash: _p, hash: _h, ...fields } = events[i]!;
    const e = chainEvent(prev, { ...fields, seq: i + 1 });
    out.push(e);
    prev = e.hash;
  }
  return out;
}

function buildLedger(
  count: number,
  every: number,
): { events: ChainedEvent[]; checkpoints: Checkpoint[] } {
  const events = rechain(
    Array.from({ length: count }, (_, i) => ({ ...eventFields(i + 1), prevHash: '', hash: '' })),
  );
  const checkpoints: Checkpoint[] = [];
  for (let seq = every; seq <= count; seq += every) {
    checkpoints.push(
      signCheckpoint(
        { ledgerId: LEDGER, seq, head: events[seq - 1]!.hash, ts: events[seq - 1]!.ts },
        key,
      ),
    );
  }
  return { events, checkpoints };
}

const N = 300;
const { events, checkpoints } = buildLedger(N, 50);
const verify = (list: Iterable<ChainedEvent>, cps: Checkpoint[] = checkpoints): LedgerVerdict =>
  verifyLedger(list, cps, trusted, { ledgerId: LEDGER });

test('an untouched ledger verifies', () => {
  const verdict = verify(events);
  assert.deepEqual(verdict.problems, []);
  assert.equal(verdict.ok, true);
  assert.equal(verdict.count, N);
  assert.deepEqual(verdict.head, { seq: N, hash: events[N - 1]!.hash });
  assert.equal(verdict.lastCheckpoint?.seq, N);
  assert.equal(verdict.unsignedTail, 0);
  assert.equal(verdict.firstBad, null);
});

test('an empty ledger without checkpoints verifies', () => {
  const verdict = verifyLedger([], [], trusted);
  assert.equal(verdict.ok, true);
  assert.deepEqual(verdict.head, { seq: 0, hash: GENESIS_HASH });
});

test('the async variant gives the same verdict as the sync one', async () => {
  async function* stream() {
    for (const e of events.slice(0, 120)) yield await Promise.resolve(e);
  }
  const verdict = await verifyLedgerAsync(stream(), checkpoints, trusted);
  assert.deepEqual(verdict, verify(events.slice(0, 120)));
  assert.equal(verdict.ok, false);
  assert.equal(verdict.firstBad?.code, 'truncated');
});

type Row = Record<
  'seq' | 'ts' | 'type' | 'actor' | 'subject' | 'data' | 'prevHash' | 'hash',
  string
>;
const FIELDS = ['seq', 'ts', 'type', 'actor', 'subject', 'data', 'prevHash', 'hash'] as const;

/** The event as the store keeps it: every column as text. */
function toRow(e: ChainedEvent): Row {
  return {
    seq: String(e.seq),
    ts: e.ts,
    type: e.type,
    actor: e.actor,
    subject: JSON.stringify(e.subject),
    data: JSON.stringify(e.data),
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

function fromRow(row: Row): ChainedEvent | undefined {
  let subject: unknown;
  let data: unknown;
  try {
    subject = JSON.parse(row.subject);
  } catch {
    subject = row.subject;
  }
  try {
    data = JSON.parse(row.data);
  } catch {
    return undefined; // not loadable by the store at all
  }
  return { ...row, seq: Number(row.seq), subject: subject as string | null, data };
}

/** True when a "mutation" produced the same event (a JSON text that parses to the same value). */
function sameEvent(a: ChainedEvent, b: ChainedEvent): boolean {
  return (
    Object.is(a.seq, b.seq) &&
    FIELDS.every((f) => f === 'seq' || f === 'data' || a[f] === b[f]) &&
    canonicalJson(a.data) === canonicalJson(b.data)
  );
}

test('every single-byte change of any field of any event is detected, at that event', () => {
  const random = prng(0x5eed);
  const counts: Record<string, number> = {};
  let detected = 0;
  let skipped = 0;
  while (detected < 2500) {
    const index = Math.floor(random() * N);
    const field = FIELDS[Math.floor(random() * FIELDS.length)]!;
    const row = toRow(events[index]!);
    const bytes = Buffer.from(row[field], 'utf8');
    const at = Math.floor(random() * bytes.length);
    bytes[at] = bytes[at]! ^ (1 + Math.floor(random() * 255));
    const mutated = fromRow({ ...row, [field]: bytes.toString('utf8') });
    if (mutated === undefined || sameEvent(mutated, events[index]!)) {
      skipped++;
      continue;
    }
    const list = events.slice();
    list[index] = mutated;
    const verdict = verify(list);
    const expectedSeq = Number.isSafeInteger(mutated.seq) ? mutated.seq : index + 1;
    assert.equal(verdict.ok, false, `undetected: event ${index + 1} field ${field} byte ${at}`);
    assert.equal(verdict.firstBad?.seq, expectedSeq, `${field} of event ${index + 1}`);
    counts[field] = (counts[field] ?? 0) + 1;
    detected++;
  }
  assert.equal(Object.keys(counts).length, FIELDS.length);
  console.log(
    `byte flips detected: ${detected} ${JSON.stringify(counts)}; not loadable: ${skipped}`,
  );
});

test('every deletion of one event is detected', () => {
  for (let i = 0; i < N; i++) {
    const list = events.filter((_, j) => j !== i);
    const verdict = verify(list);
    assert.equal(verdict.ok, false, `deleting event ${i + 1}`);
    if (i < N - 1)
      assert.deepEqual([verdict.firstBad?.seq, verdict.firstBad?.code], [i + 2, 'seq_gap']);
    else assert.equal(verdict.firstBad?.code, 'truncated');
  }
});

test('every swap of two adjacent events is detected at the first moved event', () => {
  for (let i = 0; i < N - 1; i++) {
    const list = events.slice();
    [list[i], list[i + 1]] = [list[i + 1]!, list[i]!];
    const verdict = verify(list);
    assert.equal(verdict.ok, false);
    assert.equal(verdict.firstBad?.seq, i + 2);
  }
});

test('forged insertions are detected, with and without re-chaining the rest', () => {
  const random = prng(42);
  let count = 0;
  for (let k = 0; k < 150; k++) {
    const at = Math.floor(random() * N); // insert before events[at]
    const prev = at === 0 ? GENESIS_HASH : events[at - 1]!.hash;
    const forged = chainEvent(prev, { ...eventFields(at + 1), actor: 'attacker' });
    const naive = [...events.slice(0, at), forged, ...events.slice(at)];
    const v1 = verify(naive);
    assert.equal(v1.ok, false);
    assert.equal(v1.firstBad?.seq, at + 1, 'the event after the forged one no longer links');
    const rechained = rechain(naive, at);
    const v2 = verify(rechained);
    assert.equal(v2.ok, false);
    assert.equal(v2.firstBad?.code, 'checkpoint_mismatch');
    count += 2;
  }
  console.log(`forged insertions detected: ${count}`);
});

test('a modified event re-chained to the end is caught by the next checkpoint', () => {
  for (let i = 0; i < N; i += 7) {
    const list = events.slice();
    list[i] = { ...list[i]!, data: { forged: true } };
    const verdict = verify(rechain(list, i));
    assert.equal(verdict.ok, false);
    assert.equal(verdict.firstBad?.code, 'checkpoint_mismatch');
    assert.equal(verdict.firstBad?.seq, Math.ceil((i + 1) / 50) * 50);
  }
});

test('every truncation before the last checkpoint is detected; from the front too', () => {
  for (let length = 0; length < N; length++) {
    const verdict = verify(events.slice(0, length));
    assert.equal(verdict.ok, false, `truncated to ${length}`);
    assert.ok(verdict.problems.some((p) => p.code === 'truncated'));
  }
  for (let start = 1; start < N; start += 13) {
    const verdict = verify(events.slice(start));
    assert.equal(verdict.ok, false);
    assert.deepEqual(verdict.firstBad?.seq, start + 1);
  }
});

test('events after the last checkpoint are unsigned: their removal is reported only as a tail', () => {
  const { events: longer, checkpoints: cps } = buildLedger(120, 50);
  const full = verify(longer, cps);
  assert.equal(full.ok, true);
  assert.equal(full.lastCheckpoint?.seq, 100);
  assert.equal(full.unsignedTail, 20);
  const cut = verify(longer.slice(0, 110), cps);
  assert.equal(cut.ok, true, 'inherent limit: nothing signed covers events 101-120');
  assert.equal(cut.unsignedTail, 10);
});

test('checkpoints signed by an unknown key, with a flipped signature byte, or of another ledger fail', () => {
  const stranger = generateSigningKey();
  const good = checkpoints[1]!;
  const claim = { ledgerId: LEDGER, seq: good.seq, head: good.head, ts: good.ts };
  const sig = Buffer.from(good.sig, 'base64');
  sig[10] = sig[10]! ^ 1;
  const cases: Array<[Checkpoint, string]> = [
    [signCheckpoint(claim, stranger), 'unknown_key'],
    [{ ...signCheckpoint(claim, stranger), keyId: key.keyId }, 'bad_signature'],
    [{ ...good, sig: sig.toString('base64') }, 'bad_signature'],
    [{ ...good, seq: good.seq + 1 }, 'bad_signature'],
    [{ ...good, head: checkpoints[2]!.head }, 'bad_signature'],
    [{ ...good, ts: '2030-01-01T00:00:00.000Z' }, 'bad_signature'],
    [{ ...good, sig: good.sig.slice(0, -4) }, 'bad_signature'],
    [{ ...good, head: 'nothex' }, 'checkpoint_malformed'],
    [signCheckpoint({ ...claim, ledgerId: 'other-ws' }, key), 'foreign_checkpoint'],
  ];
  for (const [cp, code] of cases) {
    const verdict = verify(events, [...checkpoints, cp]);
    assert.equal(verdict.ok, false, code);
    assert.deepEqual(
      verdict.problems.map((p) => p.code),
      [code],
    );
  }
});

test('a valid checkpoint whose head differs from the ledger names the fork', () => {
  const forked = rechain(
    [...events.slice(0, 99), { ...events[99]!, actor: 'someone else' }, ...events.slice(100)],
    99,
  );
  const verdict = verify(forked);
  assert.equal(verdict.firstBad?.code, 'checkpoint_mismatch');
  assert.equal(verdict.firstBad?.seq, 100);
  assert.equal(verdict.lastCheckpoint?.seq, 50);
});

test('malformed events are reported, not thrown', () => {
  const list: unknown[] = events.slice(0, 50);
  list[3] = null;
  list[7] = { ...events[7]!, data: undefined };
  const verdict = verifyLedger(list as ChainedEvent[], [], trusted);
  assert.equal(verdict.ok, false);
  assert.equal(verdict.firstBad?.code, 'event_malformed');
  assert.equal(verdict.firstBad?.seq, 4);
  assert.ok(verdict.problems.some((p) => p.seq === 8 && p.code === 'event_malformed'));
});

test('problems are capped but counted', () => {
  const list = events.map((e) => ({ ...e, hash: e.hash.replace(/^./, 'x') }));
  const verdict = verifyLedger(list, [], trusted, { maxProblems: 5 });
  assert.equal(verdict.problems.length, 5);
  assert.ok(verdict.problemCount > N);
});
