import type { Comparison } from '../ir/index.js';
import type { Verdict } from './verdict.js';

const EPSILON = 1e-9;

/** Formats a comparison for people: `≥ 5%`, `between -50 and -30%`. */
export function describeComparison(c: Comparison): string {
  const unit = c.unit === undefined ? '' : c.unit.startsWith('%') ? c.unit : ` ${c.unit}`;
  const scale = c.scale === undefined ? '' : `/${c.scale}`;
  const symbol = { '>=': '≥', '>': '>', '<=': '≤', '<': '<', '==': '=', between: '' }[c.op];
  if (c.op === 'between') {
    const lo = Math.min(c.value, c.max ?? c.value);
    const hi = Math.max(c.value, c.max ?? c.value);
    return `between ${lo} and ${hi}${scale}${unit}`;
  }
  return `${symbol} ${c.value}${scale}${unit}`;
}

/** True when `value` satisfies the comparison (a `between` range is inclusive, in either order). */
export function satisfies(c: Comparison, value: number): boolean {
  switch (c.op) {
    case '>=':
      return value >= c.value - EPSILON;
    case '>':
      return value > c.value;
    case '<=':
      return value <= c.value + EPSILON;
    case '<':
      return value < c.value;
    case '==':
      return Math.abs(value - c.value) <= EPSILON;
    case 'between': {
      const lo = Math.min(c.value, c.max ?? c.value);
      const hi = Math.max(c.value, c.max ?? c.value);
      return value >= lo - EPSILON && value <= hi + EPSILON;
    }
    default: {
      const never: never = c.op;
      return never;
    }
  }
}

/** Decides a metric target against a measured value (undefined: not measured yet). */
export function evaluateMetric(
  id: string,
  comparison: Comparison | undefined,
  measured: number | undefined,
): Verdict {
  if (comparison === undefined) {
    return {
      target: id,
      status: 'error',
      reason: 'the target could not be parsed, so it cannot be checked',
      evidence: { measured: measured ?? null },
    };
  }
  const want = describeComparison(comparison);
  if (measured === undefined || !Number.isFinite(measured)) {
    return {
      target: id,
      status: 'pending',
      reason: `not measured yet (target ${want})`,
      evidence: { target: want },
    };
  }
  const pass = satisfies(comparison, measured);
  return {
    target: id,
    status: pass ? 'pass' : 'fail',
    reason: `measured ${measured}, target ${want}`,
    evidence: { measured, target: want },
  };
}
