/**
 * Reading hints a person writes into the plan to correct Pulser without rewriting it:
 *
 * - an HTML comment anywhere: `<!-- pulser: phase-level=3 -->`
 * - or a front-matter key: `pulser-phase-level: 3`
 *
 * `phase-level=N` says the level-N headings are the phases (and no others).
 */
import type { PhaseHint } from './phase-plan.js';

const COMMENT_RE = /<!--\s*pulser:\s*([^>]*?)\s*-->/iu;
const FRONT_MATTER_RE = /^(?:\ufeff)?---\r?\n([\s\S]*?)\r?\n---/u;
const LEVEL_RE = /phase-level\s*[=:]\s*([1-6])/iu;

/** The hint a plan gives, if any. */
export function readHint(text: string): PhaseHint {
  if (text.indexOf('pulser') === -1) return {};
  const comment = COMMENT_RE.exec(text)?.[1];
  const front = FRONT_MATTER_RE.exec(text)?.[1];
  const fromFront = front ? /^pulser-(phase-level\s*:\s*[1-6])/imu.exec(front)?.[1] : undefined;
  const level = LEVEL_RE.exec(comment ?? fromFront ?? '')?.[1];
  if (!level) return {};
  const frontLines = front === undefined ? 0 : front.split('\n').length + 2;
  return { level: Number(level), after: frontLines };
}
