import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../errors/index.js';
import { signEnvelope } from './dsse.js';
import {
  INTOTO_PAYLOAD_TYPE,
  STATEMENT_TYPE,
  VERDICT_PREDICATE_TYPE,
  signStatement,
  verdictStatement,
  verifyStatement,
  type VerdictPredicate,
} from './intoto.js';
import { generateSigningKey } from './keys.js';

const key = generateSigningKey();
const trusted = new Map([[key.keyId, key.publicKey]]);
const sha = 'c0'.repeat(32);
const predicate: VerdictPredicate = {
  verdict: 'pass',
  target: 'phase-n4',
  criterion: 'phase-n4/gate',
  kind: 'gate',
  reason: 'all 3 criteria verified',
  evidence: { criteria: ['phase-n4/exit-1'], measured: 5.2 },
  decidedAt: '2025-01-01T00:00:00.000Z',
  ledger: { id: 'ws-1', seq: 120, head: 'ab'.repeat(32) },
};

test('builds an in-toto v1 statement and signs it as DSSE', () => {
  const statement = verdictStatement(
    [{ name: 'NEXT_STEPS.md', digest: { sha256: sha } }],
    predicate,
  );
  assert.equal(statement._type, STATEMENT_TYPE);
  assert.equal(statement.predicateType, VERDICT_PREDICATE_TYPE);
  const envelope = signStatement(statement, [key]);
  assert.equal(envelope.payloadType, INTOTO_PAYLOAD_TYPE);
  const verdict = verifyStatement(envelope, trusted);
  assert.ok(verdict.ok);
  assert.deepEqual(verdict.statement, statement);
});

test('rejects statements without subjects or digests', () => {
  assert.throws(() => verdictStatement([], predicate), InputError);
  assert.throws(
    () => verdictStatement([{ name: 'x', digest: { sha256: 'nope' } }], predicate),
    /sha256/,
  );
});

test('a validly signed payload that is not a statement, or of another predicate, is refused', () => {
  const codeOf = (envelope: unknown, predicateType?: string) => {
    const v = verifyStatement(
      envelope,
      trusted,
      predicateType === undefined ? {} : { predicateType },
    );
    return v.ok ? 'ok' : v.code;
  };
  const sign = (value: unknown) =>
    signEnvelope(INTOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(value)), [key]);
  const statement = verdictStatement([{ name: 'plan.md', digest: { sha256: sha } }], predicate);
  assert.equal(
    codeOf(signEnvelope(INTOTO_PAYLOAD_TYPE, Buffer.from('{not json'), [key])),
    'bad_statement',
  );
  assert.equal(
    codeOf(sign({ ...statement, _type: 'https://in-toto.io/Statement/v0.1' })),
    'bad_statement',
  );
  assert.equal(codeOf(sign({ ...statement, subject: [] })), 'bad_statement');
  assert.equal(
    codeOf(sign({ ...statement, predicateType: 'https://slsa.dev/provenance/v1' })),
    'predicate_type_mismatch',
  );
  assert.equal(
    codeOf(
      sign({ ...statement, predicateType: 'https://slsa.dev/provenance/v1' }),
      'https://slsa.dev/provenance/v1',
    ),
    'ok',
  );
  assert.equal(
    codeOf(signEnvelope('application/json', Buffer.from(JSON.stringify(statement)), [key])),
    'payload_type_mismatch',
  );
});
