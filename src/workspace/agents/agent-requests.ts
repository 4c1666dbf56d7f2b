/**
 * Approval requests: an agent asks a person, with a reason, to approve a waiting step, resolve
 * a quarantined one, or sign off a criterion or task. A request is an `approval.requested` event
 * (it grants nothing); it is open while its subject still waits for a person (a criterion: until
 * it is checked or signed off), and open requests
 * appear in the runtime inbox.
 */
import { NotFoundError, StateError, UsageError } from '../../errors/index.js';
import type { StoredEvent } from '../../store/events.js';
import type { RunRecord, StepRecord } from '../../store/run-store.js';
import type { Workspace } from '../open.js';
import { taskState } from '../progress.js';
import { resolveNode } from '../resolve.js';

/** What a request is about. */
export type RequestSubject =
  | { readonly kind: 'step'; readonly id: string; readonly runId: string }
  | { readonly kind: 'run'; readonly id: string }
  | {
      readonly kind: 'node';
      readonly id: string;
      readonly planId: string;
      readonly nodeKind: string;
    };

/** A request for a person, as recorded. */
export interface ApprovalRequest {
  /** The event's seq: the request's ID. */
  readonly seq: number;
  readonly at: string;
  /** Who asks (`agent:<name>`). */
  readonly requestedBy: string;
  readonly subject: RequestSubject;
  /** The subject's title. */
  readonly title: string;
  readonly reason: string;
}

/** The event type of a request. */
export const APPROVAL_REQUESTED = 'approval.requested';

const REASON_MAX = 2000;

async function subjectOf(
  ws: Workspace,
  ref: string,
): Promise<{ subject: RequestSubject; title: string; key: string }> {
  const id = ref.trim();
  const step = await ws.store.runs.getStep(id);
  if (step !== null) {
    return {
      subject: { kind: 'step', id: step.id, runId: step.runId },
      title: step.title,
      key: step.id,
    };
  }
  const run = await ws.store.runs.getRun(id);
  if (run !== null) return { subject: { kind: 'run', id: run.id }, title: run.title, key: run.id };
  try {
    const { stored, node } = await resolveNode(ws, id);
    const nodeId = node.kind === 'plan' ? stored.id : node.id;
    const title = 'title' in node ? node.title : 'text' in node ? node.text : nodeId;
    return {
      subject: { kind: 'node', id: nodeId, planId: stored.id, nodeKind: node.kind },
      title,
      key: `${stored.id}:${nodeId}`,
    };
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new NotFoundError(`no step, run or plan node with ID ${id}`, {
        hint: 'name a step (RUN.N) or run waiting for a person, or a task or criterion to sign off',
      });
    }
    throw error;
  }
}

function stepWaits(step: StepRecord | null): boolean {
  return step !== null && (step.state === 'awaiting_approval' || step.state === 'quarantined');
}

function runWaits(run: RunRecord | null): boolean {
  return (
    run !== null &&
    run.finishedAt === null &&
    run.counts.awaiting_approval + run.counts.quarantined > 0
  );
}

/** Whether the subject of a request still waits for a person. */
async function isOpen(ws: Workspace, subject: RequestSubject): Promise<boolean> {
  switch (subject.kind) {
    case 'step':
      return stepWaits(await ws.store.runs.getStep(subject.id));
    case 'run':
      return runWaits(await ws.store.runs.getRun(subject.id));
    case 'node': {
      let node;
      try {
        node = (await resolveNode(ws, `${subject.planId}:${subject.id}`)).node;
      } catch {
        return false;
      }
      if (node.kind === 'criterion') {
        return node.checked !== true && !(await signedOff(ws, subject.planId, node.id));
      }
      if (node.kind === 'item') return node.checked !== true;
      if (node.kind === 'task') return taskState(node) !== 'done';
      if (node.kind === 'phase') return node.status !== 'done';
      return true;
    }
    default: {
      const never: never = subject;
      throw new Error(`unknown subject ${JSON.stringify(never)}`);
    }
  }
}

/** True when the latest signoff of the criterion passes it. */
async function signedOff(ws: Workspace, planId: string, criterion: string): Promise<boolean> {
  const events = await ws.store.events.read({
    types: ['criterion.signed_off'],
    subject: criterion,
    limit: 100_000,
  });
  const last = events.findLast((e) => (e.data as { planId?: string }).planId === planId);
  return (last?.data as { verdict?: string } | undefined)?.verdict === 'pass';
}

function fromEvent(e: StoredEvent): ApprovalRequest {
  const d = e.data as Omit<ApprovalRequest, 'seq' | 'at' | 'requestedBy'>;
  return {
    seq: e.seq,
    at: e.ts,
    requestedBy: e.actor,
    subject: d.subject,
    title: d.title,
    reason: d.reason,
  };
}

/**
 * Requests still open (their subject waits for a person), oldest first; one per subject and
 * requester (the latest).
 */
export async function openApprovalRequests(ws: Workspace, limit = 200): Promise<ApprovalRequest[]> {
  const events = await ws.store.events.read({ types: [APPROVAL_REQUESTED], limit: 100_000 });
  const latest = new Map<string, ApprovalRequest>();
  for (const e of events) {
    const r = fromEvent(e);
    latest.set(`${r.requestedBy}\u0000${e.subject ?? ''}`, r);
  }
  const out: ApprovalRequest[] = [];
  for (const r of [...latest.values()].sort((a, b) => a.seq - b.seq)) {
    if (await isOpen(ws, r.subject)) out.push(r);
  }
  return out.slice(-limit);
}

/**
 * Records `actor`'s request that a person look at `ref` (a step or run waiting for a person,
 * or a plan node to sign off), with `reason`. Grants nothing. Refused when the subject does not
 * wait for a person; asking again about the same open subject returns the existing request
 * (`created: false`).
 *
 * @example
 * await requestApproval(ws, 'run-1a2b3c4d.1', 'agent:claude', 'runs the test suite; needed for task 1.2');
 */
export async function requestApproval(
  ws: Workspace,
  ref: string,
  actor: string,
  reason: string,
): Promise<{ request: ApprovalRequest; created: boolean }> {
  const why = reason.trim();
  if (why === '' || why.length > REASON_MAX) {
    throw new UsageError(`give a reason of 1 to ${REASON_MAX} characters`, {
      hint: 'say what the person should approve and why it is needed',
    });
  }
  const { subject, title, key } = await subjectOf(ws, ref);
  if (!(await isOpen(ws, subject))) {
    throw new StateError(`${key} (${title}) does not wait for a person`, {
      hint:
        subject.kind === 'node'
          ? 'it is already checked or done'
          : 'only a step awaiting approval or quarantined (or a run holding one) needs a person',
    });
  }
  const existing = (await openApprovalRequests(ws, 100_000)).find(
    (r) => r.requestedBy === actor && subjectKey(r.subject) === key,
  );
  if (existing !== undefined) return { request: existing, created: false };
  const e = await ws.store.events.append({
    type: APPROVAL_REQUESTED,
    actor,
    subject: key,
    data: { subject, title, reason: why },
  });
  return { request: fromEvent(e), created: true };
}

function subjectKey(s: RequestSubject): string {
  return s.kind === 'node' ? `${s.planId}:${s.id}` : s.id;
}
