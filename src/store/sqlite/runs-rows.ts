/**
 * Rows of the runtime tables and their conversion to the store's records.
 */
import type {
  ApprovalReason,
  RunRecord,
  RunStatus,
  RunTarget,
  SessionRecord,
  StepAuthority,
  StepRecord,
  StepSpec,
  StepState,
  StepTool,
  TrustGrant,
  TrustItem,
} from '../run-store.js';
import { STEP_STATES } from '../run-store.js';
import { parseStored } from './database.js';

/** A `runs` row. */
export interface RunRow {
  id: string;
  num: number;
  session_id: string;
  title: string;
  intent: string | null;
  lane: string;
  target: string | null;
  status: RunStatus;
  requested_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  open_steps: number;
  waiting_steps: number;
}

/** A `run_steps` row. */
export interface StepRow {
  id: string;
  run_id: string;
  ord: number;
  title: string;
  tool: StepTool;
  lane: string;
  spec: string;
  digest: string;
  plan_id: string | null;
  node_id: string | null;
  authority: StepAuthority;
  approval_reason: ApprovalReason | null;
  fallback_of: string | null;
  recovered_by: string | null;
  state: StepState;
  blocked: number;
  attempts: number;
  retries: number;
  max_retries: number;
  lease_losses: number;
  run_at: number;
  fence: number;
  lease_owner: string | null;
  lease_expires: number | null;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

/** A `run_sessions` row with its run count. */
export interface SessionRow {
  id: string;
  title: string;
  created_by: string;
  created_at: string;
  archived_at: string | null;
  runs: number;
}

/** A `trust_grants` row. */
export interface GrantRow {
  id: number;
  plan_id: string;
  path: string;
  sha256: string;
  granted_by: string;
  granted_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** Steps in each state, all zero. */
export function zeroCounts(): Record<StepState, number> {
  return Object.fromEntries(STEP_STATES.map((s) => [s, 0])) as Record<StepState, number>;
}

/**
 * A run record from its row and its per-state step counts. A run that ended without a failure
 * but with a skipped step is stored `succeeded` (the column's constraint) and read `skipped`.
 */
export function runFromRow(
  row: RunRow,
  counts: Record<StepState, number>,
  ready: number,
): RunRecord {
  return {
    id: row.id,
    title: row.title,
    intent: row.intent,
    status: row.status === 'succeeded' && counts.skipped > 0 ? 'skipped' : row.status,
    lane: row.lane,
    sessionId: row.session_id,
    target:
      row.target === null ? null : parseStored<RunTarget>('runs', row.id, 'target', row.target),
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    counts,
    ready,
  };
}

/** A step record from its row and the IDs it waits for. */
export function stepFromRow(row: StepRow, after: ReadonlyArray<string>): StepRecord {
  return {
    id: row.id,
    runId: row.run_id,
    ord: row.ord,
    title: row.title,
    state: row.state,
    tool: row.tool,
    lane: row.lane,
    attempts: row.attempts,
    retries: row.retries,
    maxRetries: row.max_retries,
    leaseLosses: row.lease_losses,
    digest: row.digest,
    authority: row.authority,
    approvalReason: row.approval_reason,
    planId: row.plan_id,
    nodeId: row.node_id,
    after,
    blocked: row.blocked,
    fallbackOf: row.fallback_of,
    recoveredBy: row.recovered_by,
    runAt: row.run_at,
    fence: row.fence,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires,
    exitCode: row.exit_code,
    signal: row.signal,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    spec: parseStored<StepSpec>('run_steps', row.id, 'spec', row.spec),
  };
}

/** A session record from its row. */
export function sessionFromRow(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    title: row.title,
    archived: row.archived_at !== null,
    createdAt: row.created_at,
    createdBy: row.created_by,
    runs: row.runs,
  };
}

/** A trust grant from its row and items. */
export function grantFromRow(row: GrantRow, items: ReadonlyArray<TrustItem>): TrustGrant {
  return {
    id: row.id,
    planId: row.plan_id,
    path: row.path,
    sha256: row.sha256,
    grantedBy: row.granted_by,
    grantedAt: row.granted_at,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    items,
  };
}
