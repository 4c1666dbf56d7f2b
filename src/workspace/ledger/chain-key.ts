/**
 * The workspace's chain key: a secret beside the signing key (`.pulser/keys/chain.key`, mode
 * 0600) under which every appended event carries a MAC, so that someone who can write the
 * database but not read the keys cannot add, change or remove an event unnoticed (see
 * docs/runtime.md, "Ledger threat model").
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChainKeyState } from '../../store/events.js';

/** The chain key's file name inside `.pulser/keys/`. */
export const CHAIN_KEY_FILE = 'chain.key';

/** The chain key file of the workspace whose `.pulser/` folder is `dir`. */
export function chainKeyFile(dir: string): string {
  return join(dir, 'keys', CHAIN_KEY_FILE);
}

/**
 * Reads the chain key of the workspace whose `.pulser/` folder is `dir`. When there is none and
 * `create` is set, makes one whose MACs start after the current head (`headSeq()`): events
 * written before (by an older Pulser) stay covered by their signed checkpoints only.
 * A key that exists but cannot be read is `unavailable`: that process may read, not append.
 */
export function loadChainKey(dir: string, headSeq: () => number, create = true): ChainKeyState {
  const file = chainKeyFile(dir);
  for (let attempt = 0; attempt < 2; attempt++) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') return { kind: 'unavailable', file, reason: describe(error) };
      if (!create || !makeKey(dir, file, headSeq())) return { kind: 'none' };
      continue;
    }
    return parseKey(file, text);
  }
  return { kind: 'none' };
}

function parseKey(file: string, text: string): ChainKeyState {
  try {
    const raw = JSON.parse(text) as { v?: unknown; from?: unknown; secret?: unknown };
    const secret = typeof raw.secret === 'string' ? Buffer.from(raw.secret, 'base64') : null;
    if (raw.v === 1 && Number.isSafeInteger(raw.from) && secret?.length === 32) {
      return { kind: 'key', key: { secret, from: raw.from as number }, file };
    }
  } catch {
    // Reported below.
  }
  return { kind: 'unavailable', file, reason: 'the file is not a Pulser chain key' };
}

/** Creates the key file exclusively; false when it cannot be created (another process may have). */
function makeKey(dir: string, file: string, head: number): boolean {
  const text = `${JSON.stringify({ v: 1, from: head + 1, secret: randomBytes(32).toString('base64') })}\n`;
  try {
    mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EEXIST';
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  return e.code ?? e.message;
}
