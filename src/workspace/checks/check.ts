/**
 * `check`: decide every criterion, metric and gate in scope from what can be observed now, and
 * record the verdicts in the ledger (`verdict.recorded`, `gate.decided`, `verifier.quarantined`).
 *
 * Command verifiers run only through the durable runtime, under the trust rules (a plan is
 * untrusted input), through one function boundary: {@link runCommandVerifiers}.
 */
import { parseComparison } from '../../compile/index.js';
import { UsageError } from '../../errors/index.js';
import type { Criterion, MetricTarget, Phase, Verifier } from '../../ir/index.js';
import { foldLedger } from '../../ledger/fold.js';
import type { StoredPlan } from '../../store/plan-store.js';
import { canonicalJson } from '../../util/canonical-json.js';
import { sha256Hex } from '../../util/hash.js';
import {
  decideGate,
  evaluateCommand,
  evaluateFile,
  evaluateMeasurement,
  evaluateSignoff,
  isFlaky,
  type GateVerdict,
  type Verdict,
  type VerdictStatus,
} from '../../verify/index.js';
import { resolveBindings, type Binding, type BindingSource } from './check-bindings.js';
import {
  OBSERVED_TYPES,
  observe,
  observeFile,
  signoffOf,
  type LedgerObservations,
} from './check-observe.js';
import { recordCheck } from './check-record.js';
import { projectState } from './check-tree.js';
import {
  executeCommandVerifiers,
  type CommandRunOptions,
  type CommandRunOutcome,
  type CommandVerifierSpec,
} from './check-run.js';
import type { Workspace } from '../open.js';
import { cliActor } from '../plan-file.js';
import { resolveNode } from '../resolve.js';
import { shellCommand } from '../../util/shell-quote.js';

export type { CommandVerifierSpec } from './check-run.js';

/** Runs command verifiers; returns one outcome per spec, in order. */
export type CommandVerifierRunner = (
  ws: Workspace,
  specs: ReadonlyArray<CommandVerifierSpec>,
) => Promise<ReadonlyArray<CommandRunOutcome>>;

/**
 * The one boundary through which `check` runs command verifiers: as steps of a run of the
 * durable runtime, under the plan's trust rules (see `check-run.ts`). An untrusted command does
 * not run: its verdict is `not_run` until `pulser trust FILE` or `pulser approve STEP`.
 */
export function runCommandVerifiers(
  ws: Workspace,
  specs: ReadonlyArray<CommandVerifierSpec>,
  options: CommandRunOptions = {},
): Promise<ReadonlyArray<CommandRunOutcome>> {
  return executeCommandVerifiers(ws, specs, options);
}

/** Command verdicts as last recorded (for decisions that must not execute anything). */
function recordedCommandVerdicts(
  obs: LedgerObservations,
  tree: () => string | null,
): CommandVerifierRunner {
  return (_ws, specs) =>
    Promise.resolve(
      specs.map((s): CommandRunOutcome => {
        const digest = digestOf(s.planSha, s.verifier, tree());
        const last = (obs.verdicts.get(s.criterionId) ?? [])
          .filter((r) => r.inputDigest === digest)
          .at(-1);
        if (last === undefined || last.observed === 'pending') {
          return {
            status: 'not_run',
            reason: `not run on this plan and code yet: \`${shellCommand('pulser', 'check', `${s.planId}:${s.criterionId}`)}\` runs \`${s.verifier.command}\``,
            evidence: { command: s.verifier.command },
          };
        }
        return { status: last.observed, reason: last.reason, evidence: last.evidence };
      }),
    );
}

/** One criterion's check. */
export interface CriterionCheck {
  readonly id: string;
  readonly text: string;
  readonly section: Criterion['section'];
  readonly phaseId: string | null;
  readonly source: BindingSource;
  readonly where: string;
  readonly verifier: Verifier | null;
  /** The effective verdict (a flaky verifier's is quarantined). */
  readonly verdict: Verdict;
  /** What the verifier itself observed. */
  readonly observed: VerdictStatus;
  readonly flaky: boolean;
  readonly inputDigest: string;
}

/** One metric's check. */
export interface MetricCheck {
  readonly id: string;
  readonly name: string;
  readonly phaseId: string | null;
  readonly target: string;
  readonly verdict: Verdict;
  readonly inputDigest: string;
}

/** One phase's gate. */
export interface PhaseCheck {
  readonly id: string;
  readonly title: string;
  readonly status: Phase['status'];
  readonly gate: GateVerdict;
  /** Files the gate's verdicts looked at (name, SHA-256). */
  readonly artifacts: ReadonlyArray<{ readonly name: string; readonly sha256: string }>;
}

/** The check of one plan. */
export interface PlanCheck {
  readonly planId: string;
  readonly title: string;
  readonly path: string;
  readonly sha256: string;
  /** Gates decided (only phases wholly in the target). */
  readonly phases: ReadonlyArray<PhaseCheck>;
  readonly criteria: ReadonlyArray<CriterionCheck>;
  readonly metrics: ReadonlyArray<MetricCheck>;
}

/** What {@link checkTarget} decided. */
export interface CheckResult {
  /** What was asked: a plan, phase, task, criterion or metric ID, or null for everything. */
  readonly target: string | null;
  readonly plans: ReadonlyArray<PlanCheck>;
  /** Events appended (0 when nothing changed since the last check, or `record: false`). */
  readonly recorded: number;
}

/** Options of {@link checkTarget}. */
export interface CheckOptions {
  /** Who checks (recorded in the events). @default the CLI user */
  readonly actor?: string;
  /** Append the verdicts to the ledger. @default true */
  readonly record?: boolean;
  /**
   * `run`: execute command verifiers through the runtime (trusted or approved ones only);
   * `recorded`: execute nothing and use each command's last recorded verdict (promotion checks).
   * @default 'run'
   */
  readonly commands?: 'run' | 'recorded';
  /** How `run` executes them (worker in this process, timeout). */
  readonly commandOptions?: Omit<CommandRunOptions, 'actor' | 'judged'>;
  /** Runs command verifiers instead of the runtime (another executor). */
  readonly runCommands?: CommandVerifierRunner;
}

interface Scope {
  readonly stored: StoredPlan;
  readonly criteria: (c: Criterion, phaseId: string | null) => boolean;
  readonly metrics: (m: MetricTarget) => boolean;
  readonly phases: ReadonlyArray<Phase>;
}

async function scopesOf(ws: Workspace, target: string | undefined): Promise<Scope[]> {
  const all = () => true;
  if (target === undefined) {
    return (await ws.store.plans.list()).map((stored) => ({
      stored,
      criteria: all,
      metrics: all,
      phases: stored.plan.phases,
    }));
  }
  const plan = await ws.store.plans.get(target);
  if (plan !== null)
    return [{ stored: plan, criteria: all, metrics: all, phases: plan.plan.phases }];
  const { stored, node } = await resolveNode(ws, target);
  const none = () => false;
  switch (node.kind) {
    case 'phase': {
      const metrics = new Set(node.gate.metrics);
      return [
        {
          stored,
          criteria: (_c, phaseId) => phaseId === node.id,
          metrics: (m) => metrics.has(m.id),
          phases: [node],
        },
      ];
    }
    case 'task': {
      const ids = new Set(node.criteria.map((c) => c.id));
      return [{ stored, criteria: (c) => ids.has(c.id), metrics: none, phases: [] }];
    }
    case 'criterion':
      return [{ stored, criteria: (c) => c.id === node.id, metrics: none, phases: [] }];
    case 'metric':
      return [{ stored, criteria: none, metrics: (m) => m.id === node.id, phases: [] }];
    default:
      throw new UsageError(
        `${target} is a ${node.kind}; check a plan, phase, task, criterion or metric`,
        { hint: 'run `pulser check` without a target to check everything' },
      );
  }
}

function digestOf(planSha: string, verifier: unknown, observed: unknown): string {
  return sha256Hex(
    canonicalJson({ observed: observed ?? null, plan: planSha, verifier: verifier ?? null }),
  );
}

function metricComparison(stored: StoredPlan, metricId: string, targetText: string) {
  const m = stored.plan.metrics.find((x) => x.id === metricId);
  if (m !== undefined && (targetText === '' || targetText === m.target)) {
    return { text: m.passRule ?? m.target, comparison: m.passComparison ?? m.comparison };
  }
  return { text: targetText, comparison: parseComparison(targetText) };
}

/** Runs the command verifiers of `bindings`; metric values they print join `obs.measurements`. */
async function runCommandsOf(
  ws: Workspace,
  stored: StoredPlan,
  bindings: ReadonlyArray<Binding>,
  obs: LedgerObservations,
  runCommands: CommandVerifierRunner,
): Promise<Map<string, CommandRunOutcome>> {
  const specs: CommandVerifierSpec[] = [];
  for (const b of bindings) {
    const v = b.verifier;
    if (b.problem !== undefined || v?.kind !== 'command') continue;
    specs.push({
      planId: stored.id,
      planSha: stored.sha256,
      path: stored.path,
      criterionId: b.criterion.id,
      phaseId: b.phaseId,
      metric: b.criterion.metric ?? null,
      verifier: v,
      where: b.where,
    });
  }
  const out = new Map<string, CommandRunOutcome>();
  if (specs.length === 0) return out;
  const outcomes = await runCommands(ws, specs);
  specs.forEach((s, i) => {
    const o = outcomes[i];
    if (o === undefined) return;
    out.set(s.criterionId, o);
    for (const m of o.measured ?? []) obs.measurements.set(m.metric, m.measurement);
  });
  return out;
}

/** A command verifier's verdict; a passing command that printed its metric must meet the target. */
function commandVerdict(stored: StoredPlan, b: Binding, outcome: CommandRunOutcome): Verdict {
  const id = b.criterion.id;
  const verdict = evaluateCommand(id, outcome);
  const metric = b.criterion.metric;
  const printed = outcome.measured?.find((m) => m.metric === metric);
  if (verdict.status !== 'pass' || metric === undefined || printed === undefined) return verdict;
  const { text, comparison } = metricComparison(stored, metric, '');
  const against = evaluateMeasurement(id, text, comparison, printed.measurement);
  if (against.status === 'pass') {
    return { ...verdict, reason: `${verdict.reason}; ${against.reason}` };
  }
  return {
    ...verdict,
    status: against.status,
    reason: `${verdict.reason}, but ${against.reason}`,
    evidence: { ...verdict.evidence, ...against.evidence },
  };
}

const QUARANTINE =
  'flaky: its verifier passed and failed on the same input (same plan, same verifier); quarantined until a person decides';

async function checkPlan(
  ws: Workspace,
  scope: Scope,
  obs: LedgerObservations,
  runCommands: CommandVerifierRunner,
  tree: () => string | null,
): Promise<PlanCheck> {
  const { stored } = scope;
  const sha = stored.sha256;
  const bindings = [...(await resolveBindings(ws, stored)).values()].filter((b) =>
    scope.criteria(b.criterion, b.phaseId),
  );
  // The project's state is what commands judge: take it before they run (and change it).
  if (bindings.some((b) => b.verifier?.kind === 'command')) tree();
  const ran = await runCommandsOf(ws, stored, bindings, obs, runCommands);
  const decided = new Map<string, { verdict: Verdict; observed: unknown }>();
  for (const b of bindings) {
    const id = b.criterion.id;
    const v = b.verifier;
    if (b.problem !== undefined || v === null) {
      const verdict: Verdict = {
        target: id,
        status: 'error',
        reason: b.problem ?? 'no verifier',
        evidence: {},
      };
      decided.set(id, { verdict, observed: b.problem });
      continue;
    }
    switch (v.kind) {
      case 'metric': {
        const { text, comparison } = metricComparison(stored, v.metric, v.target);
        const m = obs.measurements.get(v.metric);
        decided.set(id, {
          verdict: evaluateMeasurement(id, text, comparison, m),
          observed: m?.seq,
        });
        break;
      }
      case 'file': {
        const seen = observeFile(ws, stored.path, v.path);
        decided.set(id, { verdict: evaluateFile(id, v, seen), observed: seen });
        break;
      }
      case 'manual': {
        const s = signoffOf(obs.signoffs.get(id), b.criterion.text);
        decided.set(id, {
          verdict: evaluateSignoff(id, v.approver, s, stored.id),
          observed: s?.seq,
        });
        break;
      }
      case 'command': {
        const outcome = ran.get(id) ?? {
          status: 'error' as const,
          reason: 'the runtime returned no result',
          evidence: {},
        };
        decided.set(id, { verdict: commandVerdict(stored, b, outcome), observed: tree() });
        break;
      }
      default: {
        const never: never = v;
        void never;
      }
    }
  }
  const criteria = bindings.map((b): CriterionCheck => {
    const id = b.criterion.id;
    const { verdict: raw, observed } = decided.get(id)!;
    const inputDigest = digestOf(sha, b.verifier, observed);
    const history = (obs.verdicts.get(id) ?? []).map((r) => ({
      status: r.observed,
      inputDigest: r.inputDigest,
    }));
    const flaky = isFlaky([...history, { status: raw.status, inputDigest }], inputDigest);
    let verdict = raw;
    if (flaky) {
      const s = signoffOf(obs.signoffs.get(id), b.criterion.text);
      if (s !== undefined && s.current && s.seq > flipSeq(obs, id, inputDigest)) {
        const decided = evaluateSignoff(id, undefined, s, stored.id);
        verdict = { ...decided, evidence: { ...decided.evidence, quarantined: true } };
      } else {
        verdict = {
          target: id,
          status: 'error',
          reason: `${QUARANTINE}: ${shellCommand('pulser', 'signoff', `${stored.id}:${id}`)} --reason "..."`,
          evidence: { ...raw.evidence, quarantined: true, observed: raw.status },
        };
      }
    }
    return {
      id,
      text: b.criterion.text,
      section: b.criterion.section,
      phaseId: b.phaseId,
      source: b.source,
      where: b.where,
      verifier: b.verifier,
      verdict,
      observed: raw.status,
      flaky,
      inputDigest,
    };
  });
  const phaseOf = new Map<string, string>();
  for (const p of stored.plan.phases) for (const m of p.metrics) phaseOf.set(m, p.id);
  const metrics = stored.plan.metrics.filter(scope.metrics).map((m): MetricCheck => {
    const measured = obs.measurements.get(m.id);
    const verdict = evaluateMeasurement(
      m.id,
      m.passRule ?? m.target,
      m.passComparison ?? m.comparison,
      measured,
    );
    return {
      id: m.id,
      name: m.name,
      phaseId: phaseOf.get(m.id) ?? null,
      target: m.passRule ?? m.target,
      verdict,
      inputDigest: digestOf(sha, { kind: 'metric', metric: m.id, target: m.target }, measured?.seq),
    };
  });
  const latest = new Map<string, Verdict>();
  for (const c of criteria) latest.set(c.id, c.verdict);
  for (const m of metrics) latest.set(m.id, m.verdict);
  const phases = scope.phases.map((p): PhaseCheck => {
    const gate = decideGate(p.gate, latest);
    const artifacts = new Map<string, string>();
    for (const v of gate.verdicts) {
      const e = v.evidence;
      if (typeof e['sha256'] === 'string' && typeof e['path'] === 'string')
        artifacts.set(e['path'], e['sha256']);
    }
    return {
      id: p.id,
      title: p.title,
      status: p.status,
      gate,
      artifacts: [...artifacts].sort().map(([name, sha256]) => ({ name, sha256 })),
    };
  });
  return {
    planId: stored.id,
    title: stored.plan.title,
    path: stored.path,
    sha256: sha,
    phases,
    criteria,
    metrics,
  };
}

/**
 * The seq of the recorded verdict with `inputDigest` at which `id` first flipped (both pass and
 * fail seen); Infinity when it has not flipped in the ledger yet (only in this check).
 */
function flipSeq(obs: LedgerObservations, id: string, inputDigest: string): number {
  const seen = new Set<VerdictStatus>();
  for (const r of obs.verdicts.get(id) ?? []) {
    if (r.inputDigest !== inputDigest) continue;
    seen.add(r.observed);
    if (seen.has('pass') && seen.has('fail')) return r.seq;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * Checks `target` (a plan, phase, task, criterion or metric ID; everything when undefined):
 * decides each criterion with its verifier, each metric against its target, and each phase's
 * gate; records what changed since the last check in the ledger.
 *
 * @example
 * const result = await checkTarget(ws, 'phase-n1');
 * result.plans[0]?.phases[0]?.gate.status; // 'pass' | 'fail' | 'pending'
 */
export async function checkTarget(
  ws: Workspace,
  target?: string,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const scopes = await scopesOf(ws, target);
  const events = await ws.store.events.read({
    types: [...OBSERVED_TYPES],
    limit: Number.MAX_SAFE_INTEGER,
  });
  const plans: PlanCheck[] = [];
  let recorded = 0;
  // What command verifiers judge besides the plan: the project's code (before they run).
  let state: string | null | undefined;
  const tree = (): string | null => (state ??= projectState(ws.root));
  const fold = foldLedger(events);
  for (const scope of scopes) {
    const obs = observe(fold, scope.stored.id);
    const judged = new Set<string>();
    for (const list of obs.verdicts.values())
      for (const r of list)
        if (typeof r.evidence['stepId'] === 'string') judged.add(r.evidence['stepId']);
    const runner: CommandVerifierRunner =
      options.runCommands ??
      (options.commands === 'recorded'
        ? recordedCommandVerdicts(obs, tree)
        : (w, specs) =>
            runCommandVerifiers(w, specs, {
              ...options.commandOptions,
              actor: options.actor ?? cliActor(),
              judged,
            }));
    const plan = await checkPlan(ws, scope, obs, runner, tree);
    plans.push(plan);
    if (options.record !== false)
      recorded += await recordCheck(ws, plan, obs, options.actor ?? cliActor());
  }
  return { target: target ?? null, plans, recorded };
}
