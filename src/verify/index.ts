export type { Verdict, VerdictStatus } from './verdict.js';
export { describeComparison, satisfies, evaluateMetric } from './metric.js';
export type { GateVerdict } from './gate.js';
export { decideGate } from './gate.js';
export type { VerdictRecord } from './flaky.js';
export { isFlaky } from './flaky.js';
export type { BindingResult } from './binding.js';
export { findAnnotation, parseAnnotation, fromUnknown, parseSidecar } from './binding.js';
