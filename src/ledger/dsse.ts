import { signBytes, verifyBytes, type SigningKey, type TrustedKeys } from './keys.js';

/** One signature of a DSSE envelope. */
export interface DsseSignature {
  /** Key id of the signer: a hint selecting the key, never trusted by itself. */
  readonly keyid: string;
  /** Signature over PAE(payloadType, payload), standard base64. */
  readonly sig: string;
}

/** A DSSE v1 envelope (https://github.com/secure-systems-lab/dsse, envelope.md). */
export interface DsseEnvelope {
  readonly payloadType: string;
  /** The payload bytes, standard base64. */
  readonly payload: string;
  readonly signatures: ReadonlyArray<DsseSignature>;
}

/** Why an envelope does not verify. */
export type DsseProblemCode =
  'malformed' | 'no_signatures' | 'unknown_key' | 'bad_signature' | 'payload_type_mismatch';

/** The outcome of {@link verifyEnvelope}: the authenticated payload, or why not. */
export type DsseVerdict =
  | {
      readonly ok: true;
      readonly payloadType: string;
      /** The payload bytes; authenticated, not yet parsed. */
      readonly payload: Buffer;
      /** Key ids whose signatures verified. */
      readonly keyIds: ReadonlyArray<string>;
    }
  | { readonly ok: false; readonly code: DsseProblemCode; readonly message: string };

/** Options of {@link verifyEnvelope}. */
export interface VerifyEnvelopeOptions {
  /** The payload type the caller expects; any other is rejected. */
  readonly payloadType: string;
  /** Distinct trusted keys whose signatures must verify. @default 1 */
  readonly threshold?: number;
}

/**
 * The DSSE v1 pre-authentication encoding:
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, where LEN is the byte length in ASCII
 * decimal and type is UTF-8.
 */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'),
    type,
    Buffer.from(` ${payload.length} `, 'ascii'),
    payload,
  ]);
}

/**
 * Signs `payload` as a DSSE envelope with one signature per key.
 *
 * @example
 * const envelope = signEnvelope('application/vnd.in-toto+json', bytes, [key]);
 */
export function signEnvelope(
  payloadType: string,
  payload: Uint8Array,
  keys: ReadonlyArray<SigningKey>,
): DsseEnvelope {
  const message = pae(payloadType, payload);
  return {
    payloadType,
    payload: Buffer.from(payload).toString('base64'),
    signatures: keys.map((key) => ({
      keyid: key.keyId,
      sig: signBytes(key, message).toString('base64'),
    })),
  };
}

/**
 * Verifies a DSSE envelope as the spec prescribes: every signature is checked over
 * PAE(payloadType, payload) before the payload is looked at. Policy: every signature must name
 * a trusted key (by keyid) and verify with that key; an unknown keyid, a keyid naming another
 * key, or zero signatures fail the envelope (nothing is skipped). The payload type must equal
 * `options.payloadType`. Never throws.
 */
export function verifyEnvelope(
  envelope: unknown,
  trustedKeys: TrustedKeys,
  options: VerifyEnvelopeOptions,
): DsseVerdict {
  const shape = readEnvelope(envelope);
  if (typeof shape === 'string') return fail('malformed', shape);
  const { payloadType, payload, signatures } = shape;
  if (signatures.length === 0) return fail('no_signatures', 'the envelope has no signatures');
  const message = pae(payloadType, payload);
  const verified = new Set<string>();
  for (const [i, { keyid, sig }] of signatures.entries()) {
    const publicKey = trustedKeys.get(keyid);
    if (publicKey === undefined) {
      return fail(
        'unknown_key',
        `signature ${i} names key ${JSON.stringify(keyid)}, which is not trusted`,
      );
    }
    if (!verifyBytes(publicKey, message, sig)) {
      return fail('bad_signature', `signature ${i} does not verify with key ${keyid}`);
    }
    verified.add(keyid);
  }
  const threshold = options.threshold ?? 1;
  if (verified.size < threshold) {
    return fail(
      'bad_signature',
      `${verified.size} distinct trusted keys signed, ${threshold} required`,
    );
  }
  if (payloadType !== options.payloadType) {
    return fail(
      'payload_type_mismatch',
      `payload type is ${JSON.stringify(payloadType)}, expected ${JSON.stringify(options.payloadType)}`,
    );
  }
  return { ok: true, payloadType, payload, keyIds: [...verified] };
}

function fail(code: DsseProblemCode, message: string): DsseVerdict {
  return { ok: false, code, message };
}

interface DecodedEnvelope {
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly signatures: ReadonlyArray<{ readonly keyid: string; readonly sig: Buffer }>;
}

function readEnvelope(value: unknown): DecodedEnvelope | string {
  if (typeof value !== 'object' || value === null) return 'the envelope is not a JSON object';
  const e = value as Record<string, unknown>;
  if (typeof e['payloadType'] !== 'string') return 'payloadType must be a string';
  if (typeof e['payload'] !== 'string') return 'payload must be a base64 string';
  const payload = decodeBase64(e['payload']);
  if (payload === undefined) return 'payload is not valid base64';
  if (!Array.isArray(e['signatures'])) return 'signatures must be an array';
  const signatures: Array<{ keyid: string; sig: Buffer }> = [];
  for (const [i, s] of (e['signatures'] as unknown[]).entries()) {
    const entry = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
    const keyid = entry['keyid'] ?? '';
    if (typeof keyid !== 'string' || typeof entry['sig'] !== 'string') {
      return `signature ${i} must have a string keyid and sig`;
    }
    const sig = decodeBase64(entry['sig']);
    if (sig === undefined) return `signature ${i} is not valid base64`;
    signatures.push({ keyid, sig });
  }
  return { payloadType: e['payloadType'], payload, signatures };
}

/** Strict base64 (standard or URL-safe, padding optional, as DSSE allows); undefined if invalid. */
function decodeBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text) || text.length % 4 === 1) return undefined;
  const url = /[-_]/.test(text);
  if (url && /[+/]/.test(text)) return undefined;
  const bytes = Buffer.from(text, url ? 'base64url' : 'base64');
  const again = bytes.toString(url ? 'base64url' : 'base64').replace(/=+$/, '');
  return again === text.replace(/=+$/, '') ? bytes : undefined;
}
