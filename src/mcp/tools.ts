/**
 * The tools Pulser offers agents. Lean on purpose (every description costs an agent tokens):
 * twelve by default (the work loop: next, show, claim, progress, release, check_item,
 * set_status, run, run_checks, run_status, logs, request_approval), five more on request (status, report,
 * claims, plan, events; plans and reports are also resources). Read tools never write; write
 * tools follow the rules of `workspace/agents/agent-actions.ts` and `agent-runs.ts`, and no tool can
 * trust a document or approve anything.
 */
import { z } from 'zod';
import { NotFoundError } from '../errors/index.js';
import { agentCheckItem, agentSetStatus } from '../workspace/agents/agent-actions.js';
import { requestApproval } from '../workspace/agents/agent-requests.js';
import {
  agentLogs,
  agentRunTask,
  agentRunView,
  agentRuns,
} from '../workspace/agents/agent-runs.js';
import { agentNext, agentReport } from '../workspace/agents/agent-view.js';
import { verdictTable } from '../workspace/checks/verdict-table.js';
import { checkTarget } from '../workspace/checks/check.js';
import { claimTask, listClaims, releaseTask, reportProgress } from '../workspace/runs/claims.js';
import type { Workspace } from '../workspace/open.js';
import { showNode } from '../workspace/plans/show.js';
import { planStatus, statusOf } from '../workspace/plans/status.js';
import { TASK_STATUSES } from '../workspace/plans/write-back.js';
import type { RunExecutor } from './run-executor.js';

/** What a tool handler sees. */
export interface ToolContext {
  readonly ws: Workspace;
  /** The calling agent's actor, `agent:<name>`. */
  readonly agent: string;
  /** Lease of claims, in milliseconds. */
  readonly leaseMs: number;
  /** Who executes the runs the agent starts. */
  readonly runs: RunExecutor;
}

/** One tool: its MCP definition and its handler. */
export interface ToolDef {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: z.ZodRawShape;
  /** False for read tools (they never write). */
  readonly write: boolean;
  /** True when repeating the call changes nothing more. */
  readonly idempotent: boolean;
  readonly run: (ctx: ToolContext, args: Record<string, unknown>) => Promise<unknown>;
}

function tool<S extends z.ZodRawShape>(def: {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: S;
  readonly write: boolean;
  readonly idempotent?: boolean;
  readonly run: (ctx: ToolContext, args: z.output<z.ZodObject<S>>) => Promise<unknown>;
}): ToolDef {
  return {
    ...def,
    idempotent: def.idempotent ?? !def.write,
    run: (ctx, args) => def.run(ctx, args as z.output<z.ZodObject<S>>),
  };
}

const id = (what: string) =>
  z
    .string()
    .min(1)
    .max(400)
    .describe(`${what} ID (or planId:ID when several plans are imported, or a task label)`);
const note = z.string().min(1).max(4000);
const planId = z.string().min(1).max(100).describe('plan ID; omit for every plan');
const runId = z.string().min(1).max(100).describe('run ID (run-…), or a unique prefix');

/** Every tool, in the order they are listed. */
export const TOOLS: ReadonlyArray<ToolDef> = [
  tool({
    name: 'pulser_status',
    title: 'Plan status',
    description: 'Imported plans with per-phase progress (checked/total boxes, done/total tasks).',
    input: { planId: planId.optional() },
    write: false,
    run: async ({ ws }, { planId }) => {
      if (planId === undefined) return planStatus(ws);
      const stored = await ws.store.plans.get(planId);
      if (stored === null) throw new NotFoundError(`no plan ${planId}`);
      return { plans: [statusOf(stored)] };
    },
  }),
  tool({
    name: 'pulser_next',
    title: 'Ready tasks',
    description:
      'Tasks ready to start (open, dependencies done), unclaimed ones first. Claim one before working on it.',
    input: {
      planId: planId.optional(),
      includeClaimed: z.boolean().optional().describe('also list tasks other agents hold'),
      limit: z.number().int().min(0).max(500).optional().describe('default 10; 0 for all'),
    },
    write: false,
    run: async ({ ws }, args) => ({
      tasks: await agentNext(ws, {
        ...(args.planId === undefined ? {} : { planId: args.planId }),
        ...(args.includeClaimed === undefined ? {} : { includeClaimed: args.includeClaimed }),
        ...(args.limit === undefined ? {} : { limit: args.limit }),
      }),
    }),
  }),
  tool({
    name: 'pulser_show',
    title: 'Show a node',
    description:
      'One node of a plan (phase, task, checklist item, criterion, step, metric, decision) with its location and progress.',
    input: { id: id('node') },
    write: false,
    run: async ({ ws }, { id }) => showNode(ws, id),
  }),
  tool({
    name: 'pulser_report',
    title: 'Plan report',
    description: 'A short markdown report: phases with progress, ready tasks and who holds them.',
    input: { planId: planId.optional() },
    write: false,
    run: async ({ ws }, { planId }) => ({ markdown: await agentReport(ws, planId) }),
  }),
  tool({
    name: 'pulser_claims',
    title: 'Live claims',
    description: 'Tasks currently claimed by agents, with lease expiry.',
    input: {},
    write: false,
    run: async ({ ws }) => ({ claims: await listClaims(ws) }),
  }),
  tool({
    name: 'pulser_claim',
    title: 'Claim a task',
    description:
      'Claim a task so that no other agent works on it. Exactly one agent wins; the claim is a lease renewed by pulser_progress and released after it expires.',
    input: { taskId: id('task') },
    write: true,
    idempotent: true,
    run: async ({ ws, agent, leaseMs }, { taskId }) => ({
      claim: await claimTask(ws, taskId, agent, { leaseMs }),
    }),
  }),
  tool({
    name: 'pulser_progress',
    title: 'Report progress',
    description: 'Record a progress note or result on a task you hold; renews your claim lease.',
    input: { taskId: id('task'), note: note.describe('what was done, found or decided') },
    write: true,
    run: async ({ ws, agent, leaseMs }, { taskId, note }) => ({
      claim: await reportProgress(ws, taskId, agent, note, { leaseMs }),
    }),
  }),
  tool({
    name: 'pulser_release',
    title: 'Release a task',
    description:
      'Give up your claim on a task (with an optional note on why or where you stopped).',
    input: { taskId: id('task'), note: note.optional() },
    write: true,
    run: async ({ ws, agent }, { taskId, note }) => ({
      released: await releaseTask(ws, taskId, agent, note),
    }),
  }),
  tool({
    name: 'pulser_check_item',
    title: 'Check a checklist item',
    description:
      "Check (or uncheck) a checklist item in the plan's markdown file. Criteria cannot be checked by agents.",
    input: {
      itemId: id('checklist item'),
      checked: z.boolean().optional().describe('default true'),
    },
    write: true,
    idempotent: true,
    run: async ({ ws, agent }, { itemId, checked }) =>
      agentCheckItem(ws, itemId, checked ?? true, agent),
  }),
  tool({
    name: 'pulser_set_status',
    title: 'Set a status',
    description:
      "Set a task's or phase's status in the plan's markdown file. 'done' is refused while the gate fails (unchecked or failing criteria) and releases your claim.",
    input: {
      id: id('task or phase'),
      status: z.enum(TASK_STATUSES as [string, ...string[]]),
    },
    write: true,
    idempotent: true,
    run: async ({ ws, agent }, args) =>
      agentSetStatus(ws, args.id, args.status as (typeof TASK_STATUSES)[number], agent),
  }),
  tool({
    name: 'pulser_run',
    title: "Run a task's steps",
    description:
      "Run the steps (shell and mcp code blocks) of a task you hold through Pulser's durable runtime, as yourself. Steps of a plan no person trusted wait for a person, who trusts the plan or approves them (you cannot); the answer says who must do what. Waits up to waitSeconds for the run to end.",
    input: {
      taskId: id('task'),
      waitSeconds: z
        .number()
        .int()
        .min(0)
        .max(50)
        .optional()
        .describe('wait this long for the run to end or need a person; default 20'),
    },
    write: true,
    run: async ({ ws, agent, runs }, { taskId, waitSeconds }) => ({
      ...(await agentRunTask(ws, taskId, agent, {
        waitMs: (waitSeconds ?? 20) * 1000,
        onStarted: (id) => runs.track(ws, id),
      })),
      executedBy: runs.inProcess ? 'this MCP server' : 'pulser worker (start one if none runs)',
    }),
  }),
  tool({
    name: 'pulser_run_status',
    title: 'Run status',
    description:
      "A run's steps and states, what waits for a person, and the output's tail once it ended; without runId, your recent runs.",
    input: { runId: runId.optional() },
    write: false,
    run: async ({ ws, agent }, { runId }) =>
      runId === undefined ? { runs: await agentRuns(ws, agent) } : agentRunView(ws, runId),
  }),
  tool({
    name: 'pulser_run_checks',
    title: 'Run checks',
    description:
      "Run the verifiers of a task's or phase's criteria and decide the phase's gate, as yourself, and record the verdicts; returns the verdict table. Commands run only under the plan's trust rules (you cannot trust); manual criteria need a person's signoff (ask with pulser_request_approval). Run it before marking a task or phase done.",
    input: { id: id('task or phase') },
    write: true,
    idempotent: true,
    run: async ({ ws, agent }, { id }) => verdictTable(await checkTarget(ws, id, { actor: agent })),
  }),
  tool({
    name: 'pulser_logs',
    title: 'Run logs',
    description:
      "Output lines of a run's steps (stdout, stderr), oldest first; page with after = the answer's next.",
    input: {
      runId,
      stepId: z.string().min(1).max(120).optional().describe('only this step (RUN.N)'),
      after: z.number().int().min(0).optional().describe('only lines after this seq'),
      limit: z.number().int().min(1).max(2000).optional().describe('default 200'),
    },
    write: false,
    run: async ({ ws }, args) =>
      agentLogs(ws, args.runId, {
        ...(args.stepId === undefined ? {} : { stepId: args.stepId }),
        ...(args.after === undefined ? {} : { after: args.after }),
        ...(args.limit === undefined ? {} : { limit: args.limit }),
      }),
  }),
  tool({
    name: 'pulser_request_approval',
    title: 'Ask a person',
    description:
      'Ask a person, with a reason, to approve a step waiting for approval, resolve a quarantined step, or sign off a criterion or task. It appears in their inbox; it approves nothing by itself.',
    input: {
      id: z
        .string()
        .min(1)
        .max(400)
        .describe('a step (RUN.N) or run waiting for a person, or a criterion or task ID'),
      reason: note.describe('what the person should look at, and why it is needed'),
    },
    write: true,
    idempotent: true,
    run: async ({ ws, agent }, { id, reason }) => requestApproval(ws, id, agent, reason),
  }),
  tool({
    name: 'pulser_plan',
    title: 'Whole plan',
    description: 'The whole compiled plan (Pulser IR JSON). Large; prefer pulser_show.',
    input: { planId: z.string().min(1).max(100) },
    write: false,
    run: async ({ ws }, { planId }) => {
      const stored = await ws.store.plans.get(planId);
      if (stored === null) throw new NotFoundError(`no plan ${planId}`);
      return stored;
    },
  }),
  tool({
    name: 'pulser_events',
    title: 'Recent events',
    description: "The workspace's event log (newest last), optionally about one plan or task.",
    input: {
      subject: z
        .string()
        .max(400)
        .optional()
        .describe('a plan ID, or planId:taskId for task events'),
      after: z.number().int().min(0).optional().describe('only events after this seq'),
      limit: z.number().int().min(1).max(500).optional().describe('default 50'),
    },
    write: false,
    run: async ({ ws }, args) => {
      const limit = args.limit ?? 50;
      const subject = args.subject === undefined ? {} : { subject: args.subject };
      if (args.after !== undefined) {
        return { events: await ws.store.events.read({ after: args.after, limit, ...subject }) };
      }
      const all = await ws.store.events.read({ limit: 1_000_000, ...subject });
      return { events: all.slice(-limit) };
    },
  }),
];

const OPT_IN: ReadonlySet<string> = new Set([
  'pulser_status',
  'pulser_report',
  'pulser_claims',
  'pulser_plan',
  'pulser_events',
]);

/** Names of the tools offered when nothing is chosen: the work loop, without the overviews. */
export const DEFAULT_TOOLS: ReadonlyArray<string> = TOOLS.map((t) => t.name).filter(
  (n) => !OPT_IN.has(n),
);
