/**
 * The runtime's settings in `.pulser/config.json`, under `runtime`:
 *
 * ```json
 * { "runtime": { "concurrency": 4, "leaseMs": 30000, "defaultTimeoutMs": 3600000,
 *                "laneLimits": { "A": 1, "*": 4 },
 *                "rateLimits": { "shell": { "perSecond": 5, "burst": 10 } } } }
 * ```
 *
 * Every key is optional; a bad value is an error naming the file and the key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../errors/index.js';
import type { RateLimit } from '../../store/run-store.js';

/** Runtime settings of a workspace. */
export interface RuntimeConfig {
  readonly concurrency?: number;
  readonly leaseMs?: number;
  readonly heartbeatMs?: number;
  readonly defaultTimeoutMs?: number;
  readonly maxOutputBytes?: number;
  readonly laneLimits?: Readonly<Record<string, number>>;
  readonly rateLimits?: Readonly<Record<string, RateLimit>>;
}

function num(file: string, key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InputError(`runtime.${key} must be a positive number`, { file });
  }
  return value;
}

/** Reads the `runtime` settings of the workspace whose `.pulser/` folder is `dir`. */
export function loadRuntimeConfig(dir: string): RuntimeConfig {
  const file = join(dir, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new InputError(`cannot read the workspace config: ${(error as Error).message}`, { file });
  }
  const r = (raw as { runtime?: unknown } | null)?.runtime;
  if (r === undefined) return {};
  if (typeof r !== 'object' || r === null || Array.isArray(r)) {
    throw new InputError('runtime must be an object', { file });
  }
  const o = r as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of [
    'concurrency',
    'leaseMs',
    'heartbeatMs',
    'defaultTimeoutMs',
    'maxOutputBytes',
  ]) {
    const v = num(file, key, o[key]);
    if (v !== undefined) out[key] = v;
  }
  if (o.laneLimits !== undefined) {
    const limits: Record<string, number> = {};
    for (const [lane, v] of Object.entries(o.laneLimits as Record<string, unknown>)) {
      limits[lane] = num(file, `laneLimits.${lane}`, v)!;
    }
    out.laneLimits = limits;
  }
  if (o.rateLimits !== undefined) {
    const rates: Record<string, RateLimit> = {};
    for (const [tool, v] of Object.entries(o.rateLimits as Record<string, unknown>)) {
      const b = v as Record<string, unknown>;
      const perSecond = num(file, `rateLimits.${tool}.perSecond`, b.perSecond);
      if (perSecond === undefined) {
        throw new InputError(`runtime.rateLimits.${tool}.perSecond is required`, { file });
      }
      rates[tool] = { perSecond, burst: num(file, `rateLimits.${tool}.burst`, b.burst) ?? 1 };
    }
    out.rateLimits = rates;
  }
  return out;
}
