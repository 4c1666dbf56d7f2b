/**
 * Command verifiers through the durable runtime. `check` runs them as ad-hoc shell steps of one
 * run (`check <criterion>`), under the same trust rules as plan steps: each step carries its
 * provenance (plan, plan SHA-256, criterion ID) and runs only when a trust grant covers its
 * (plan, criterion, command digest), or when a person approved that execution. Until then it
 * waits in `awaiting_approval` and its verdict is `not_run`.
 *
 * A later check picks up what a person did meanwhile: a step still waiting (or approved and
 * queued) is waited for instead of starting another, and an approved execution that finished
 * is judged once. Waiting steps of an older version of a command are cancelled.
 */
import { dirname } from 'node:path';
import { commandDigest, type Verifier } from '../../ir/index.js';
import type { StepRecord, StepSpec } from '../../store/run-store.js';
import type { StoredEvent } from '../../store/events.js';
import { sha256Hex } from '../../util/hash.js';
import {
  evaluateExecution,
  parsePrintedMetrics,
  type CommandOutcome,
  type Measurement,
} from '../../verify/index.js';
import { personOf, type MetricRecordedData } from './check-observe.js';
import type { Workspace } from '../open.js';
import { cliActor } from '../plan-file.js';
import { startWorker } from '../runs/run-worker.js';
import { listRuns, startRun, waitForRun, type AdHocStep } from '../runs/runs.js';
import { shellCommand } from '../../util/shell-quote.js';

/** The intent of the runs `check` starts (how later checks find their steps). */
export const CHECK_INTENT = 'pulser check: command verifiers';

/** A command verifier to run: what the runtime needs to run it under the plan's trust rules. */
export interface CommandVerifierSpec {
  readonly planId: string;
  /** SHA-256 of the plan document the command comes from (trust binds to it). */
  readonly planSha: string;
  readonly path: string;
  readonly criterionId: string;
  readonly phaseId: string | null;
  /** The metric the criterion states a target for (`{"value": N}` output records it). */
  readonly metric: string | null;
  readonly verifier: Extract<Verifier, { kind: 'command' }>;
  /** Where the binding was written (`plan.md:12`, `pulser.verifiers.json`). */
  readonly where: string;
}

/** A metric value a command verifier printed, as recorded (`metric.recorded`). */
export interface PrintedMeasurement {
  readonly metric: string;
  readonly measurement: Measurement;
}

/** A command verifier's outcome, with the metric values it printed. */
export interface CommandRunOutcome extends CommandOutcome {
  readonly measured?: ReadonlyArray<PrintedMeasurement>;
}

/** Options of {@link executeCommandVerifiers}. */
export interface CommandRunOptions {
  /** Who asks (the run's `requestedBy`). @default the CLI user */
  readonly actor?: string;
  /** Execute with a worker in this process; false waits for another worker. @default true */
  readonly worker?: boolean;
  /** Kill a verifier's process group after this long. @default 600000 (10 minutes) */
  readonly timeoutMs?: number;
  /** Step IDs whose results were already judged (an approved execution counts once). */
  readonly judged?: ReadonlySet<string>;
  /** Stop waiting (steps not finished are `not_run`). */
  readonly signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 600_000;
const PENDING = new Set(['queued', 'leased', 'running', 'awaiting_approval']);
const ENDED = new Set(['succeeded', 'failed', 'timed_out']);

/** The digest of a verifier's check step (as `stepOf` builds it: shell, no fence language). */
function verifierDigest(command: string): string {
  return commandDigest('shell', undefined, command);
}

function stepOf(spec: CommandVerifierSpec, timeoutMs: number): AdHocStep {
  const cwd = dirname(spec.path);
  const step: StepSpec = {
    title: `check ${spec.criterionId}`,
    tool: 'shell',
    input: spec.verifier.command,
    ...(cwd === '.' ? {} : { cwd }),
    timeoutMs,
    // A failing verifier is a verdict, not a step for a person to resolve.
    retry: { maxRetries: 0 },
    quarantine: false,
    provenance: { planId: spec.planId, planSha256: spec.planSha, nodeId: spec.criterionId },
  };
  return step;
}

/** Earlier check steps for these specs: pending ones to wait for, approved ones to judge. */
async function earlierSteps(
  ws: Workspace,
  specs: ReadonlyArray<CommandVerifierSpec>,
  judged: ReadonlySet<string>,
): Promise<{ reuse: Map<number, StepRecord>; obsolete: StepRecord[] }> {
  const reuse = new Map<number, StepRecord>();
  const obsolete: StepRecord[] = [];
  const runs = (await listRuns(ws, { q: CHECK_INTENT, limit: 200 })).filter(
    (r) => r.intent === CHECK_INTENT,
  );
  const wanted = new Map(specs.map((s, i) => [`${s.planId}\n${s.criterionId}`, i]));
  for (const run of runs) {
    // Newest runs first: the first usable step of a criterion wins.
    const open = run.finishedAt === null;
    const approved = run.counts.succeeded + run.counts.failed + run.counts.timed_out > 0;
    if (!open && !approved) continue;
    for (const step of await ws.store.runs.listSteps(run.id)) {
      const p = step.spec.provenance;
      if (p === undefined || step.tool !== 'shell') continue;
      const i = wanted.get(`${p.planId}\n${p.nodeId}`);
      if (i === undefined) continue;
      const spec = specs[i]!;
      const same =
        p.planSha256 === spec.planSha && step.digest === verifierDigest(spec.verifier.command);
      if (!same) {
        if (step.state === 'awaiting_approval') obsolete.push(step);
        continue;
      }
      if (reuse.has(i)) continue;
      const usable =
        PENDING.has(step.state) ||
        (ENDED.has(step.state) && step.authority === 'approved' && !judged.has(step.id));
      if (usable) reuse.set(i, step);
    }
  }
  return { reuse, obsolete };
}

interface Execution {
  readonly output: string;
  readonly stdout: string;
  readonly actor: string;
  readonly at: string;
}

/** The output of a step's last execution and who ran it, from the run's events. */
function executionOf(events: ReadonlyArray<StoredEvent>, stepId: string): Execution {
  let output = '';
  let stdout = '';
  let actor = 'worker';
  let at = '';
  for (const e of events) {
    if (e.subject !== stepId) continue;
    if (e.type === 'step.started') {
      output = '';
      stdout = '';
    } else if (e.type === 'step.output') {
      const d = e.data as { stream: string; text: string };
      output += d.text;
      if (d.stream === 'stdout') stdout += d.text;
    } else if (
      e.type === 'step.succeeded' ||
      e.type === 'step.failed' ||
      e.type === 'step.timed_out'
    ) {
      actor = e.actor;
      at = e.ts;
    }
  }
  return { output, stdout, actor, at };
}

async function readEvents(ws: Workspace, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (;;) {
    const batch = await ws.store.runs.runEvents(runId, out.at(-1)?.seq ?? 0, 5000);
    out.push(...batch);
    if (batch.length < 5000) return out;
  }
}

/** Records the metric values a command printed; an error message when it named unknown metrics. */
async function recordPrinted(
  ws: Workspace,
  spec: CommandVerifierSpec,
  step: StepRecord,
  run: Execution,
): Promise<{ measured: PrintedMeasurement[]; ignored?: string } | string> {
  const printed = parsePrintedMetrics(run.stdout);
  if (printed === undefined) return { measured: [] };
  if (typeof printed === 'string') return `its JSON output: ${printed}`;
  const stored = await ws.store.plans.get(spec.planId);
  const ids = stored?.plan.metrics.map((m) => m.id) ?? [];
  const values: Array<{ metric: string; value: (typeof printed.metrics)[number]['value'] }> = [];
  let ignored: string | undefined;
  if (printed.value !== undefined) {
    if (spec.metric === null) ignored = '"value" (the criterion states no metric target)';
    else values.push({ metric: spec.metric, value: printed.value });
  }
  for (const { ref, value } of printed.metrics) {
    const found = ids.includes(ref) ? [ref] : ids.filter((id) => id.endsWith(`/${ref}`));
    if (found.length !== 1) {
      return `its JSON output names metric ${JSON.stringify(ref)}, which ${found.length === 0 ? `plan ${spec.planId} does not have` : `matches ${found.join(', ')}`}`;
    }
    values.push({ metric: found[0]!, value });
  }
  const measured: PrintedMeasurement[] = [];
  for (const { metric, value } of values) {
    const { raw, ...v } = value;
    const data: MetricRecordedData = {
      planId: spec.planId,
      metric,
      ...v,
      raw,
      note: `printed by \`${spec.verifier.command}\` (check ${spec.criterionId}, step ${step.id})`,
    };
    const e = await ws.store.events.append({
      type: 'metric.recorded',
      actor: run.actor,
      subject: metric,
      data,
    });
    measured.push({ metric, measurement: { ...v, by: personOf(run.actor), at: e.ts, seq: e.seq } });
  }
  return { measured, ...(ignored === undefined ? {} : { ignored }) };
}

async function outcomeOf(
  ws: Workspace,
  spec: CommandVerifierSpec,
  step: StepRecord,
  events: ReadonlyArray<StoredEvent>,
): Promise<CommandRunOutcome> {
  const base = { command: spec.verifier.command, runId: step.runId, stepId: step.id };
  switch (step.state) {
    case 'awaiting_approval':
      return {
        status: 'not_run',
        reason: `awaiting approval: ${shellCommand('pulser', 'trust', spec.path)} or ${shellCommand('pulser', 'approve', step.id)}`,
        evidence: { ...base, awaiting: step.approvalReason ?? 'untrusted' },
      };
    case 'succeeded':
    case 'failed':
    case 'timed_out': {
      const run = executionOf(events, step.id);
      const outcome = evaluateExecution(spec.verifier, {
        ended: step.state,
        exitCode: step.exitCode,
        signal: step.signal,
        error: step.error,
        output: run.output,
        stdout: run.stdout,
        outputSha256: sha256Hex(run.output),
        evidence: { ...base, authority: step.authority, ranBy: run.actor },
      });
      if (outcome.status !== 'pass') return outcome;
      const printed = await recordPrinted(ws, spec, step, run);
      if (typeof printed === 'string') {
        return {
          status: 'error',
          reason: `\`${spec.verifier.command}\`: ${printed}`,
          evidence: outcome.evidence,
        };
      }
      const evidence = {
        ...outcome.evidence,
        ...(printed.measured.length === 0
          ? {}
          : {
              measured: Object.fromEntries(
                printed.measured.map((m) => [m.metric, m.measurement.value]),
              ),
            }),
        ...(printed.ignored === undefined ? {} : { ignored: printed.ignored }),
      };
      return { ...outcome, evidence, measured: printed.measured };
    }
    case 'quarantined':
      return {
        status: 'error',
        reason: `step ${step.id} is quarantined (its worker stopped too often): ${shellCommand('pulser', 'resolve', step.id, 'retry')}`,
        evidence: base,
      };
    case 'cancelled':
    case 'skipped':
      return { status: 'not_run', reason: `step ${step.id} was ${step.state}`, evidence: base };
    default:
      return {
        status: 'not_run',
        reason: `step ${step.id} is ${step.state.replace('_', ' ')}; \`pulser worker\` executes it`,
        evidence: base,
      };
  }
}

/**
 * Runs command verifiers through the durable runtime under the plan's trust rules and returns
 * one outcome per spec, in order (see the module comment). Metric values a passing command
 * prints as JSON are recorded as `metric.recorded` events by the worker that ran it.
 *
 * @example
 * const [outcome] = await executeCommandVerifiers(ws, [spec], { actor: 'cli:ana' });
 */
export async function executeCommandVerifiers(
  ws: Workspace,
  specs: ReadonlyArray<CommandVerifierSpec>,
  options: CommandRunOptions = {},
): Promise<CommandRunOutcome[]> {
  if (specs.length === 0) return [];
  const actor = options.actor ?? cliActor();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { reuse, obsolete } = await earlierSteps(ws, specs, options.judged ?? new Set());
  for (const step of obsolete) {
    await ws.store.runs.cancelStep(step.id, actor);
  }
  const fresh = specs.map((s, i) => ({ s, i })).filter(({ i }) => !reuse.has(i));
  const stepIds = new Map<number, string>();
  for (const [i, step] of reuse) stepIds.set(i, step.id);
  const runIds = new Set([...reuse.values()].map((s) => s.runId));
  if (fresh.length > 0) {
    const { run, steps } = await startRun(ws, {
      steps: fresh.map(({ s }) => stepOf(s, timeoutMs)),
      title:
        fresh.length === 1
          ? `check ${fresh[0]!.s.criterionId}`
          : `check ${fresh.length} command verifiers`,
      intent: CHECK_INTENT,
      actor,
    });
    fresh.forEach(({ i }, k) => stepIds.set(i, steps[k]!.id));
    runIds.add(run.id);
  }
  const worker =
    options.worker === false ? null : startWorker(ws, { runs: [...runIds], pollMs: 20 });
  try {
    for (const id of runIds) {
      await waitForRun(ws, id, {
        until: 'settled',
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    }
  } finally {
    await worker?.stop({ graceMs: 0 });
  }
  const steps = new Map<string, StepRecord>();
  const events = new Map<string, StoredEvent[]>();
  for (const id of runIds) {
    for (const s of await ws.store.runs.listSteps(id)) steps.set(s.id, s);
    events.set(id, await readEvents(ws, id));
  }
  const out: CommandRunOutcome[] = [];
  for (const [i, spec] of specs.entries()) {
    const step = steps.get(stepIds.get(i)!)!;
    out.push(await outcomeOf(ws, spec, step, events.get(step.runId) ?? []));
  }
  await judgeRuns(ws, runIds, specs, out, actor);
  return out;
}

/**
 * A check run's status says what happened to its checks, not to its commands' exit codes: an
 * ended run is `failed` when one of its checks failed or could not decide, `succeeded` when
 * every one passed (a command expected to exit 1 that did).
 */
async function judgeRuns(
  ws: Workspace,
  runIds: ReadonlySet<string>,
  specs: ReadonlyArray<CommandVerifierSpec>,
  outcomes: ReadonlyArray<CommandRunOutcome>,
  actor: string,
): Promise<void> {
  for (const runId of runIds) {
    const run = await ws.store.runs.getRun(runId);
    if (run === null || run.finishedAt === null || run.status === 'cancelled') continue;
    const mine = outcomes
      .map((o, i) => ({ o, id: specs[i]!.criterionId }))
      .filter(({ o }) => o.evidence['runId'] === runId);
    if (mine.length === 0) continue;
    const bad = mine.filter(({ o }) => o.status === 'fail' || o.status === 'error');
    if (bad.length > 0) {
      const reason = bad.map(({ o, id }) => `check ${id} ${o.status}ed: ${o.reason}`).join('; ');
      await ws.store.runs.judgeRun(runId, 'failed', actor, reason);
    } else if (mine.every(({ o }) => o.status === 'pass')) {
      const n = mine.length;
      await ws.store.runs.judgeRun(
        runId,
        'succeeded',
        actor,
        `${n} check${n === 1 ? '' : 's'} passed`,
      );
    }
  }
}
