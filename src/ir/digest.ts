/**
 * What trust binds a command to. A digest covers the tool, the interpreter (the fence language:
 * `sh`, `bash`, ...) and the command text exactly as written, so changing any of them makes the
 * command untrusted again. The three parts are JSON-encoded together, so no choice of language
 * can shift text between the parts and collide with another command.
 */
import { sha256Hex } from '../util/hash.js';

/**
 * SHA-256 of a command: its tool, interpreter (fence language, absent for verifier commands and
 * typed steps) and text.
 * @example commandDigest('shell', 'bash', 'make test\n');
 */
export function commandDigest(tool: string, language: string | undefined, input: string): string {
  return sha256Hex(JSON.stringify([tool, language ?? null, input]));
}
