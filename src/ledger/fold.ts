/**
 * The one fold of the ledger: typed events (checked against the event catalog) in seq order,
 * folded into what the ledger says now about each plan (its latest import, verdicts, gates,
 * signoffs, measured values, forced promotions), each run and step, and the decisions people
 * made. The report, `check`, the gates and the proofs each take the parts they need.
 */
import {
  readEvent,
  type EventOf,
  type LedgerEvent,
  type TypedEvent,
  type UnknownEvent,
} from '../ir/events.js';

/** What the ledger says about one plan. */
export interface PlanFacts {
  /** The latest `plan.imported`, or null when only other events name the plan. */
  imported: EventOf<'plan.imported'> | null;
  /** Every `verdict.recorded` of each criterion and metric, oldest first. */
  readonly verdicts: Map<string, Array<EventOf<'verdict.recorded'>>>;
  /** The latest `gate.decided` of each phase. */
  readonly gates: Map<string, EventOf<'gate.decided'>>;
  /** The latest `criterion.signed_off` of each criterion. */
  readonly signoffs: Map<string, EventOf<'criterion.signed_off'>>;
  /** Every `metric.recorded` of each metric, oldest first. */
  readonly measurements: Map<string, Array<EventOf<'metric.recorded'>>>;
  /** Every `gate.forced` of each phase, oldest first. */
  readonly forced: Map<string, Array<EventOf<'gate.forced'>>>;
}

/** A run as its events tell it. */
export interface RunFacts {
  /** The run's title (`run.created`); its ID in ledgers older than titles. */
  readonly title: string;
  /** `running` until an end event, then its status (a `run.judged` status wins). */
  readonly status: string;
  readonly createdAt: string;
  readonly endedAt: string | null;
  /** `planId:nodeId`, or the target as written in older ledgers, or null. */
  readonly target: string | null;
}

/** A step as its latest state event tells it. */
export interface StepFacts {
  readonly runId: string | null;
  readonly state: string;
  readonly since: string;
  readonly reason: string | null;
}

/** A decision a person made, as recorded. */
export type Decision =
  | EventOf<'gate.forced'>
  | EventOf<'criterion.signed_off'>
  | EventOf<'trust.granted'>
  | EventOf<'step.approved'>
  | EventOf<'step.rejected'>
  | EventOf<'step.skipped'>;

/** The step state each step event leaves its step in. */
const STEP_STATES: Readonly<Record<string, string>> = {
  'step.queued': 'queued',
  'step.started': 'running',
  'step.succeeded': 'succeeded',
  'step.failed': 'failed',
  'step.timed_out': 'timed_out',
  'step.cancelled': 'cancelled',
  'step.retry_scheduled': 'retry_scheduled',
  'step.quarantined': 'quarantined',
  'step.awaiting_approval': 'awaiting_approval',
  'step.approved': 'approved',
  'step.rejected': 'rejected',
  'step.skipped': 'skipped',
};

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  return list;
}

/**
 * Folds ledger events in seq order. Each event is checked against the catalog as it is added
 * (see `readEvent`): a mismatch throws an error naming its seq and type; an event of an unknown
 * type is counted and otherwise skipped.
 *
 * @example
 * const fold = foldLedger(await ws.store.events.read({ types: ['verdict.recorded'] }));
 * fold.plans.get('launch')?.verdicts.get('phase-1/exit/ok')?.at(-1);
 */
export class LedgerFold {
  /** What the ledger says about each plan, in the order plans were first named. */
  readonly plans = new Map<string, PlanFacts>();
  readonly runs = new Map<string, RunFacts>();
  readonly steps = new Map<string, StepFacts>();
  /** Decisions people made, in ledger order (a step released by a trust grant is not one). */
  readonly decisions: Decision[] = [];
  /** How many events of each type (unknown types included), in the order first seen. */
  readonly types = new Map<string, number>();
  count = 0;
  first: LedgerEvent | null = null;
  last: LedgerEvent | null = null;

  /** The facts of `planId`, created empty on first use. */
  plan(planId: string): PlanFacts {
    let p = this.plans.get(planId);
    if (p === undefined) {
      p = {
        imported: null,
        verdicts: new Map(),
        gates: new Map(),
        signoffs: new Map(),
        measurements: new Map(),
        forced: new Map(),
      };
      this.plans.set(planId, p);
    }
    return p;
  }

  /** Checks `event` against the catalog and folds it in; returns it typed. */
  add(event: LedgerEvent): TypedEvent | UnknownEvent {
    const e = readEvent(event);
    this.count++;
    this.first ??= event;
    this.last = event;
    this.types.set(e.type, (this.types.get(e.type) ?? 0) + 1);
    if ('unknown' in e) return e;
    switch (e.type) {
      case 'plan.imported':
        this.plan(e.data.planId).imported = e;
        break;
      case 'verdict.recorded':
        listIn(this.plan(e.data.planId).verdicts, e.data.target).push(e);
        break;
      case 'gate.decided':
        this.plan(e.data.planId).gates.set(e.data.phaseId, e);
        break;
      case 'gate.forced':
        listIn(this.plan(e.data.planId).forced, e.data.phaseId).push(e);
        this.decisions.push(e);
        break;
      case 'metric.recorded':
        listIn(this.plan(e.data.planId).measurements, e.data.metric).push(e);
        break;
      case 'criterion.signed_off':
        this.plan(e.data.planId).signoffs.set(e.data.criterion, e);
        this.decisions.push(e);
        break;
      case 'trust.granted':
        this.decisions.push(e);
        break;
      case 'run.created':
        this.#created(e);
        break;
      case 'run.judged':
      case 'run.succeeded':
      case 'run.skipped':
      case 'run.failed':
      case 'run.cancelled':
        this.#ended(e);
        break;
      default:
        this.#step(e);
    }
    return e;
  }

  #created(e: EventOf<'run.created'>): void {
    const d = e.data;
    const target = d.target;
    this.runs.set(d.runId, {
      title: d.title ?? d.runId,
      status: 'running',
      createdAt: e.ts,
      endedAt: null,
      target:
        typeof target === 'string'
          ? target
          : target === null || target === undefined
            ? null
            : `${target.planId}:${target.nodeId}`,
    });
  }

  #ended(
    e: EventOf<'run.judged' | 'run.succeeded' | 'run.skipped' | 'run.failed' | 'run.cancelled'>,
  ): void {
    const id = e.data.runId;
    const run = this.runs.get(id) ?? {
      title: id,
      status: 'running',
      createdAt: e.ts,
      endedAt: null,
      target: null,
    };
    const status = e.type === 'run.judged' ? e.data.status : e.type.slice(4);
    this.runs.set(id, { ...run, status, endedAt: run.endedAt ?? e.ts });
  }

  #step(e: TypedEvent): void {
    const state = STEP_STATES[e.type];
    if (state === undefined) return;
    const d = e.data as { runId: string; stepId: string; reason?: unknown; error?: unknown };
    this.steps.set(d.stepId, {
      runId: d.runId,
      state,
      since: e.ts,
      reason: text(d.reason) ?? text(d.error),
    });
    // A step released by a trust grant is not a separate approval: `trust.granted` lists it.
    // A skip is a person's decision too: who skipped which step, and why.
    if (
      (e.type === 'step.approved' && e.data.grantId === undefined) ||
      e.type === 'step.rejected' ||
      e.type === 'step.skipped'
    ) {
      this.decisions.push(e);
    }
  }
}

/** Folds `events` (in seq order) into a new {@link LedgerFold}. */
export function foldLedger(events: Iterable<LedgerEvent>): LedgerFold {
  const fold = new LedgerFold();
  for (const e of events) fold.add(e);
  return fold;
}
