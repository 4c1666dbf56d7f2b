/**
 * The runtime's part of the inbox: steps waiting for an approval, quarantined steps, plans
 * whose current version holds commands nobody trusted yet, and agents' open approval requests.
 */
import type { StepRecord } from '../../store/run-store.js';
import { openApprovalRequests, type ApprovalRequest } from '../agents/agent-requests.js';
import type { Workspace } from '../open.js';
import { trustStatus, type PlanTrust } from '../access/trust.js';

/** What waits for a person in the runtime. */
export interface RuntimeInbox {
  readonly approvals: ReadonlyArray<StepRecord>;
  readonly quarantined: ReadonlyArray<StepRecord>;
  /** Plans with untrusted (or changed) commands, with those commands. */
  readonly untrusted: ReadonlyArray<PlanTrust>;
  /** Agents' requests (`pulser_request_approval`) whose subject still waits for a person. */
  readonly requests: ReadonlyArray<ApprovalRequest>;
}

/** Everything in the runtime that waits for a person. */
export async function runtimeInbox(ws: Workspace): Promise<RuntimeInbox> {
  const waiting = await ws.store.runs.stepsInState(['awaiting_approval', 'quarantined'], 500);
  const plans = await trustStatus(ws);
  return {
    approvals: waiting.filter((s) => s.state === 'awaiting_approval'),
    quarantined: waiting.filter((s) => s.state === 'quarantined'),
    untrusted: plans
      .filter((p) => p.status === 'none' || p.status === 'partial')
      .map((p) => ({ ...p, executables: p.executables.filter((e) => e.trust !== 'trusted') })),
    requests: await openApprovalRequests(ws),
  };
}
