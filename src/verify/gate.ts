import type { Gate } from '../ir/index.js';
import type { Verdict, VerdictStatus } from './verdict.js';

/** A gate's decision: pass only when every criterion passed and every metric is within target. */
export interface GateVerdict {
  readonly gate: string;
  readonly status: 'pass' | 'fail' | 'pending';
  /** Criteria and metrics that keep the gate closed, with their verdicts. */
  readonly blocking: ReadonlyArray<Verdict>;
  /** Every verdict the gate considered, in gate order. */
  readonly verdicts: ReadonlyArray<Verdict>;
  /** True when the gate has nothing to check (no criteria, no metrics). */
  readonly empty: boolean;
}

/**
 * Decides a gate from the latest verdict of each of its criteria and metrics. A criterion
 * without a verdict is `pending`. Any fail or error makes the gate fail; otherwise any
 * pending makes it pending.
 */
export function decideGate(gate: Gate, latest: ReadonlyMap<string, Verdict>): GateVerdict {
  const verdicts = [...gate.criteria, ...gate.metrics].map(
    (id): Verdict =>
      latest.get(id) ?? { target: id, status: 'pending', reason: 'not verified yet', evidence: {} },
  );
  const blocking = verdicts.filter((v) => v.status !== 'pass');
  const worst = (s: VerdictStatus): boolean => blocking.some((v) => v.status === s);
  const status =
    worst('fail') || worst('error') ? 'fail' : blocking.length > 0 ? 'pending' : 'pass';
  return { gate: gate.id, status, blocking, verdicts, empty: verdicts.length === 0 };
}
