/**
 * Deciding one criterion from what was observed: a measured value, a file's digest, a person's
 * signoff, or a command's result. Pure: the workspace gathers the observations.
 */
import type { Comparison, Verifier } from '../ir/index.js';
import { describeComparison, satisfies } from './metric.js';
import type { Verdict, VerdictStatus } from './verdict.js';
import { shellCommand } from '../util/shell-quote.js';

/** A measured value of a metric, as recorded (`pulser metric set`, or a verifier's output). */
export interface Measurement {
  readonly value: number;
  /** Denominator when the value was given as a score (`4.2/5`). */
  readonly scale?: number;
  readonly unit?: string;
  /** Who recorded it and when (ledger event). */
  readonly by: string;
  readonly at: string;
  readonly seq: number;
}

/** A measured value against a parsed target; `comparison` undefined when it did not parse. */
export function evaluateMeasurement(
  target: string,
  targetText: string,
  comparison: Comparison | undefined,
  measured: Measurement | undefined,
): Verdict {
  if (comparison === undefined) {
    return {
      target,
      status: 'error',
      reason: `the target ${JSON.stringify(targetText)} is not a comparison Pulser can check (write it like ≥5%, <2% CPU, >4.0/5.0, 0 new failures)`,
      evidence: { target: targetText },
    };
  }
  const want = describeComparison(comparison);
  if (measured === undefined) {
    return {
      target,
      status: 'pending',
      reason: `not measured yet (target ${want}); record a value with \`pulser metric set\``,
      evidence: { target: want },
    };
  }
  let value = measured.value;
  if (measured.scale !== undefined && comparison.scale !== undefined && measured.scale !== 0) {
    value = (value / measured.scale) * comparison.scale;
  }
  const pass = satisfies(comparison, value);
  const shown = `${measured.value}${measured.scale === undefined ? '' : `/${measured.scale}`}${measured.unit === undefined ? '' : measured.unit.startsWith('%') ? measured.unit : ` ${measured.unit}`}`;
  return {
    target,
    status: pass ? 'pass' : 'fail',
    reason: `measured ${shown} (by ${measured.by} at ${measured.at}), target ${want}`,
    evidence: {
      measured: value,
      target: want,
      recordedBy: measured.by,
      recordedAt: measured.at,
      seq: measured.seq,
    },
  };
}

/** What was found at a file verifier's path. */
export type FileObservation =
  | { readonly kind: 'file'; readonly sha256: string; readonly bytes: number }
  | { readonly kind: 'missing' }
  | { readonly kind: 'refused'; readonly why: string };

/** A file verifier: the file exists (and has the expected SHA-256, when one is given). */
export function evaluateFile(
  target: string,
  verifier: Extract<Verifier, { kind: 'file' }>,
  seen: FileObservation,
): Verdict {
  const path = verifier.path;
  if (seen.kind === 'refused') {
    return { target, status: 'error', reason: `${path}: ${seen.why}`, evidence: { path } };
  }
  if (seen.kind === 'missing') {
    return { target, status: 'fail', reason: `${path} does not exist`, evidence: { path } };
  }
  const evidence = { path, sha256: seen.sha256, bytes: seen.bytes };
  if (verifier.sha256 !== undefined && verifier.sha256.toLowerCase() !== seen.sha256) {
    return {
      target,
      status: 'fail',
      reason: `${path} has SHA-256 ${seen.sha256.slice(0, 12)}…, expected ${verifier.sha256.slice(0, 12)}…`,
      evidence: { ...evidence, expected: verifier.sha256 },
    };
  }
  return {
    target,
    status: 'pass',
    reason:
      verifier.sha256 === undefined
        ? `${path} exists (${seen.bytes} bytes)`
        : `${path} exists with the expected SHA-256`,
    evidence,
  };
}

/** A person's signoff of a criterion, as recorded in the ledger. */
export interface Signoff {
  readonly verdict: 'pass' | 'fail';
  /** The person's name. */
  readonly by: string;
  readonly reason: string;
  readonly at: string;
  readonly seq: number;
  /** False when the criterion's text changed since the signoff (it no longer applies). */
  readonly current: boolean;
}

/**
 * A manual verifier: decided by the latest signoff of a (named, when required) person. `planId`
 * names the plan in the hint, so that the command printed works where several plans are imported.
 */
export function evaluateSignoff(
  target: string,
  approver: string | undefined,
  signoff: Signoff | undefined,
  planId: string,
): Verdict {
  const who = approver === undefined ? 'a person' : `@${approver}`;
  const hint = `\`${shellCommand('pulser', 'signoff', `${planId}:${target}`)} --reason "..."\``;
  if (signoff === undefined) {
    return {
      target,
      status: 'pending',
      reason: `needs a signoff by ${who}: ${hint}`,
      evidence: {},
    };
  }
  if (!signoff.current) {
    return {
      target,
      status: 'pending',
      reason: `the criterion changed since ${signoff.by} signed it off; needs a new signoff by ${who}: ${hint}`,
      evidence: { previousSignoff: signoff.seq },
    };
  }
  return {
    target,
    status: signoff.verdict,
    reason: `${signoff.verdict === 'pass' ? 'signed off' : 'rejected'} by ${signoff.by} at ${signoff.at}: ${signoff.reason}`,
    evidence: { by: signoff.by, reason: signoff.reason, at: signoff.at, seq: signoff.seq },
  };
}

/** The result of one command verifier, as the runtime reports it. */
export interface CommandOutcome {
  readonly status: Extract<VerdictStatus, 'pass' | 'fail' | 'error' | 'not_run'>;
  readonly reason: string;
  /** Exit code, output digest, run and step IDs, duration... */
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** A command verifier's verdict from the runtime's outcome. */
export function evaluateCommand(target: string, outcome: CommandOutcome): Verdict {
  return { target, status: outcome.status, reason: outcome.reason, evidence: outcome.evidence };
}
