/**
 * Retry timing: exponential backoff with jitter. The n-th automatic retry (n ≥ 1) waits
 *
 * ```text
 * base(n)  = min(maxDelayMs, initialDelayMs × factor^(n−1))
 * delay(n) = round(base(n) × (1 − jitter × r)),  r uniform in [0, 1)
 * ```
 *
 * so with the defaults (3 retries, 1 s, ×2, ≤ 60 s, jitter 0.5) the retries wait 0.5–1 s,
 * 1–2 s and 2–4 s. Jitter spreads retries of steps that failed together.
 */
import type { RetryPolicy } from '../ir/schema.js';
import { DEFAULT_RETRY_POLICY } from '../store/run-store.js';

/** A complete retry policy from a partial one (missing fields take the defaults). */
export function retryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, ...(partial ?? {}) };
}

/**
 * Delay in ms before the `retry`-th automatic retry (1-based); `random` returns a number in [0, 1).
 * @example retryDelay(DEFAULT_RETRY_POLICY, 2, () => 0) // 2000
 */
export function retryDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const n = Math.max(1, retry);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (n - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.max(0, Math.round(base * (1 - policy.jitter * r)));
}
