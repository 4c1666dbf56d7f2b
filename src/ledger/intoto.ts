import { InputError } from '../errors/index.js';
import { canonicalJson } from '../util/canonical-json.js';
import { signEnvelope, verifyEnvelope, type DsseEnvelope, type DsseProblemCode } from './dsse.js';
import type { SigningKey, TrustedKeys } from './keys.js';

/** `_type` of an in-toto Statement v1. */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

/** DSSE payload type of in-toto statements. */
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** predicateType of Pulser verdicts. */
export const VERDICT_PREDICATE_TYPE = 'https://pulser.dev/verdict/v1';

/** A statement subject: an artifact (the plan, a produced file) named and digested. */
export interface Subject {
  readonly name: string;
  readonly digest: { readonly sha256: string };
}

/** An in-toto Statement v1. */
export interface Statement<P = unknown> {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: ReadonlyArray<Subject>;
  readonly predicateType: string;
  readonly predicate: P;
}

/** The predicate of a Pulser verdict: what was decided, about what, and where in the ledger. */
export interface VerdictPredicate {
  readonly verdict: 'pass' | 'fail';
  /** What the verdict is about: a plan item ID (`phase-n4`, `phase-n4/task-2`). */
  readonly target: string;
  /** The criterion or gate that decided. */
  readonly criterion: string;
  /** Whether `criterion` is an exit criterion or a gate. */
  readonly kind: 'criterion' | 'gate';
  /** One sentence a person can read. */
  readonly reason: string;
  /** Machine-readable evidence (exit code, output digest, measured value, approver...). */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** ISO-8601 UTC time of the decision. */
  readonly decidedAt: string;
  /** The ledger event that recorded the verdict. */
  readonly ledger: { readonly id: string; readonly seq: number; readonly head: string };
}

/**
 * Builds the in-toto Statement of a Pulser verdict.
 *
 * @example
 * const statement = verdictStatement([{ name: 'NEXT_STEPS.md', digest: { sha256 } }], predicate);
 */
export function verdictStatement(
  subject: ReadonlyArray<Subject>,
  predicate: VerdictPredicate,
): Statement<VerdictPredicate> {
  if (subject.length === 0) throw new InputError('a statement needs at least one subject');
  for (const s of subject) {
    if (typeof s.name !== 'string' || !/^[0-9a-f]{64}$/.test(s.digest.sha256)) {
      throw new InputError(`subject ${JSON.stringify(s.name)} needs a lowercase hex sha256 digest`);
    }
  }
  return { _type: STATEMENT_TYPE, subject, predicateType: VERDICT_PREDICATE_TYPE, predicate };
}

/** Signs a statement as a DSSE envelope; the payload is the statement's canonical JSON. */
export function signStatement(statement: Statement, keys: ReadonlyArray<SigningKey>): DsseEnvelope {
  return signEnvelope(INTOTO_PAYLOAD_TYPE, Buffer.from(canonicalJson(statement), 'utf8'), keys);
}

/** The outcome of {@link verifyStatement}. */
export type StatementVerdict =
  | { readonly ok: true; readonly statement: Statement; readonly keyIds: ReadonlyArray<string> }
  | {
      readonly ok: false;
      readonly code: DsseProblemCode | 'bad_statement' | 'predicate_type_mismatch';
      readonly message: string;
    };

/**
 * Verifies a DSSE envelope holding an in-toto statement: signatures first (see
 * `verifyEnvelope`), then parses the payload and checks `_type`, subjects and predicateType.
 */
export function verifyStatement(
  envelope: unknown,
  trustedKeys: TrustedKeys,
  options: { readonly predicateType?: string } = {},
): StatementVerdict {
  const verdict = verifyEnvelope(envelope, trustedKeys, { payloadType: INTOTO_PAYLOAD_TYPE });
  if (!verdict.ok) return verdict;
  let statement: unknown;
  try {
    statement = JSON.parse(verdict.payload.toString('utf8'));
  } catch {
    return { ok: false, code: 'bad_statement', message: 'the payload is not JSON' };
  }
  const problem = statementProblem(statement);
  if (problem !== undefined) return { ok: false, code: 'bad_statement', message: problem };
  const s = statement as Statement;
  const expected = options.predicateType ?? VERDICT_PREDICATE_TYPE;
  if (s.predicateType !== expected) {
    return {
      ok: false,
      code: 'predicate_type_mismatch',
      message: `predicateType is ${JSON.stringify(s.predicateType)}, expected ${JSON.stringify(expected)}`,
    };
  }
  return { ok: true, statement: s, keyIds: verdict.keyIds };
}

function statementProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'the statement is not an object';
  const s = value as Record<string, unknown>;
  if (s['_type'] !== STATEMENT_TYPE) return `_type must be ${STATEMENT_TYPE}`;
  if (typeof s['predicateType'] !== 'string') return 'predicateType must be a string';
  const subject = s['subject'];
  if (!Array.isArray(subject) || subject.length === 0) return 'subject must be a non-empty array';
  for (const item of subject as unknown[]) {
    const sub = item as { name?: unknown; digest?: unknown } | null;
    if (typeof sub !== 'object' || sub === null || typeof sub.name !== 'string') {
      return 'every subject needs a name';
    }
    if (typeof sub.digest !== 'object' || sub.digest === null)
      return 'every subject needs a digest';
  }
  return undefined;
}
