/**
 * Proofs: the latest decided verdict of every criterion, metric and gate, exported as in-toto
 * Statements (v1) in DSSE envelopes signed with the workspace key, one envelope per line
 * (JSON Lines, `.intoto.jsonl`). Subjects are the plan's and the artifacts' SHA-256 digests;
 * each predicate names the ledger event that recorded the verdict.
 *
 * Verification checks each envelope's signature over the PAE before its payload is parsed, and
 * trusts only the given public keys (never a keyid by itself).
 */
import { readFileSync } from 'node:fs';
import { fileErrorReason } from '../../errors/system.js';
import type { KeyObject } from 'node:crypto';
import { InputError } from '../../errors/index.js';
import {
  importVerifyingKey,
  signStatement,
  verdictStatement,
  verifyStatement,
  type DsseEnvelope,
  type Statement,
  type Subject,
  type VerdictPredicate,
} from '../../ledger/index.js';
import type { EventOf, LedgerEvent } from '../../ir/events.js';
import { foldLedger } from '../../ledger/fold.js';
import { canonicalJson } from '../../util/canonical-json.js';
import type { GateDecidedData, VerdictRecordedData } from '../checks/check-observe.js';
import { activeKey, openKeyring, sealLedger, type LedgerHome } from './ledger.js';

/** What {@link exportProofs} produced. */
export interface ProofExport {
  /** One DSSE envelope per decided verdict, in ledger order. */
  readonly envelopes: ReadonlyArray<DsseEnvelope>;
  /** The envelopes as JSON Lines (canonical JSON, one per line). */
  readonly text: string;
  readonly keyId: string;
  readonly ledgerId: string;
}

function subjects(
  planPath: string,
  planSha: string,
  artifacts: Iterable<[string, string]>,
): Subject[] {
  const out = new Map<string, string>([[planPath, planSha]]);
  for (const [name, sha] of artifacts)
    if (/^[0-9a-f]{64}$/u.test(sha) && !out.has(name)) out.set(name, sha);
  return [...out].map(([name, sha256]) => ({ name, digest: { sha256 } }));
}

function verdictPredicate(
  e: LedgerEvent,
  d: VerdictRecordedData,
  ledgerId: string,
): VerdictPredicate {
  return {
    verdict: d.status as 'pass' | 'fail',
    target: d.phaseId ?? d.planId,
    criterion: d.target,
    kind: 'criterion',
    reason: d.reason,
    evidence: {
      ...d.evidence,
      planId: d.planId,
      targetKind: d.targetKind,
      verifier: d.verifier,
      source: d.source,
    },
    decidedAt: e.ts,
    ledger: { id: ledgerId, seq: e.seq, head: e.hash },
  };
}

function gatePredicate(e: LedgerEvent, d: GateDecidedData, ledgerId: string): VerdictPredicate {
  const passing = d.verdicts.filter((v) => v.status === 'pass').length;
  return {
    verdict: d.status as 'pass' | 'fail',
    target: d.phaseId,
    criterion: d.gate,
    kind: 'gate',
    reason:
      d.status === 'pass'
        ? `all ${d.verdicts.length} criteria and metrics of ${d.phaseId} pass`
        : `${d.verdicts.length - passing} of ${d.verdicts.length} criteria and metrics of ${d.phaseId} do not pass: ${d.blocking.join(', ')}`,
    evidence: { planId: d.planId, verdicts: d.verdicts },
    decidedAt: e.ts,
    ledger: { id: ledgerId, seq: e.seq, head: e.hash },
  };
}

/**
 * The statements to export: the latest recorded verdict of each criterion and metric, and the
 * latest decision of each gate, when it is decided (pass or fail), optionally of one plan.
 */
export async function proofStatements(home: LedgerHome, planId?: string): Promise<Statement[]> {
  const fold = foldLedger(
    await home.store.events.read({
      types: ['verdict.recorded', 'gate.decided'],
      limit: Number.MAX_SAFE_INTEGER,
    }),
  );
  const ledgerId = await home.store.ledger.ledgerId();
  const latest: Array<EventOf<'verdict.recorded'> | EventOf<'gate.decided'>> = [];
  for (const [id, facts] of fold.plans) {
    if (planId !== undefined && id !== planId) continue;
    for (const list of facts.verdicts.values()) latest.push(list.at(-1)!);
    latest.push(...facts.gates.values());
  }
  const out: Statement[] = [];
  for (const e of latest.sort((a, b) => a.seq - b.seq)) {
    if (e.type === 'verdict.recorded') {
      const d = e.data;
      if (d.status !== 'pass' && d.status !== 'fail') continue;
      const ev = d.evidence;
      const artifacts: Array<[string, string]> =
        typeof ev['path'] === 'string' && typeof ev['sha256'] === 'string'
          ? [[ev['path'], ev['sha256']]]
          : [];
      out.push(
        verdictStatement(subjects(d.path, d.planSha, artifacts), verdictPredicate(e, d, ledgerId)),
      );
    } else {
      const d = e.data;
      if (d.status !== 'pass' && d.status !== 'fail') continue;
      out.push(
        verdictStatement(
          subjects(
            d.path,
            d.planSha,
            d.artifacts.map((a) => [a.name, a.sha256]),
          ),
          gatePredicate(e, d, ledgerId),
        ),
      );
    }
  }
  return out;
}

/**
 * Exports the decided verdicts as signed proofs (see the module comment). Seals the ledger
 * first, so that every event a proof names is covered by a signed checkpoint.
 *
 * @example
 * const { text } = await exportProofs(ws);
 * writeFileSync('proofs.intoto.jsonl', text);
 */
export async function exportProofs(
  home: LedgerHome,
  options: { readonly planId?: string; readonly actor?: string } = {},
): Promise<ProofExport> {
  const key = await activeKey(home, options.actor);
  await sealLedger(home, { ...(options.actor === undefined ? {} : { actor: options.actor }), key });
  const statements = await proofStatements(home, options.planId);
  const envelopes = statements.map((s) => signStatement(s, [key]));
  return {
    envelopes,
    text: envelopes.map((e) => `${canonicalJson(e)}\n`).join(''),
    keyId: key.keyId,
    ledgerId: await home.store.ledger.ledgerId(),
  };
}

/** The verification of one proof (one line of the file). */
export interface ProofCheck {
  readonly line: number;
  readonly ok: boolean;
  /** Why it failed (a DSSE or statement problem code), when it did. */
  readonly code?: string;
  readonly message: string;
  readonly keyIds: ReadonlyArray<string>;
  /** What the statement says, when it verified. */
  readonly verdict?: VerdictPredicate['verdict'];
  readonly kind?: VerdictPredicate['kind'];
  readonly criterion?: string;
  readonly subjects?: ReadonlyArray<Subject>;
  /** Whether the ledger event it names is in this workspace's ledger with that hash (null: not checked). */
  readonly anchored?: boolean | null;
}

/** Reads public keys (SPKI PEM or raw base64) from files, as a trusted key map. */
export function trustedKeysFromFiles(files: ReadonlyArray<string>): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new InputError(`cannot read the public key: ${fileErrorReason(error)}`, {
        file,
        hint: 'give a PEM file written by `pulser keys export`',
      });
    }
    let key;
    try {
      key = importVerifyingKey(text);
    } catch (error) {
      throw new InputError((error as Error).message, {
        file,
        hint: 'export it with `pulser keys export`',
      });
    }
    keys.set(key.keyId, key.publicKey);
  }
  return keys;
}

/** The workspace's public keys, current and retired. */
export async function workspaceTrustedKeys(home: LedgerHome): Promise<Map<string, KeyObject>> {
  return (await openKeyring(home)).trustedKeys();
}

/**
 * Verifies a JSON Lines file of DSSE envelopes against `trustedKeys`. With a workspace, also
 * checks that each proof's ledger event is in its ledger with the same hash.
 */
export async function verifyProofs(
  text: string,
  trustedKeys: ReadonlyMap<string, KeyObject>,
  home?: LedgerHome,
): Promise<ProofCheck[]> {
  const ledgerId = home === undefined ? null : await home.store.ledger.ledgerId();
  const out: ProofCheck[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    let envelope: unknown;
    try {
      envelope = JSON.parse(raw);
    } catch {
      out.push({
        line: i + 1,
        ok: false,
        code: 'malformed',
        message: 'not a JSON envelope',
        keyIds: [],
      });
      continue;
    }
    const v = verifyStatement(envelope, trustedKeys);
    if (!v.ok) {
      out.push({ line: i + 1, ok: false, code: v.code, message: v.message, keyIds: [] });
      continue;
    }
    const p = v.statement.predicate as VerdictPredicate;
    let anchored: boolean | null = null;
    if (home !== undefined && p.ledger.id === ledgerId) {
      const [e] = await home.store.events.read({ after: p.ledger.seq - 1, limit: 1 });
      anchored = e?.seq === p.ledger.seq && e.hash === p.ledger.head;
    }
    out.push({
      line: i + 1,
      ok: anchored !== false,
      ...(anchored === false ? { code: 'not_in_ledger' } : {}),
      message:
        anchored === false
          ? `signed, but ledger event ${p.ledger.seq} does not have the hash this proof names`
          : `${p.kind} ${p.criterion}: ${p.verdict}`,
      keyIds: v.keyIds,
      verdict: p.verdict,
      kind: p.kind,
      criterion: p.criterion,
      subjects: v.statement.subject,
      anchored,
    });
  }
  return out;
}
