/**
 * A run's timeline, read from its events: for each step, the spans it spent queued, blocked on
 * its dependencies, waiting for an approval, running (per attempt), in retry backoff and in
 * quarantine, with real times. What the Runboard draws as a Gantt and what its log viewer uses
 * to separate attempts.
 */
import type { StoredEvent } from '../../store/events.js';
import type { StepRecord } from '../../store/run-store.js';
import type { Workspace } from '../open.js';
import { getRun } from './runs.js';

/** What a step was doing during a span. */
export type SpanKind = 'blocked' | 'queued' | 'approval' | 'running' | 'backoff' | 'quarantine';

/** A span of a step's life; `to` is null while it lasts. */
export interface TimelineSpan {
  readonly kind: SpanKind;
  readonly from: string;
  readonly to: string | null;
  /** The attempt a `running` span is (1-based), or the one a `backoff` waits for. */
  readonly attempt: number | null;
  /** How a `running` span ended: `succeeded`, `failed`, `timed_out`, `cancelled`, ... */
  readonly outcome: string | null;
}

/** A step's start of an attempt: where its output of that attempt begins. */
export interface AttemptMark {
  readonly stepId: string;
  readonly attempt: number;
  readonly seq: number;
  readonly ts: string;
  readonly worker: string;
}

/** A step on the timeline. */
export interface TimelineStep {
  readonly id: string;
  readonly ord: number;
  readonly title: string;
  readonly lane: string;
  readonly state: string;
  /** Its dependencies, by title (and ID). */
  readonly after: ReadonlyArray<{ readonly id: string; readonly title: string }>;
  /** Who ended it and why, when a person did (a skip, an abort, a rejection, a cancel). */
  readonly endedBy: {
    readonly actor: string;
    readonly type: string;
    readonly reason: string | null;
  } | null;
  readonly spans: ReadonlyArray<TimelineSpan>;
}

/** A run's timeline. */
export interface RunTimeline {
  readonly runId: string;
  /** The earliest span's start (the run's creation). */
  readonly from: string;
  /** The latest span's end, or null while a span lasts. */
  readonly to: string | null;
  /** The server's time when read (open spans end here on screen). */
  readonly now: string;
  readonly steps: ReadonlyArray<TimelineStep>;
  readonly attempts: ReadonlyArray<AttemptMark>;
}

const TERMINAL = new Set([
  'step.succeeded',
  'step.failed',
  'step.timed_out',
  'step.cancelled',
  'step.skipped',
  'step.rejected',
]);

/** Every event of a run (its own and its steps'), in order. */
async function allRunEvents(ws: Workspace, runId: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await ws.store.runs.runEvents(runId, after, 5000);
    out.push(...page);
    if (page.length < 5000) return out;
    after = page.at(-1)!.seq;
  }
}

interface Open {
  kind: SpanKind;
  from: string;
  attempt: number | null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The spans of one step from its events (in order). */
function spansOf(events: ReadonlyArray<StoredEvent>): {
  spans: TimelineSpan[];
  endedBy: TimelineStep['endedBy'];
} {
  const spans: TimelineSpan[] = [];
  let open: Open | null = null;
  let endedBy: TimelineStep['endedBy'] = null;
  const close = (at: string, outcome: string | null = null) => {
    if (open === null) return;
    spans.push({ kind: open.kind, from: open.from, to: at, attempt: open.attempt, outcome });
    open = null;
  };
  const begin = (kind: SpanKind, at: string, attempt: number | null = null) => {
    close(at);
    open = { kind, from: at, attempt };
  };
  for (const e of events) {
    const d = (e.data ?? {}) as Record<string, unknown>;
    switch (e.type) {
      case 'step.queued':
      case 'step.approved':
        begin('queued', e.ts);
        break;
      case 'step.leased':
        // Leased but not started: still waiting for its execution.
        if (open === null) begin('queued', e.ts);
        break;
      case 'step.started':
        begin('running', e.ts, num(d['attempt']));
        break;
      case 'step.awaiting_approval':
        begin('approval', e.ts);
        break;
      case 'step.retry_scheduled': {
        close(e.ts);
        const at = str(d['at']);
        open = { kind: 'backoff', from: e.ts, attempt: num(d['attempt']) };
        if (at !== null && Date.parse(at) >= Date.parse(e.ts)) {
          // The backoff ends at its due time; then the step is queued again.
          close(at);
          open = { kind: 'queued', from: at, attempt: null };
        }
        break;
      }
      case 'step.quarantined':
        begin('quarantine', e.ts);
        break;
      default:
        if (TERMINAL.has(e.type)) {
          const outcome = e.type.slice('step.'.length);
          close(e.ts, outcome);
          if (!e.actor.startsWith('worker:')) {
            endedBy = {
              actor: e.actor,
              type: outcome,
              reason: str(d['reason']) ?? str(d['error']) ?? null,
            };
          }
        }
    }
  }
  if (open !== null) {
    const o: Open = open;
    spans.push({ kind: o.kind, from: o.from, to: null, attempt: o.attempt, outcome: null });
  }
  return { spans, endedBy };
}

/**
 * Splits each `queued` span of a step at the time its last dependency ended: before it, the
 * step was blocked on its dependencies, not waiting for a worker.
 */
function withBlocked(spans: TimelineSpan[], depsEnd: number | null): TimelineSpan[] {
  if (depsEnd === null) return spans;
  const out: TimelineSpan[] = [];
  for (const s of spans) {
    const from = Date.parse(s.from);
    const to = s.to === null ? Infinity : Date.parse(s.to);
    if (s.kind !== 'queued' || depsEnd <= from) {
      out.push(s);
      continue;
    }
    if (depsEnd >= to) {
      out.push({ ...s, kind: 'blocked' });
      continue;
    }
    const cut = new Date(depsEnd).toISOString();
    out.push({ ...s, kind: 'blocked', to: cut }, { ...s, from: cut });
  }
  return out;
}

function endOf(spans: ReadonlyArray<TimelineSpan>): number | null {
  const last = spans.at(-1);
  if (last === undefined || last.to === null) return null;
  return Date.parse(last.to);
}

/** The timeline of a run (ID or unique prefix). */
export async function runTimeline(ws: Workspace, id: string): Promise<RunTimeline> {
  const run = await getRun(ws, id);
  const events = await allRunEvents(ws, run.id);
  const byStep = new Map<string, StoredEvent[]>();
  const attempts: AttemptMark[] = [];
  for (const e of events) {
    if (e.subject === null || !e.type.startsWith('step.') || e.type === 'step.output') continue;
    let list = byStep.get(e.subject);
    if (list === undefined) byStep.set(e.subject, (list = []));
    list.push(e);
    if (e.type === 'step.started') {
      const d = (e.data ?? {}) as Record<string, unknown>;
      attempts.push({
        stepId: e.subject,
        attempt: num(d['attempt']) ?? 1,
        seq: e.seq,
        ts: e.ts,
        worker: str(d['worker']) ?? e.actor,
      });
    }
  }
  const titles = new Map(run.steps.map((s: StepRecord) => [s.id, s.title]));
  const raw = new Map(run.steps.map((s) => [s.id, spansOf(byStep.get(s.id) ?? [])]));
  const steps: TimelineStep[] = run.steps.map((s) => {
    const own = raw.get(s.id)!;
    // Blocked until the last dependency ended (a dependency still going blocks the whole span).
    let depsEnd: number | null = null;
    for (const d of s.after) {
      const end = endOf(raw.get(d)?.spans ?? []);
      depsEnd = end === null ? Infinity : Math.max(depsEnd ?? 0, end);
    }
    return {
      id: s.id,
      ord: s.ord,
      title: s.title,
      lane: s.lane,
      state: s.state,
      after: s.after.map((d) => ({ id: d, title: titles.get(d) ?? d })),
      endedBy: own.endedBy,
      spans: withBlocked(own.spans, depsEnd === Infinity ? Number.MAX_SAFE_INTEGER : depsEnd),
    };
  });
  const all = steps.flatMap((s) => s.spans);
  const from = all.reduce(
    (m, s) => (Date.parse(s.from) < Date.parse(m) ? s.from : m),
    run.createdAt,
  );
  const to = all.some((s) => s.to === null)
    ? null
    : all.reduce((m, s) => (Date.parse(s.to!) > Date.parse(m) ? s.to! : m), from);
  return { runId: run.id, from, to, now: new Date().toISOString(), steps, attempts };
}
