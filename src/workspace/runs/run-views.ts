/**
 * Read models of the runtime for the Runboard and the JSON API: runs and steps as shown to any
 * reader (environment values withheld), the targets a run can be started on, a run's
 * artifacts, one artifact's stored file and content type, and the whole inbox. They call the
 * runtime's library functions; the routes only authorize, validate and serialize.
 */
import { existsSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { NotFoundError } from '../../errors/index.js';
import type { Phase, Plan, Task } from '../../ir/schema.js';
import { planRunSteps } from '../../engine/plan-steps.js';
import type { RunRecord, StepRecord, StepSpec } from '../../store/run-store.js';
import { failingGates, type FailingGate } from '../gates/gate-views.js';
import type { Workspace } from '../open.js';
import { runtimeInbox, type RuntimeInbox } from './run-inbox.js';
import { artifactPath, getRun, type RunWithSteps } from './runs.js';

/** A step as any reader sees it: the spec's environment values are withheld. */
export type StepView = StepRecord;

/** A run with its steps as any reader sees it. */
export interface RunView extends RunRecord {
  readonly steps: ReadonlyArray<StepView>;
  /** Files the run's steps stored, newest last. */
  readonly artifacts: ReadonlyArray<ArtifactRef>;
}

/** A file a step stored (content-addressed by SHA-256). */
export interface ArtifactRef {
  readonly stepId: string;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

function redactSpec(spec: StepSpec): StepSpec {
  const env =
    spec.env === undefined
      ? undefined
      : Object.fromEntries(Object.keys(spec.env).map((k) => [k, '(hidden)']));
  const fallback = spec.fallback === undefined ? undefined : redactSpec(spec.fallback);
  return {
    ...spec,
    ...(env === undefined ? {} : { env }),
    ...(fallback === undefined ? {} : { fallback }),
  };
}

/** The step as shown to readers: environment values (possible secrets) are replaced. */
export function stepView(step: StepRecord): StepView {
  return step.spec.env === undefined && step.spec.fallback === undefined
    ? step
    : { ...step, spec: redactSpec(step.spec) };
}

/** Every `step.artifact` event's data, in order (read by type: artifacts are few). */
async function artifactEvents(ws: Workspace): Promise<ArtifactRef[]> {
  const out: ArtifactRef[] = [];
  let after = 0;
  for (;;) {
    const events = await ws.store.events.read({ types: ['step.artifact'], after, limit: 1000 });
    for (const e of events) {
      const d = e.data as ArtifactRef & { runId?: string };
      out.push({ stepId: d.stepId, path: d.path, sha256: d.sha256, bytes: d.bytes });
    }
    if (events.length < 1000) return out;
    after = events.at(-1)!.seq;
  }
}

/** The files stored by the steps of a run. */
export async function runArtifacts(ws: Workspace, runId: string): Promise<ArtifactRef[]> {
  return (await artifactEvents(ws)).filter((a) => a.stepId.startsWith(`${runId}.`));
}

/** A run (ID or unique prefix) with its steps and artifacts, as shown to readers. */
export async function runView(ws: Workspace, id: string): Promise<RunView> {
  const run: RunWithSteps = await getRun(ws, id);
  return { ...run, steps: run.steps.map(stepView), artifacts: await runArtifacts(ws, run.id) };
}

/** Something a run can be started on: a plan, a phase or a task that holds steps. */
export interface RunTargetOption {
  /** What to pass as `target` to start a run: `planId` or `planId:nodeId`. */
  readonly ref: string;
  readonly planId: string;
  readonly nodeId: string;
  readonly kind: 'plan' | 'phase' | 'task';
  readonly title: string;
  /** Steps a run of it would hold. */
  readonly steps: number;
  /** A task it depends on that is neither done nor in such a run (the run would be refused). */
  readonly unmet: string | null;
}

function option(
  planId: string,
  sha256: string,
  plan: Plan,
  node: Plan | Phase | Task,
): RunTargetOption | null {
  let steps = 0;
  let unmet: string | null = null;
  try {
    const planned = planRunSteps(plan, planId, sha256, node, 'main');
    steps = planned.steps.length;
    unmet = planned.unmet[0]?.dependsOn ?? null;
  } catch {
    return null; // a dependency cycle: `startRun` explains it when asked
  }
  if (steps === 0) return null;
  const kind = node.kind;
  return {
    ref: kind === 'plan' ? planId : `${planId}:${node.id}`,
    planId,
    nodeId: kind === 'plan' ? planId : node.id,
    kind,
    title: node.title,
    steps,
    unmet,
  };
}

/** Every plan, phase and task that a run can be started on (those holding steps), by plan. */
export async function runTargets(ws: Workspace, planId?: string): Promise<RunTargetOption[]> {
  const out: RunTargetOption[] = [];
  for (const stored of await ws.store.plans.list()) {
    if (planId !== undefined && stored.id !== planId) continue;
    const { plan, id, sha256 } = stored;
    const nodes: Array<Plan | Phase | Task> = [plan, ...plan.tasks];
    for (const phase of plan.phases) nodes.push(phase, ...phase.tasks);
    for (const node of nodes) {
      const o = option(id, sha256, plan, node);
      if (o !== null) out.push(o);
    }
  }
  return out;
}

const INLINE_TYPES: Readonly<Record<string, string>> = {
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
};

const DOWNLOAD_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.xml': 'application/xml',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
  '.tar': 'application/x-tar',
};

/** A stored artifact: where its bytes are and how to serve them. */
export interface ArtifactFile {
  readonly sha256: string;
  /** Absolute path of the stored file (inside `.pulser/artifacts`). */
  readonly file: string;
  readonly bytes: number;
  /** The path the step declared, when an event names it. */
  readonly name: string | null;
  readonly contentType: string;
  /** False for types a browser would render actively (HTML, SVG) or does not know: download them. */
  readonly inline: boolean;
}

/** Content type of an artifact named `name`, and whether a browser may show it inline. */
export function artifactType(name: string | null): { contentType: string; inline: boolean } {
  const ext = name === null ? '' : extname(name).toLowerCase();
  const inline = INLINE_TYPES[ext];
  if (inline !== undefined) return { contentType: inline, inline: true };
  return { contentType: DOWNLOAD_TYPES[ext] ?? 'application/octet-stream', inline: false };
}

async function artifactName(ws: Workspace, sha256: string): Promise<string | null> {
  return (await artifactEvents(ws)).findLast((a) => a.sha256 === sha256)?.path ?? null;
}

/**
 * The stored artifact with this SHA-256 (64 lowercase hex digits; anything else is a usage
 * error, so no path can be named), with its content type; NotFoundError when absent.
 */
export async function artifactFile(ws: Workspace, sha256: string): Promise<ArtifactFile> {
  const file = artifactPath(ws, sha256);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new NotFoundError(`no artifact ${sha256}`, {
      hint: 'artifacts are listed with their run (GET /runs/:id)',
    });
  }
  const name = await artifactName(ws, sha256);
  return { sha256, file, bytes: statSync(file).size, name, ...artifactType(name) };
}

/** A step waiting for a person, with its run's title. */
export interface InboxStep extends StepView {
  readonly runTitle: string;
}

/** Everything that waits for a person: the runtime's inbox plus failing gates. */
export interface Inbox extends Omit<RuntimeInbox, 'approvals' | 'quarantined'> {
  readonly approvals: ReadonlyArray<InboxStep>;
  readonly quarantined: ReadonlyArray<InboxStep>;
  /** Gates of phases not done whose latest decision does not pass, with what blocks them. */
  readonly failingGates: ReadonlyArray<FailingGate>;
}

/** The inbox: approvals, quarantined steps, untrusted plans, agents' requests and failing gates. */
export async function inbox(ws: Workspace): Promise<Inbox> {
  const runtime = await runtimeInbox(ws);
  const titles = new Map<string, string>();
  const withRun = async (s: StepRecord): Promise<InboxStep> => {
    if (!titles.has(s.runId)) {
      titles.set(s.runId, (await ws.store.runs.getRun(s.runId))?.title ?? s.runId);
    }
    return { ...stepView(s), runTitle: titles.get(s.runId)! };
  };
  const approvals: InboxStep[] = [];
  for (const s of runtime.approvals) approvals.push(await withRun(s));
  const quarantined: InboxStep[] = [];
  for (const s of runtime.quarantined) quarantined.push(await withRun(s));
  return { ...runtime, approvals, quarantined, failingGates: await failingGates(ws) };
}
