export {
  IR_VERSION,
  TaskStatus,
  PhaseStatus,
  PhaseKind,
  SourcePos,
  Range,
  EstimatePart,
  Estimate,
  ChecklistItem,
  RetryPolicy,
  Step,
  Comparison,
  MetricTarget,
  Verifier,
  Criterion,
  FileRef,
  Task,
  Gate,
  Phase,
  Decision,
  MojibakeEncoding,
  Repair,
  PlanSource,
  Plan,
  Diagnostic,
  planJsonSchema,
} from './schema.js';
export { commandDigest } from './digest.js';
export { findAnnotation } from './annotation.js';
export type { PlanNode } from './walk.js';
export {
  flattenItems,
  allTasks,
  allItems,
  allSteps,
  phaseItems,
  phaseSteps,
  phaseCriteria,
  indexPlan,
  countCheckboxes,
} from './walk.js';
export type {
  DiffKind,
  DiffField,
  DiffEntry,
  FieldChange,
  ChangedEntry,
  DiffSummary,
  PlanDiff,
} from './diff.js';
export { diffPlans, summarizeDiff, isEmptyDiff } from './diff.js';
