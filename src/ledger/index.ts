/** The ledger's cryptographic core: keys, checkpoints, ledger verification, DSSE and in-toto. */
export {
  CHECKPOINT_TYPE,
  checkpointStatement,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
  type CheckpointCheck,
  type CheckpointClaim,
  type CheckpointProblemCode,
} from './checkpoint.js';
export {
  pae,
  signEnvelope,
  verifyEnvelope,
  type DsseEnvelope,
  type DsseProblemCode,
  type DsseSignature,
  type DsseVerdict,
  type VerifyEnvelopeOptions,
} from './dsse.js';
export {
  INTOTO_PAYLOAD_TYPE,
  STATEMENT_TYPE,
  VERDICT_PREDICATE_TYPE,
  signStatement,
  verdictStatement,
  verifyStatement,
  type Statement,
  type StatementVerdict,
  type Subject,
  type VerdictPredicate,
} from './intoto.js';
export { Keyring, type KeyInfo } from './keyring.js';
export {
  generateSigningKey,
  importSigningKey,
  importVerifyingKey,
  keyIdOf,
  privateKeyToBase64,
  privateKeyToPem,
  publicKeyToBase64,
  publicKeyToPem,
  rawPublicKey,
  signBytes,
  verifyBytes,
  type SigningKey,
  type TrustedKeys,
  type VerifyingKey,
} from './keys.js';
export {
  LedgerVerifier,
  verifyLedger,
  verifyLedgerAsync,
  type LedgerProblem,
  type LedgerProblemCode,
  type LedgerVerdict,
  type RawChainedEvent,
  type VerifyLedgerOptions,
} from './verify.js';
