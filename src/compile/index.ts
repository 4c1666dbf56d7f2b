export { compilePlan, MAX_PLAN_BYTES } from './compile-plan.js';
export type { CompileOptions, CompileResult } from './compile-plan.js';
export { summarizePlan } from './summary.js';
export type { PlanSummary, PhaseSummary, CheckboxCount } from './summary.js';
export { stepDigest, looksLikeCommands } from './steps.js';
export { parseComparison, findComparison } from './comparison.js';
export { parseEstimate } from './estimate.js';
