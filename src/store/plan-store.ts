import type { Plan, PlanDiff } from '../ir/index.js';
import type { StoredEvent } from './events.js';

/** A plan as imported into a workspace. */
export interface StoredPlan {
  /** Workspace-unique plan ID (a slug of the file name). */
  readonly id: string;
  /** Path of the document, relative to the workspace root. */
  readonly path: string;
  /** SHA-256 of the document bytes this IR was compiled from. */
  readonly sha256: string;
  /** How many times it has been imported (1 on first import). */
  readonly version: number;
  readonly importedAt: string;
  readonly plan: Plan;
}

/** An edit Pulser made to a plan's file (write-back), recorded as a `plan.written` event. */
export interface PlanWrite {
  /** What was done: `check-item`, `uncheck-item`, `set-status`. */
  readonly action: string;
  /** The node edited. */
  readonly nodeId: string;
  /** SHA-256 of the file before and after the edit. */
  readonly fromSha256: string;
  readonly toSha256: string;
  /** For `set-status`: the node's status before and after. */
  readonly statusBefore?: string;
  readonly statusAfter?: string;
  /** The edits, in decoded text: 1-based line and column, text replaced and inserted. */
  readonly edits: ReadonlyArray<{
    readonly line: number;
    readonly column: number;
    readonly from: string;
    readonly to: string;
  }>;
}

/** What to store on import. */
export interface SavePlanInput {
  /** Plan ID; when absent the store keeps the ID of the plan already at `path`, else uses `suggestedId`. */
  readonly suggestedId: string;
  readonly path: string;
  readonly plan: Plan;
  /** Who imports: `cli:<user>`, `agent:<name>`, ... */
  readonly actor: string;
  /** Set when the import follows a write-back; appends `plan.written` in the same transaction. */
  readonly write?: PlanWrite;
}

/** What an import stored. */
export interface SavePlanResult {
  readonly stored: StoredPlan;
  /** The version it replaced, or null on first import. */
  readonly previous: StoredPlan | null;
  readonly diff: PlanDiff;
  /** The events appended (`plan.written` first when there was a write, then `plan.imported`). */
  readonly events: ReadonlyArray<StoredEvent>;
}

/** A node of a stored plan, as found by its ID without loading the plan. */
export interface PlanNodeRef {
  readonly planId: string;
  readonly nodeId: string;
  readonly kind: string;
  readonly title: string;
}

/**
 * Persistence of imported plans. The runtime relies only on `get` and `list`.
 */
export interface PlanStore {
  /** The plan with this ID, or null. */
  get(id: string): Promise<StoredPlan | null>;
  /** Every imported plan, by ID. */
  list(): Promise<StoredPlan[]>;
  /** The plan imported from this workspace-relative path, or null. */
  getByPath(path: string): Promise<StoredPlan | null>;
  /**
   * Stores a compiled plan (new version when the path is known), diffs it against the previous
   * version and appends `plan.imported` (and `plan.written`) in the same transaction.
   */
  save(input: SavePlanInput): Promise<SavePlanResult>;
  /** Every node with this ID, across plans. */
  findNodes(nodeId: string): Promise<PlanNodeRef[]>;
  /** Every node ID of every plan (for suggestions). */
  nodeIds(): Promise<PlanNodeRef[]>;
}
