/**
 * The workspace's ledger: signing checkpoints of the event chain with the workspace key, and
 * verifying the chain as stored.
 *
 * Checkpoint policy: the head of the chain is signed (1) when a workspace is closed after
 * events were appended, which is the end of every CLI command that wrote something, (2) after
 * a key rotation, with the old key before and the new key after, and (3) in long-running
 * processes, every {@link CHECKPOINT_EVERY} events (`sealLedger(ws, { minUnsigned })`).
 * Every checkpoint is stored twice: in the database and appended to `.pulser/checkpoints.jsonl`,
 * a file worth committing or copying elsewhere: a truncation of the database that also deletes
 * its checkpoint rows is still caught by the file (or by any copy given to `verify`).
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, StateError } from '../../errors/index.js';
import { fileErrorReason } from '../../errors/system.js';
import {
  Keyring,
  LedgerVerifier,
  publicKeyToBase64,
  signCheckpoint,
  type Checkpoint,
  type LedgerProblem,
  type LedgerVerdict,
  type SigningKey,
} from '../../ledger/index.js';
import type { StoredCheckpoint } from '../../store/ledger-store.js';
import type { Store } from '../../store/store.js';
import { canonicalJson } from '../../util/canonical-json.js';
import { GENESIS_HASH, eventDigestRaw, eventMac } from '../../util/chain.js';
import { loadChainKey } from './chain-key.js';
import { unsignedEvents } from './ledger-unsigned.js';

/** Events between checkpoints in long-running processes (server, workers). */
export const CHECKPOINT_EVERY = 1000;

/** The file (in `.pulser/`) every checkpoint is also appended to. */
export const CHECKPOINTS_FILE = 'checkpoints.jsonl';

/** The folder (in `.pulser/`) holding the workspace's Ed25519 keys. */
export const KEYS_DIR = 'keys';

/** What the ledger functions need of a workspace: its `.pulser/` folder and its store. */
export interface LedgerHome {
  readonly dir: string;
  readonly store: Store;
}

/** The workspace's keyring (`.pulser/keys/`, mode 0700). */
export function openKeyring(home: LedgerHome): Promise<Keyring> {
  return Keyring.open(join(home.dir, KEYS_DIR));
}

/**
 * The active signing key, created on first use; creating it appends `ledger.key_created`
 * (key id and raw public key) so that the ledger records which key signs it.
 */
export async function activeKey(home: LedgerHome, actor = 'system'): Promise<SigningKey> {
  const keyring = await openKeyring(home);
  const existing = await keyring.active();
  if (existing !== undefined) return existing;
  const key = await keyring.rotate();
  await home.store.events.append({
    type: 'ledger.key_created',
    actor,
    subject: key.keyId,
    data: { keyId: key.keyId, publicKey: publicKeyToBase64(key.publicKey) },
  });
  return key;
}

/** Options of {@link sealLedger}. */
export interface SealOptions {
  /** Who caused the seal (recorded when a key is created). @default 'system' */
  readonly actor?: string;
  /** Sign only when at least this many events are unsigned. @default 1 */
  readonly minUnsigned?: number;
  /** Sign with this key instead of the active one. */
  readonly key?: SigningKey;
}

function checkpointOf(ledgerId: string, cp: StoredCheckpoint): Checkpoint {
  return { ledgerId, seq: cp.seq, head: cp.head, ts: cp.ts, keyId: cp.keyId, sig: cp.sig };
}

/** One line of `checkpoints.jsonl`. */
function checkpointLine(cp: Checkpoint): string {
  const { ledgerId, seq, head, ts, keyId, sig } = cp;
  return `${canonicalJson({ head, keyId, ledgerId, seq, sig, ts })}\n`;
}

/**
 * Signs a checkpoint of the chain's head when events were appended since the last one; returns
 * it, or null when the head was already signed (or fewer than `minUnsigned` events are not).
 *
 * @example
 * await sealLedger(ws); // at the end of a command that appended events
 */
export async function sealLedger(
  home: LedgerHome,
  options: SealOptions = {},
): Promise<Checkpoint | null> {
  const { store } = home;
  if ((await unsignedEvents(store)) < Math.max(1, options.minUnsigned ?? 1)) return null;
  const last = await store.ledger.lastCheckpoint();
  const key = options.key ?? (await activeKey(home, options.actor));
  const head = await store.events.head();
  await assertTailIntact(store, last);
  const forged = await authenticate(home, head);
  if (forged !== null) {
    throw new StateError(`${forged.message}; no checkpoint was signed`, {
      hint: 'run `pulser doctor` to see what changed',
    });
  }
  const ledgerId = await store.ledger.ledgerId();
  const cp = signCheckpoint(
    { ledgerId, seq: head.seq, head: head.hash, ts: new Date().toISOString() },
    key,
  );
  if (!(await store.ledger.addCheckpoint(cp))) return null;
  await appendFile(join(home.dir, CHECKPOINTS_FILE), checkpointLine(cp), { mode: 0o644 });
  return cp;
}

/**
 * Refuses to sign over a broken chain: checks the events after the last checkpoint (links,
 * hashes, order), starting from the checkpoint's signed head. O(unsigned events).
 */
async function assertTailIntact(store: Store, last: StoredCheckpoint | null): Promise<void> {
  let prevSeq = last === null ? 0 : last.seq - 1;
  let prevHash: string | null = null;
  for await (const batch of store.ledger.scanRaw(prevSeq)) {
    for (const e of batch) {
      const bad =
        e.seq !== prevSeq + 1 ||
        (prevHash === null ? last !== null && e.hash !== last.head : e.prevHash !== prevHash) ||
        (prevHash === null && last === null && e.prevHash !== GENESIS_HASH) ||
        eventDigestRaw(e.prevHash, e, e.dataJson) !== e.hash;
      if (bad) {
        throw new StateError(`the ledger is broken at event ${e.seq}; no checkpoint was signed`, {
          hint: 'run `pulser ledger verify` to see what changed',
        });
      }
      prevSeq = e.seq;
      prevHash = e.hash;
    }
  }
  if (last !== null && prevHash === null) {
    throw new StateError(
      `the ledger ends before its last checkpoint (event ${last.seq}); no checkpoint was signed`,
      {
        hint: 'run `pulser ledger verify` to see what changed',
      },
    );
  }
}

/** Whether the chain's MACs were checked (see workspace/chain-key.ts). */
export interface ChainAuthentication {
  /**
   * `verified`: the head's MAC checks out, which authenticates every event up to it;
   * `legacy`: every event predates the chain key (checkpoints only); `no-key`: the key cannot
   * be read by this user, so only the signed checkpoints vouch for the events;
   * `failed`: an event is not authenticated (see the problems).
   */
  readonly state: 'verified' | 'legacy' | 'no-key' | 'failed';
  readonly file: string;
  /** The first seq that must carry a MAC, or null without a key. */
  readonly from: number | null;
}

const MAC_BATCH = 8192;

/**
 * Checks the chain key's MAC of event `head` (one HMAC: the head's hash commits to every
 * event before it); when it fails, finds the first event whose MAC fails. Returns that
 * problem, or null when the head is authentic (or no key applies).
 */
async function authenticate(
  home: LedgerHome,
  head: { seq: number; hash: string },
  result?: (auth: ChainAuthentication) => void,
): Promise<LedgerProblem | null> {
  const state = loadChainKey(home.dir, () => head.seq, false);
  if (state.kind !== 'key') {
    result?.({
      state: state.kind === 'none' ? 'legacy' : 'no-key',
      file: state.kind === 'none' ? '' : state.file,
      from: null,
    });
    return null;
  }
  const { secret, from } = state.key;
  const report = (s: ChainAuthentication['state']): void =>
    result?.({ state: s, file: state.file, from });
  if (head.seq < from - 1) {
    report('failed');
    return {
      code: 'truncated',
      seq: head.seq,
      message: `the ledger ends at event ${head.seq}, but it had reached event ${from - 1} when its chain key was made: events were cut off`,
    };
  }
  if (head.seq < from) {
    report('legacy');
    return null;
  }
  const [top] = await home.store.ledger.eventMacs(head.seq - 1, 1);
  if (top?.hash === head.hash && top.mac === eventMac(secret, top.hash)) {
    report('verified');
    return null;
  }
  report('failed');
  for (let after = from - 1; after < head.seq;) {
    const rows = await home.store.ledger.eventMacs(after, MAC_BATCH);
    if (rows.length === 0) break;
    for (const row of rows) {
      if (row.seq > head.seq) break;
      if (row.mac !== eventMac(secret, row.hash)) {
        return {
          code: 'unauthenticated',
          seq: row.seq,
          message: `event ${row.seq} is not authenticated by the ledger key: it was added or changed by someone who could write the database but not read ${state.file}`,
        };
      }
    }
    after = rows[rows.length - 1]!.seq;
  }
  return {
    code: 'unauthenticated',
    seq: head.seq,
    message: `event ${head.seq} is not authenticated by the ledger key: it was added or changed by someone who could write the database but not read ${state.file}`,
  };
}

/** Checkpoints read from a `checkpoints.jsonl` file, and the lines that could not be read. */
export interface CheckpointFile {
  readonly checkpoints: ReadonlyArray<Checkpoint>;
  readonly problems: ReadonlyArray<LedgerProblem>;
}

/** Reads a checkpoints file (JSON Lines); a missing file has none. Bad lines are problems. */
export async function readCheckpointFile(file: string, required = false): Promise<CheckpointFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) {
      return { checkpoints: [], problems: [] };
    }
    throw new InputError(`cannot read checkpoints: ${fileErrorReason(error)}`, {
      file,
      hint: 'give a checkpoints.jsonl file written by Pulser',
    });
  }
  const checkpoints: Checkpoint[] = [];
  const problems: LedgerProblem[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      checkpoints.push(JSON.parse(line) as Checkpoint);
    } catch {
      problems.push({
        code: 'checkpoint_malformed',
        seq: 0,
        message: `${file}:${i + 1}: not a JSON checkpoint`,
      });
    }
  }
  return { checkpoints, problems };
}

/** The event a problem points at, as stored (enough to name it to a person). */
export interface EventRef {
  readonly seq: number;
  readonly type: string;
  readonly ts: string;
  readonly actor: string;
  readonly subject: string | null;
}

function eventRef(e: EventRef): EventRef {
  return { seq: e.seq, type: e.type, ts: e.ts, actor: e.actor, subject: e.subject };
}

/** What {@link verifyWorkspaceLedger} found. */
export interface LedgerCheck {
  readonly ledgerId: string;
  readonly verdict: LedgerVerdict;
  /** The first bad event as stored (its fields may be the tampered ones), or null. */
  readonly firstBadEvent: EventRef | null;
  /** How many checkpoints came from each source (database, checkpoints file, extra files). */
  readonly checkpointSources: {
    readonly database: number;
    readonly file: number;
    readonly extra: number;
  };
  /** Problems with the checkpoint files themselves (unreadable lines). */
  readonly fileProblems: ReadonlyArray<LedgerProblem>;
  /** Whether the chain key's MACs vouch for the events. */
  readonly authentication: ChainAuthentication;
}

/** Options of {@link verifyWorkspaceLedger}. */
export interface VerifyWorkspaceOptions {
  /** More checkpoint files (copies kept elsewhere) to verify the chain against. */
  readonly checkpointFiles?: ReadonlyArray<string>;
}

/**
 * Verifies the workspace's ledger as stored: every event row's seq, link and hash (over the
 * stored bytes), and every checkpoint (database, `.pulser/checkpoints.jsonl`, and any copies
 * given) against the workspace's public keys, current and retired. Never throws for a bad ledger.
 *
 * @example
 * const { verdict } = await verifyWorkspaceLedger(ws);
 * if (!verdict.ok) console.error(verdict.firstBad?.message);
 */
export async function verifyWorkspaceLedger(
  home: LedgerHome,
  options: VerifyWorkspaceOptions = {},
): Promise<LedgerCheck> {
  const { store } = home;
  const ledgerId = await store.ledger.ledgerId();
  const fromDb = (await store.ledger.checkpoints()).map((cp) => checkpointOf(ledgerId, cp));
  const file = await readCheckpointFile(join(home.dir, CHECKPOINTS_FILE));
  const extra = await Promise.all(
    (options.checkpointFiles ?? []).map((f) => readCheckpointFile(f, true)),
  );
  const seen = new Set<string>();
  const all: Checkpoint[] = [];
  for (const cp of [...fromDb, ...file.checkpoints, ...extra.flatMap((e) => e.checkpoints)]) {
    const id = `${String(cp.seq)}:${String(cp.sig)}:${String(cp.ledgerId)}:${String(cp.head)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    all.push(cp);
  }
  const keyring = await openKeyring(home);
  const verifier = new LedgerVerifier(all, await keyring.trustedKeys(), { ledgerId });
  let firstBadEvent: EventRef | null = null;
  let head = { seq: 0, hash: GENESIS_HASH };
  for await (const batch of store.ledger.scanRaw()) {
    for (const e of batch) verifier.addRaw(e);
    const last = batch[batch.length - 1]!;
    head = { seq: last.seq, hash: last.hash };
    const bad = verifier.firstBad;
    if (bad !== null && firstBadEvent === null) {
      const e = batch.find((x) => x.seq === bad.seq);
      if (e !== undefined) firstBadEvent = eventRef(e);
    }
  }
  let authentication: ChainAuthentication = { state: 'legacy', file: '', from: null };
  const forged = await authenticate(home, head, (a) => {
    authentication = a;
  });
  if (forged !== null) {
    verifier.addProblem(forged);
    if (verifier.firstBad === forged) {
      for await (const batch of store.ledger.scanRaw(forged.seq - 1)) {
        firstBadEvent = batch[0] === undefined ? null : eventRef(batch[0]);
        break;
      }
    }
  }
  return {
    ledgerId,
    verdict: verifier.finish(),
    authentication,
    firstBadEvent,
    checkpointSources: {
      database: fromDb.length,
      file: file.checkpoints.length,
      extra: extra.reduce((n, e) => n + e.checkpoints.length, 0),
    },
    fileProblems: [...file.problems, ...extra.flatMap((e) => e.problems)],
  };
}

/** The state of the ledger, without verifying it. */
export interface LedgerStatus {
  readonly ledgerId: string;
  readonly head: { readonly seq: number; readonly hash: string };
  /** The latest stored checkpoint, or null. */
  readonly lastCheckpoint: Checkpoint | null;
  readonly checkpoints: number;
  /** Events after the last checkpoint (signed at the end of the next command). */
  readonly unsigned: number;
  /** The key that signs new checkpoints, or null before the first one. */
  readonly activeKeyId: string | null;
  readonly keys: number;
}

/**
 * Head, checkpoints and keys of the ledger, read cheaply (no verification).
 *
 * @example
 * const s = await ledgerStatus(ws); // { head: { seq: 42, ... }, unsigned: 0, ... }
 */
export async function ledgerStatus(home: LedgerHome): Promise<LedgerStatus> {
  const { store } = home;
  const ledgerId = await store.ledger.ledgerId();
  const count = (await store.ledger.checkpoints()).length;
  const head = await store.events.head();
  const last = await store.ledger.lastCheckpoint();
  const keyring = await openKeyring(home);
  return {
    ledgerId,
    head,
    lastCheckpoint: last === null ? null : checkpointOf(ledgerId, last),
    checkpoints: count,
    unsigned: head.seq - (last?.seq ?? 0),
    activeKeyId: (await keyring.activeId()) ?? null,
    keys: (await keyring.list()).length,
  };
}
