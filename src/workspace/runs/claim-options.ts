/**
 * Options of agent claims, compiled once at the edge: the lease length (`2s`, `10m`) and the
 * agent's identity (`agent:<name>`).
 */
import { UsageError } from '../../errors/index.js';

/** Default lease of a claim: 10 minutes, renewed by every progress report. */
export const DEFAULT_CLAIM_LEASE_MS = 10 * 60_000;

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a duration: `500ms`, `2s`, `10m`, `1h`, or a bare number of milliseconds.
 * @example parseDuration('2s', '--claim-lease') // 2000
 */
export function parseDuration(value: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/u.exec(value);
  const ms = m === null ? NaN : Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? NaN);
  if (!Number.isFinite(ms) || ms < 100 || ms > 7 * 24 * 3_600_000) {
    throw new UsageError(`invalid ${what} ${JSON.stringify(value)}`, {
      hint: 'give a duration between 100ms and 7 days, such as 30s, 10m or 1h',
    });
  }
  return Math.round(ms);
}

/**
 * The actor of an agent: `agent:<name>`, with the name reduced to letters, digits, `.`, `_`,
 * `@` and `-` (at most 64 characters).
 */
export function agentActor(name: string): string {
  const clean = name
    .trim()
    .replace(/[^A-Za-z0-9._@-]+/gu, '-')
    .replace(/^-+|-+$/gu, '')
    .slice(0, 64);
  return `agent:${clean === '' ? 'unknown' : clean}`;
}
