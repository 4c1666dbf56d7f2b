/**
 * Text rendering of runs, steps and runtime events for the terminal.
 */
import type { StoredEvent } from '../../store/events.js';
import type { RunRecord, SessionRecord, StepRecord, StepState } from '../../store/run-store.js';
import { shellCommand } from '../../util/shell-quote.js';
import { agoText, tookBetween } from '../human-time.js';
import { noun, plural } from '../plural.js';

interface EventData {
  readonly stepId?: string;
  readonly attempt?: number;
  readonly error?: string;
  readonly exitCode?: number | null;
  readonly delayMs?: number;
  readonly reason?: string;
  readonly stream?: string;
  readonly text?: string;
  readonly path?: string;
  readonly sha256?: string;
  readonly worker?: string;
  readonly retry?: number;
  /** Set on `step.approved` when a trust grant (not a one-off approval) released the step. */
  readonly grantId?: string;
  /** `run.skipped`: steps a person skipped; `run.judged`: the status its checks decided. */
  readonly skipped?: number;
  readonly status?: string;
}

function time(ts: string): string {
  return ts.slice(11, 19);
}

/** One line for an event, or null for events not worth a line (`step.output` is rendered apart). */
export function eventLine(e: StoredEvent, titles: ReadonlyMap<string, string>): string | null {
  const d = (e.data ?? {}) as EventData;
  const who = e.subject ?? '';
  const title = titles.get(who);
  const name = title === undefined ? who : `${who} ${JSON.stringify(title)}`;
  const t = time(e.ts);
  switch (e.type) {
    case 'run.created':
      return `${t} ${who} created by ${e.actor}`;
    case 'step.queued':
      return d.reason === undefined
        ? null
        : `${t} ${name} queued (${d.reason.replace(/_/gu, ' ')})`;
    case 'step.leased':
      return null;
    case 'step.started':
      return `${t} ${name} started (attempt ${d.attempt ?? 1}, ${d.worker ?? e.actor})`;
    case 'step.succeeded':
      return `${t} ${name} succeeded`;
    case 'step.failed':
      return `${t} ${name} failed: ${d.error ?? 'unknown error'}`;
    case 'step.timed_out':
      return `${t} ${name} timed out: ${d.error ?? ''}`;
    case 'step.retry_scheduled':
      return `${t} ${name} retry ${d.retry ?? '?'} in ${((d.delayMs ?? 0) / 1000).toFixed(1)} s`;
    case 'step.quarantined':
      return `${t} ${name} QUARANTINED (retries exhausted): ${shellCommand('pulser', 'resolve', who)} retry|abort, or skip --reason TEXT`;
    case 'step.awaiting_approval':
      return `${t} ${name} awaiting approval (${d.reason === 'untrusted' ? 'untrusted command' : 'approval required'})`;
    case 'step.approved':
      // A trust grant releases waiting steps with the grant's ID; an approval covers one execution.
      return d.grantId === undefined
        ? `${t} ${name} approved by ${e.actor}`
        : `${t} ${name} released: ${e.actor} trusted its command`;
    case 'step.rejected':
      return `${t} ${name} rejected by ${e.actor}`;
    case 'step.cancelled':
      return `${t} ${name} cancelled${d.reason === undefined ? '' : ` (${d.reason})`}`;
    case 'step.skipped':
      return `${t} ${name} skipped by ${e.actor}${d.reason === undefined ? '' : `: ${d.reason}`}`;
    case 'step.artifact':
      return `${t} ${name} stored ${d.path ?? '?'} (sha256 ${(d.sha256 ?? '').slice(0, 12)})`;
    case 'worker.fenced':
      return `${t} ${name} stale write of ${e.actor} rejected`;
    case 'run.succeeded':
    case 'run.failed':
    case 'run.cancelled':
      return `${t} ${who} ${e.type.slice(4).toUpperCase()}`;
    case 'run.skipped':
      return `${t} ${who} SKIPPED (ended, but a person skipped ${d.skipped === undefined ? 'a step' : plural(d.skipped, 'step')})`;
    case 'run.judged':
      return `${t} ${who} ${(d.status ?? '').toUpperCase()}: ${d.reason ?? ''}`;
    case 'run.retried':
      return `${t} ${who} retried by ${e.actor}`;
    default:
      return null;
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function progress(run: RunRecord): string {
  const c = run.counts;
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  const done = c.succeeded;
  const extra: string[] = [];
  if (c.skipped > 0) extra.push(`${c.skipped} skipped`);
  if (c.failed + c.timed_out > 0) extra.push(`${c.failed + c.timed_out} failed`);
  if (c.awaiting_approval > 0) extra.push(`${c.awaiting_approval} awaiting approval`);
  if (c.quarantined > 0) extra.push(`${c.quarantined} quarantined`);
  if (c.cancelled > 0) extra.push(`${c.cancelled} cancelled`);
  return `${done}/${total}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
}

/** The `pulser runs` table; times relative to `now` (`3 min ago`) and durations (`2.3 s`). */
export function renderRuns(runs: ReadonlyArray<RunRecord>, now: number = Date.now()): string {
  if (runs.length === 0) return 'no runs (start one with `pulser run TARGET`)';
  const lines = [
    `${pad('RUN', 13)} ${pad('STATUS', 9)} ${pad('LANE', 8)} ${pad('STEPS', 14)} ${pad('CREATED', 12)} ${pad('TOOK', 11)} TITLE`,
  ];
  for (const r of runs) {
    lines.push(
      `${pad(r.id, 13)} ${pad(r.status, 9)} ${pad(r.lane, 8)} ${pad(progress(r), 14)} ${pad(agoText(r.createdAt, now), 12)} ${pad(tookBetween(r.createdAt, r.finishedAt), 11)} ${r.title}`,
    );
  }
  return lines.join('\n');
}

/** States in which a step's error is why it ended; in the others it is an earlier attempt's. */
const ENDED: ReadonlySet<StepState> = new Set([
  'failed',
  'timed_out',
  'cancelled',
  'quarantined',
  'skipped',
]);

/** One run with its steps; times relative to `now` (`3 min ago`) and durations (`2.3 s`). */
export function renderRun(
  run: RunRecord,
  steps: ReadonlyArray<StepRecord>,
  now: number = Date.now(),
): string {
  const target = run.target === null ? 'ad-hoc steps' : `${run.target.planId}:${run.target.nodeId}`;
  const lines = [
    `${run.id}  ${run.status}  ${JSON.stringify(run.title)}`,
    `  target ${target} · lane ${run.lane} · session ${run.sessionId} · requested by ${run.requestedBy}`,
    `  created ${agoText(run.createdAt, now)}${run.finishedAt === null ? '' : ` · finished ${agoText(run.finishedAt, now)}, took ${tookBetween(run.createdAt, run.finishedAt)}`}`,
  ];
  if (run.intent !== null) lines.push(`  intent: ${run.intent}`);
  for (const s of steps) {
    const retries = s.retries > 0 ? ` retries ${s.retries}/${s.maxRetries}` : '';
    const wait = s.state === 'queued' && s.blocked > 0 ? ` (waits for ${s.after.join(', ')})` : '';
    const why = s.approvalReason === null ? '' : ` (${s.approvalReason.replace('_', ' ')})`;
    lines.push(
      `  ${pad(s.id, 15)} ${pad(s.state, 17)} ${pad(s.lane, 6)} attempts ${s.attempts}${retries}  ${s.title}${wait}${why}`,
    );
    // A step that has not ended again (retried, requeued) shows its last error as history.
    if (s.error !== null && s.state !== 'succeeded')
      lines.push(`  ${' '.repeat(15)} ${ENDED.has(s.state) ? s.error : `earlier: ${s.error}`}`);
  }
  return lines.join('\n');
}

/** The `pulser sessions` table. */
export function renderSessions(sessions: ReadonlyArray<SessionRecord>): string {
  if (sessions.length === 0) return 'no sessions yet (a run starts one)';
  return sessions
    .map(
      (s) =>
        `${pad(s.id, 11)} ${pad(plural(s.runs, 'run'), 8)} ${s.createdAt.slice(0, 10)}  ${s.title}${s.archived ? '  (archived)' : ''}`,
    )
    .join('\n');
}

/** What to do about a run that waits for a person. */
export function stalledHint(
  run: RunRecord,
  steps: ReadonlyArray<StepRecord>,
  paths: ReadonlyMap<string, string>,
): string {
  const lines: string[] = [];
  const untrusted = steps.filter(
    (s) => s.state === 'awaiting_approval' && s.approvalReason === 'untrusted',
  );
  const required = steps.filter(
    (s) => s.state === 'awaiting_approval' && s.approvalReason === 'approval_required',
  );
  const quarantined = steps.filter((s) => s.state === 'quarantined');
  if (untrusted.length > 0) {
    const files = [
      ...new Set(
        untrusted.map((s) => (s.planId === null ? null : (paths.get(s.planId) ?? s.planId))),
      ),
    ].filter((f): f is string => f !== null);
    lines.push(
      `${plural(untrusted.length, 'step')} ${noun(untrusted.length, 'waits', 'wait')} because ${noun(untrusted.length, 'its command is', 'their commands are')} not trusted:`,
    );
    for (const s of untrusted) lines.push(`  ${s.id}  ${s.title}`);
    if (files.length > 0) {
      lines.push(
        `review ${files.join(', ')}, then trust its commands as they are now: ${files.map((f) => shellCommand('pulser', 'trust', f)).join('; ')}`,
      );
    }
    lines.push(`or approve one execution: ${shellCommand('pulser', 'approve', untrusted[0]!.id)}`);
  }
  if (required.length > 0) {
    lines.push(
      `${plural(required.length, 'step')} ${noun(required.length, 'needs', 'need')} an approval:`,
    );
    for (const s of required)
      lines.push(`  ${s.id}  ${s.title}   ${shellCommand('pulser', 'approve', s.id)}`);
  }
  if (quarantined.length > 0) {
    lines.push(
      `${plural(quarantined.length, 'step')} ${noun(quarantined.length, 'is', 'are')} quarantined (retries exhausted):`,
    );
    for (const s of quarantined)
      lines.push(
        `  ${s.id}  ${s.title}: ${s.error ?? ''}   ${shellCommand('pulser', 'resolve', s.id)} retry|abort, or skip --reason TEXT`,
      );
  }
  lines.push(
    `then continue with: ${shellCommand('pulser', 'run', '--resume', run.id)}   (or keep a \`pulser worker\` running)`,
  );
  return lines.join('\n');
}
