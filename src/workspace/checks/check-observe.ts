/**
 * What `check` observes: measured values, signoffs and past verdicts from the ledger, and files
 * on disk (inside the project folder only).
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { StoredEvent } from '../../store/events.js';
import { sha256Hex } from '../../util/hash.js';
import type { FileObservation, Measurement, Signoff, VerdictStatus } from '../../verify/index.js';
import { WORKSPACE_DIR, type Workspace } from '../open.js';

/** Data of a `metric.recorded` event. */
export interface MetricRecordedData {
  readonly planId: string;
  readonly metric: string;
  readonly value: number;
  readonly scale?: number;
  readonly unit?: string;
  readonly raw: string;
  readonly note?: string;
}

/** Data of a `criterion.signed_off` event. */
export interface SignoffData {
  readonly planId: string;
  readonly criterion: string;
  readonly verdict: 'pass' | 'fail';
  readonly reason: string;
  readonly by: string;
  /** SHA-256 of the criterion's text when it was signed off. */
  readonly textDigest: string;
}

/** Data of a `verdict.recorded` event. */
export interface VerdictRecordedData {
  readonly planId: string;
  readonly planSha: string;
  readonly path: string;
  readonly phaseId: string | null;
  readonly target: string;
  readonly targetKind: 'criterion' | 'metric';
  readonly text: string;
  readonly verifier: unknown;
  readonly source: string;
  /** The effective status (a flaky verifier's verdict is quarantined: `error`). */
  readonly status: VerdictStatus;
  /** What the verifier itself observed. */
  readonly observed: VerdictStatus;
  readonly reason: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly inputDigest: string;
  readonly flaky: boolean;
  /**
   * Digest of what the verdict depends on in the plan (see `planInputs`): it stays current
   * across versions of the plan that leave it unchanged. Absent in events of older versions.
   */
  readonly inputs?: string;
}

/** Data of a `gate.decided` event. */
export interface GateDecidedData {
  readonly planId: string;
  readonly planSha: string;
  readonly path: string;
  readonly phaseId: string;
  readonly gate: string;
  readonly status: 'pass' | 'fail' | 'pending';
  readonly empty: boolean;
  readonly verdicts: ReadonlyArray<{ target: string; status: VerdictStatus; reason: string }>;
  readonly blocking: ReadonlyArray<string>;
  /** Files the gate's verdicts looked at: proof subjects. */
  readonly artifacts: ReadonlyArray<{ name: string; sha256: string }>;
  /** Digest of what the gate depends on in the plan (see `planInputs`); absent in older events. */
  readonly inputs?: string;
}

/** What the ledger says about one plan, for `check`. */
export interface LedgerObservations {
  readonly measurements: Map<string, Measurement>;
  readonly signoffs: Map<string, { signoff: SignoffData; event: StoredEvent }>;
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
] as const;

/** Who an actor is, for people: `cli:ana` → `ana`. */
export function personOf(actor: string): string {
  const colon = actor.indexOf(':');
  return colon < 0 ? actor : actor.slice(colon + 1);
}

/** Folds the ledger's events about `planId` into what `check` needs. */
export function observe(events: ReadonlyArray<StoredEvent>, planId: string): LedgerObservations {
  const o: LedgerObservations = {
    measurements: new Map(),
    signoffs: new Map(),
    verdicts: new Map(),
    gates: new Map(),
  };
  for (const e of events) {
    const data = e.data as { planId?: unknown } | null;
    if (data === null || typeof data !== 'object' || data.planId !== planId) continue;
    switch (e.type) {
      case 'metric.recorded': {
        const d = data as MetricRecordedData;
        o.measurements.set(d.metric, {
          value: d.value,
          ...(d.scale === undefined ? {} : { scale: d.scale }),
          ...(d.unit === undefined ? {} : { unit: d.unit }),
          by: personOf(e.actor),
          at: e.ts,
          seq: e.seq,
        });
        break;
      }
      case 'criterion.signed_off': {
        const d = data as SignoffData;
        o.signoffs.set(d.criterion, { signoff: d, event: e });
        break;
      }
      case 'verdict.recorded': {
        const d = data as VerdictRecordedData;
        const list = o.verdicts.get(d.target) ?? [];
        list.push({ ...d, seq: e.seq });
        o.verdicts.set(d.target, list);
        break;
      }
      case 'gate.decided': {
        const d = data as GateDecidedData;
        o.gates.set(d.phaseId, d);
        break;
      }
    }
  }
  return o;
}

/** A signoff as the verifier sees it: current only while the criterion's text is unchanged. */
export function signoffOf(
  found: { signoff: SignoffData; event: StoredEvent } | undefined,
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
