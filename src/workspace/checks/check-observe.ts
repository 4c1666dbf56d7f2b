/**
 * What `check` observes: measured values, signoffs and past verdicts from the ledger, and files
 * on disk (inside the project folder only).
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { EventData, EventType, LedgerEvent } from '../../ir/events.js';
import type { LedgerFold } from '../../ledger/fold.js';
import { sha256Hex } from '../../util/hash.js';
import type { FileObservation, Measurement, Signoff } from '../../verify/index.js';
import { WORKSPACE_DIR, type Workspace } from '../open.js';

/** Data of a `metric.recorded` event. */
export type MetricRecordedData = EventData<'metric.recorded'>;

/** Data of a `criterion.signed_off` event. */
export type SignoffData = EventData<'criterion.signed_off'>;

/** Data of a `verdict.recorded` event. */
export type VerdictRecordedData = EventData<'verdict.recorded'>;

/** Data of a `gate.decided` event. */
export type GateDecidedData = EventData<'gate.decided'>;

/** What the ledger says about one plan, for `check`. */
export interface LedgerObservations {
  readonly measurements: Map<string, Measurement>;
  readonly signoffs: Map<string, { signoff: SignoffData; event: LedgerEvent }>;
  /** Past verdicts of each target, oldest first, with the seq of their event. */
  readonly verdicts: Map<string, Array<VerdictRecordedData & { readonly seq: number }>>;
  readonly gates: Map<string, GateDecidedData>;
}

/** The event types `check` reads. */
export const OBSERVED_TYPES = [
  'metric.recorded',
  'criterion.signed_off',
  'verdict.recorded',
  'gate.decided',
] as const satisfies ReadonlyArray<EventType>;

/** Who an actor is, for people: `cli:ana` → `ana`. */
export function personOf(actor: string): string {
  const colon = actor.indexOf(':');
  return colon < 0 ? actor : actor.slice(colon + 1);
}

/** What the ledger's fold says about `planId`, as `check` needs it (fresh maps: check adds to them). */
export function observe(fold: LedgerFold, planId: string): LedgerObservations {
  const facts = fold.plans.get(planId);
  const o: LedgerObservations = {
    measurements: new Map(),
    signoffs: new Map(),
    verdicts: new Map(),
    gates: new Map(),
  };
  if (facts === undefined) return o;
  for (const [metric, list] of facts.measurements) {
    const e = list.at(-1)!;
    const d = e.data;
    o.measurements.set(metric, {
      value: d.value,
      ...(d.scale === undefined ? {} : { scale: d.scale }),
      ...(d.unit === undefined ? {} : { unit: d.unit }),
      by: personOf(e.actor),
      at: e.ts,
      seq: e.seq,
    });
  }
  for (const [criterion, e] of facts.signoffs)
    o.signoffs.set(criterion, { signoff: e.data, event: e });
  for (const [target, list] of facts.verdicts) {
    o.verdicts.set(
      target,
      list.map((e) => ({ ...e.data, seq: e.seq })),
    );
  }
  for (const [phaseId, e] of facts.gates) o.gates.set(phaseId, e.data);
  return o;
}

/** A signoff as the verifier sees it: current only while the criterion's text is unchanged. */
export function signoffOf(
  found: { signoff: SignoffData; event: LedgerEvent } | undefined,
  text: string,
): Signoff | undefined {
  if (found === undefined) return undefined;
  const { signoff, event } = found;
  return {
    verdict: signoff.verdict,
    by: signoff.by,
    reason: signoff.reason,
    at: event.ts,
    seq: event.seq,
    current: signoff.textDigest === sha256Hex(text),
  };
}

/**
 * Looks at a file verifier's path: relative to the plan's folder, and only inside the project
 * folder (a plan is untrusted input: it must not probe files elsewhere).
 */
export function observeFile(ws: Workspace, planPath: string, path: string): FileObservation {
  const abs = resolve(ws.root, dirname(planPath), path);
  const inside = (p: string, root: string): boolean => {
    const rel = relative(root, p);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (!inside(abs, ws.root)) {
    return {
      kind: 'refused',
      why: 'is outside the project folder; file verifiers only look inside it',
    };
  }
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    return { kind: 'missing' };
  }
  if (!inside(real, realpathSync(ws.root))) {
    return {
      kind: 'refused',
      why: 'links outside the project folder; file verifiers only look inside it',
    };
  }
  const inState = (p: string, root: string): boolean =>
    relative(root, p).split(sep)[0] === WORKSPACE_DIR;
  if (inState(abs, ws.root) || inState(real, realpathSync(ws.root))) {
    return {
      kind: 'refused',
      why: `is inside ${WORKSPACE_DIR}/ (Pulser's own state and keys); file verifiers do not look there`,
    };
  }
  if (!statSync(real).isFile()) return { kind: 'refused', why: 'is not a regular file' };
  const bytes = readFileSync(real);
  return { kind: 'file', sha256: sha256Hex(bytes), bytes: bytes.length };
}
