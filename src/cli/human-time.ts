/**
 * Times as people read them in the CLI's text output: how long ago (`3 min ago`) and how long
 * (`4 min 10 s`). JSON output keeps the exact ISO timestamps.
 */
import { durationText } from '../report/index.js';
import { plural } from './plural.js';

export { durationText };

/**
 * How long before `now` the ISO time `ts` was: `just now`, `42 s ago`, `3 min ago`, `5 h ago`,
 * `2 days ago`; past a month, the date (`2026-11-02`). A time after `now` (clock skew between
 * machines) reads `just now`.
 */
export function agoText(ts: string, now: number = Date.now()): string {
  const at = Date.parse(ts);
  if (!Number.isFinite(at)) return ts;
  const s = Math.floor((now - at) / 1000);
  if (s < 1) return 'just now';
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ago`;
  const days = Math.floor(h / 24);
  if (days < 31) return `${plural(days, 'day')} ago`;
  return ts.slice(0, 10);
}

/** How long a run or step took from `from` to `to`, `—` when it has not ended. */
export function tookBetween(from: string | null, to: string | null): string {
  if (from === null || to === null) return '—';
  return durationText(Date.parse(to) - Date.parse(from));
}
