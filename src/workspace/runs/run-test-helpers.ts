/**
 * Helpers of the runtime tests: temp workspaces (optionally on a manual clock), plans written
 * and imported, and checks of the event log (hash chain intact, every step's events a valid
 * path through the state machine that ends in the state the table holds).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../store/clock.js';
import type { StoredEvent } from '../../store/events.js';
import type { StepState } from '../../store/run-store.js';
import { eventDigest, GENESIS_HASH } from '../../util/chain.js';
import { importPlan } from '../plans/import-plan.js';
import { openWorkspace, type Workspace } from '../open.js';

/** A fresh project folder with a workspace; `done` closes and removes it. */
export async function runWorkspace(
  options: { clock?: Clock; durability?: 'full' | 'normal' } = {},
): Promise<{ ws: Workspace; root: string; done: () => Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'pulser-rt-'));
  const ws = await openWorkspace({
    root,
    create: true,
    env: options.durability === undefined ? {} : { PULSER_DURABILITY: options.durability },
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  return {
    ws,
    root,
    done: async () => {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Writes `text` to `root/name` and imports it. */
export async function addPlan(ws: Workspace, name: string, text: string): Promise<string> {
  const file = join(ws.root, name);
  writeFileSync(file, text);
  const { stored } = await importPlan(ws, file, 'cli:test');
  return stored.id;
}

/** Every event of the workspace. */
export async function allEvents(ws: Workspace): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of ws.store.events.scan()) out.push(e);
  return out;
}

/** Problems of the hash chain: gaps in seq, a broken link, an event whose hash does not match. */
export function chainProblems(events: ReadonlyArray<StoredEvent>): string[] {
  const problems: string[] = [];
  let prev = GENESIS_HASH;
  events.forEach((e, i) => {
    if (e.seq !== i + 1) problems.push(`event ${e.seq} at position ${i + 1}`);
    if (e.prevHash !== prev) problems.push(`event ${e.seq} does not link to its predecessor`);
    const { seq, ts, type, actor, subject, data } = e;
    if (eventDigest(e.prevHash, { seq, ts, type, actor, subject, data }) !== e.hash) {
      problems.push(`event ${e.seq} hash mismatch`);
    }
    prev = e.hash;
  });
  return problems;
}

const NEXT: Readonly<Record<string, ReadonlyArray<StepState>>> = {
  'step.queued': ['queued'],
  'step.awaiting_approval': ['awaiting_approval'],
  'step.leased': ['leased'],
  'step.started': ['running'],
  'step.succeeded': ['succeeded'],
  'step.retry_scheduled': ['queued'],
  'step.quarantined': ['quarantined'],
  'step.cancelled': ['cancelled'],
  'step.skipped': ['skipped'],
};

const FROM: Readonly<Record<string, ReadonlyArray<StepState | null>>> = {
  'step.queued': [
    null,
    'awaiting_approval',
    'quarantined',
    'failed',
    'timed_out',
    'cancelled',
    'leased',
    'running',
  ],
  // A person's retry of a step without authority (or once rejected) waits for a person again.
  'step.awaiting_approval': [
    null,
    'queued',
    'awaiting_approval',
    'quarantined',
    'failed',
    'timed_out',
    'cancelled',
  ],
  'step.leased': ['queued'],
  'step.started': ['leased'],
  'step.succeeded': ['running'],
  'step.skipped': ['quarantined'],
};

/**
 * Replays every step's events and returns mismatches: an event that is not allowed in the
 * state the earlier events left the step in, or a final replayed state that differs from the
 * table. An acknowledged transition that was lost shows up here.
 */
export async function replayProblems(ws: Workspace): Promise<string[]> {
  const problems: string[] = [];
  const state = new Map<string, StepState | null>();
  const failedAs = new Map<string, StepState>();
  for (const e of await allEvents(ws)) {
    if (!e.type.startsWith('step.') || e.subject === null) continue;
    const id = e.subject;
    const cur = state.get(id) ?? null;
    const d = e.data as { leaseExpired?: boolean; aborted?: boolean };
    const allowed = FROM[e.type];
    if (allowed !== undefined && !allowed.includes(cur)) {
      problems.push(`${id}: ${e.type} (seq ${e.seq}) in state ${String(cur)}`);
    }
    if (e.type === 'step.failed' || e.type === 'step.timed_out') {
      const ok = d.aborted === true ? cur === 'quarantined' : cur === 'running' || cur === 'leased';
      if (!ok) problems.push(`${id}: ${e.type} (seq ${e.seq}) in state ${String(cur)}`);
      const as: StepState = e.type === 'step.timed_out' ? 'timed_out' : 'failed';
      failedAs.set(id, as);
      state.set(id, as);
      continue;
    }
    if (e.type === 'step.rejected') {
      state.set(id, 'failed');
      continue;
    }
    const next = NEXT[e.type];
    if (next !== undefined) state.set(id, next[0]!);
  }
  for (const [id, replayed] of state) {
    const step = await ws.store.runs.getStep(id);
    if (step === null) {
      problems.push(`${id}: in the log but not in the table`);
      continue;
    }
    if (step.state !== replayed) {
      problems.push(`${id}: table says ${step.state}, events say ${String(replayed)}`);
    }
  }
  return problems;
}

/** Waits (polling, up to `ms`) until `check` is true; throws when it never is. */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms = 20_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
