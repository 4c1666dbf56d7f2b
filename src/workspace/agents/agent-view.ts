/**
 * What an agent reads: ready tasks with who holds them, and a plan report in markdown. Reads
 * only; an expired claim reads as free without being written.
 */
import { NotFoundError } from '../../errors/index.js';
import type { TaskClaim } from '../../store/claim-store.js';
import type { Workspace } from '../open.js';
import {
  nextTasks,
  planStatus,
  statusOf,
  type PlanStatusEntry,
  type ReadyTask,
} from '../plans/status.js';

/** A ready task and the live claim on it, if any. */
export interface AgentTask extends ReadyTask {
  readonly claim: { readonly agent: string; readonly expiresAt: string } | null;
}

/** Options of {@link agentNext}. */
export interface AgentNextOptions {
  /** Only tasks of this plan. */
  readonly planId?: string;
  /** Also list tasks another agent holds. @default false */
  readonly includeClaimed?: boolean;
  /** At most this many (0: all). @default 10 */
  readonly limit?: number;
}

function claimKey(planId: string, taskId: string): string {
  return `${planId}\u0000${taskId}`;
}

async function claimMap(ws: Workspace): Promise<Map<string, TaskClaim>> {
  const claims = await ws.store.claims.list();
  return new Map(claims.map((c) => [claimKey(c.planId, c.taskId), c]));
}

/**
 * Tasks ready to start (as `pulser next`), with their claims; unclaimed ones only unless asked.
 *
 * @example
 * const [task] = await agentNext(ws, { limit: 1 });
 */
export async function agentNext(
  ws: Workspace,
  options: AgentNextOptions = {},
): Promise<AgentTask[]> {
  const claims = await claimMap(ws);
  const limit = options.limit ?? 10;
  const out: AgentTask[] = [];
  for (const t of await nextTasks(ws)) {
    if (options.planId !== undefined && t.planId !== options.planId) continue;
    const c = claims.get(claimKey(t.planId, t.id));
    if (c !== undefined && options.includeClaimed !== true) continue;
    out.push({ ...t, claim: c === undefined ? null : { agent: c.agent, expiresAt: c.expiresAt } });
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

function pct(done: number, total: number): string {
  return total === 0 ? '-' : `${Math.round((100 * done) / total)}%`;
}

function planSection(p: PlanStatusEntry, ready: ReadonlyArray<AgentTask>): string[] {
  const lines = [`# ${p.title}`, '', `Plan \`${p.id}\` from \`${p.path}\`, version ${p.version}.`];
  lines.push(
    '',
    '| phase | status | boxes | tasks | progress |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const ph of p.phases) {
    const { checkboxes: b, tasks: t } = ph;
    const [done, total] = b.total > 0 ? [b.checked, b.total] : [t.done, t.total];
    lines.push(
      `| \`${ph.id}\` ${ph.title.replace(/\|/gu, '\\|')} | ${ph.status} | ${b.checked}/${b.total} | ${t.done}/${t.total} | ${pct(done, total)} |`,
    );
  }
  const t = p.totals;
  lines.push(
    `| **total** | | ${t.checkboxes.checked}/${t.checkboxes.total} | ${t.tasks.done}/${t.tasks.total} | ${pct(t.checkboxes.total > 0 ? t.checkboxes.checked : t.tasks.done, t.checkboxes.total > 0 ? t.checkboxes.total : t.tasks.total)} |`,
  );
  lines.push('', '## Ready tasks', '');
  if (ready.length === 0) lines.push('None: everything is done, blocked, deferred or waiting.');
  for (const r of ready) {
    const who =
      r.claim === null ? 'unclaimed' : `claimed by ${r.claim.agent} until ${r.claim.expiresAt}`;
    lines.push(`- \`${r.id}\` ${r.title} (${r.status}; ${who})`);
  }
  return lines;
}

/**
 * A markdown report of one plan (or every plan): phases with progress, ready tasks and claims.
 *
 * @example
 * const md = await agentReport(ws, 'next-steps');
 */
export async function agentReport(ws: Workspace, planId?: string): Promise<string> {
  let entries: ReadonlyArray<PlanStatusEntry>;
  if (planId === undefined) entries = (await planStatus(ws)).plans;
  else {
    const stored = await ws.store.plans.get(planId);
    if (stored === null) {
      throw new NotFoundError(`no plan ${planId}`, { hint: 'list plans with pulser_status' });
    }
    entries = [statusOf(stored)];
  }
  if (entries.length === 0) return 'No plan has been imported yet (`pulser import PLAN.md`).\n';
  const ready = await agentNext(ws, { includeClaimed: true, limit: 0 });
  const sections = entries.map((p) =>
    planSection(
      p,
      ready.filter((r) => r.planId === p.id),
    ).join('\n'),
  );
  return `${sections.join('\n\n')}\n`;
}
