/**
 * Write-back: check or uncheck an item, or set a task's status, in the plan's own file. The
 * file is edited in place, byte for byte identical outside the edited characters, never over
 * changes made on disk since the import, atomically; then the plan is re-imported.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { compilePlan } from '../../compile/index.js';
import { ConflictError, StateError, UsageError, isPulserError } from '../../errors/index.js';
import type { Plan, PlanDiff, TaskStatus } from '../../ir/index.js';
import { diffPlans } from '../../ir/index.js';
import { decodeSource, lineIndexAt, lineStarts } from '../../source/index.js';
import type { PlanWrite } from '../../store/plan-store.js';
import { sha256Hex } from '../../util/hash.js';
import { gateForPromotion, recordForcedPromotion } from '../gates/gate.js';
import { storePlan } from './import-plan.js';
import type { Workspace } from '../open.js';
import { cliActor, readPlanFile } from '../plan-file.js';
import { nodeIndex, resolveNode, type AnyNode, type ResolvedNode } from '../resolve.js';
import { applyTextEdits, type TextEdit } from './source-edit.js';
import { boxEdit, checkboxAt, statusCandidates, type EditContext } from './status-edit.js';
import { shellCommand } from '../../util/shell-quote.js';

/** The statuses `setStatus` accepts. */
export const TASK_STATUSES: ReadonlyArray<TaskStatus> = [
  'open',
  'in_progress',
  'done',
  'blocked',
  'deferred',
];

/** What a write-back did. */
export interface WriteResult {
  readonly planId: string;
  readonly nodeId: string;
  /** Workspace-relative path of the file. */
  readonly path: string;
  /** False when the document already said so (nothing was written). */
  readonly changed: boolean;
  readonly edits: PlanWrite['edits'];
  /** The plan's version after the write. */
  readonly version: number;
  readonly diff: PlanDiff | null;
}

interface Attempt {
  readonly action: string;
  readonly status?: { readonly before: string; readonly after: string };
  readonly resolved: ResolvedNode;
  readonly candidates: (ctx: EditContext) => TextEdit[][] | 'noop';
  readonly accept: (node: AnyNode | undefined) => boolean;
  readonly failure: string;
}

function sameIds(before: Plan, after: Plan): boolean {
  const d = diffPlans(before, after);
  return d.added.length === 0 && d.removed.length === 0;
}

/**
 * Puts `bytes` in place of `file` atomically, after checking that the file still has
 * `expectedSha`; returns a function that restores the original file exactly (same inode, by
 * renaming a hard link back; a copy where links are not supported), and one that forgets it.
 * Nothing is changed when this throws.
 */
function replaceFile(
  file: string,
  bytes: Uint8Array,
  original: Uint8Array,
  expectedSha: string,
  shown: string,
): { restore: () => void; commit: () => void } {
  const mode = statSync(file).mode & 0o7777;
  const tmpName = (what: string): string =>
    join(dirname(file), `.${basename(file)}.pulser-${what}-${randomBytes(4).toString('hex')}.tmp`);
  const next = tmpName('new');
  const backup = tmpName('old');
  try {
    writeFileDurably(next, bytes, mode);
    try {
      linkSync(file, backup);
    } catch {
      writeFileDurably(backup, original, mode);
    }
    if (sha256Hex(readPlanFile(file, shown)) !== expectedSha) {
      throw new ConflictError(
        `${shown} changed on disk while Pulser was editing it; nothing was written`,
        {
          file: shown,
          hint: `run \`${shellCommand('pulser', 'import', shown)}\`, then retry`,
        },
      );
    }
    renameSync(next, file);
  } catch (error) {
    rmSync(next, { force: true });
    rmSync(backup, { force: true });
    throw error;
  }
  return {
    restore: () => renameSync(backup, file),
    commit: () => rmSync(backup, { force: true }),
  };
}

function writeFileDurably(file: string, bytes: Uint8Array, mode: number): void {
  const fd = openSync(file, 'wx', mode);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, mode);
}

async function writeBack(ws: Workspace, attempt: Attempt, actor: string): Promise<WriteResult> {
  const { stored, node } = attempt.resolved;
  const nodeId = node.kind === 'plan' ? stored.id : node.id;
  const file = resolve(ws.root, stored.path);
  const bytes = readPlanFile(file, stored.path);
  const sha = sha256Hex(bytes);
  if (sha !== stored.sha256) {
    throw new ConflictError(
      `${stored.path} changed on disk since it was imported; nothing was written (your edits are kept)`,
      {
        file: stored.path,
        hint: `run \`${shellCommand('pulser', 'import', stored.path)}\` to re-import it, then retry`,
      },
    );
  }
  const decoded = decodeSource(bytes, { path: stored.path });
  const starts = lineStarts(decoded.text);
  const ctx: EditContext = { text: decoded.text, starts, repairedFrom: stored.plan.repairedFrom };
  const candidates = attempt.candidates(ctx);
  const unchanged = { planId: stored.id, nodeId, path: stored.path, version: stored.version };
  if (candidates === 'noop') return { ...unchanged, changed: false, edits: [], diff: null };
  for (const edits of candidates) {
    let next: Uint8Array;
    try {
      next = applyTextEdits(bytes, decoded.text, decoded, edits, stored.path);
    } catch {
      continue;
    }
    const { plan } = compilePlan(next, { path: stored.path });
    if (
      plan === null ||
      !sameIds(stored.plan, plan) ||
      !attempt.accept(nodeIndex(plan).get(nodeId))
    ) {
      continue;
    }
    const write: PlanWrite = {
      action: attempt.action,
      nodeId,
      fromSha256: sha,
      toSha256: plan.source.sha256,
      ...(attempt.status === undefined
        ? {}
        : { statusBefore: attempt.status.before, statusAfter: attempt.status.after }),
      edits: edits.map((e) => {
        const line = lineIndexAt(starts, e.offset);
        return {
          line: line + 1,
          column: e.offset - (starts[line] ?? 0) + 1,
          from: e.from,
          to: e.to,
        };
      }),
    };
    // The file and the store change together or not at all: the file is replaced first (its
    // original kept), then the write is recorded; when recording fails, the original is put
    // back, byte for byte, and the error says why.
    const replaced = replaceFile(file, next, bytes, sha, stored.path);
    let saved: Awaited<ReturnType<typeof storePlan>>;
    try {
      saved = await storePlan(ws, stored.path, plan, actor, write);
    } catch (error) {
      try {
        replaced.restore();
      } catch (restoreError) {
        throw new StateError(
          `${stored.path} was edited but the write could not be recorded (${(error as Error).message}), and the original could not be put back (${(restoreError as Error).message})`,
          {
            file: stored.path,
            hint: `undo the edit by hand, or run \`pulser import ${stored.path}\` to record it`,
          },
        );
      }
      if (error instanceof Error && isPulserError(error)) {
        error.message = `${error.message}; ${stored.path} was left unchanged`;
      }
      throw error;
    }
    replaced.commit();
    return {
      ...unchanged,
      changed: true,
      edits: write.edits,
      version: saved.stored.version,
      diff: saved.diff,
    };
  }
  throw new StateError(`${attempt.failure}; the file was not changed`, {
    file: stored.path,
    line: node.kind === 'plan' ? 1 : node.pos.line,
    hint: 'edit the file by hand, then run `pulser import` on it',
  });
}

async function setChecked(
  ws: Workspace,
  ref: string,
  checked: boolean,
  actor: string,
): Promise<WriteResult> {
  const resolved = await resolveNode(ws, ref);
  const { node } = resolved;
  const checkable =
    node.kind === 'item' ||
    (node.kind === 'criterion' && node.checked !== undefined) ||
    node.kind === 'task';
  if (!checkable) {
    throw new UsageError(`${ref} is a ${node.kind}, not a checklist item`, {
      hint:
        node.kind === 'phase'
          ? 'use `pulser set-status` for phases and tasks'
          : 'use `pulser show` to see the IDs of its items',
    });
  }
  const pos = node.pos;
  return writeBack(
    ws,
    {
      action: checked ? 'check-item' : 'uncheck-item',
      resolved,
      candidates: (ctx) => {
        const at = checkboxAt(ctx, pos.line, pos.column);
        if (at < 0) {
          throw new UsageError(`${ref} has no checkbox in the document`, {
            file: resolved.stored.path,
            line: pos.line,
            hint: 'use `pulser set-status` for tasks without a checkbox',
          });
        }
        const edit = boxEdit(ctx, at, checked);
        return edit === null ? 'noop' : [[edit]];
      },
      accept: (n) =>
        n !== undefined &&
        (n.kind === 'item' || n.kind === 'criterion' || n.kind === 'task') &&
        (n.kind === 'task' ? (n.status === 'done') === checked : n.checked === checked),
      failure: `cannot ${checked ? 'check' : 'uncheck'} ${ref}`,
    },
    actor,
  );
}

/**
 * Check the checklist item `ref` in its document (a no-op when it is already checked).
 *
 * @example
 * await checkItem(ws, 'plan/runs-created-successfully');
 */
export function checkItem(
  ws: Workspace,
  ref: string,
  actor: string = cliActor(),
): Promise<WriteResult> {
  return setChecked(ws, ref, true, actor);
}

/** Uncheck the checklist item `ref` in its document (a no-op when it is not checked). */
export function uncheckItem(
  ws: Workspace,
  ref: string,
  actor: string = cliActor(),
): Promise<WriteResult> {
  return setChecked(ws, ref, false, actor);
}

/** The edits of the last `set-status` of `nodeId` that left `status`, to be reverted exactly. */
async function undoOf(
  ws: Workspace,
  planId: string,
  nodeId: string,
  status: TaskStatus,
): Promise<PlanWrite['edits'] | null> {
  const events = await ws.store.events.read({
    types: ['plan.written'],
    subject: planId,
    limit: 1_000_000,
  });
  const last = events.at(-1)?.data as (PlanWrite & { planId: string }) | undefined;
  if (last === undefined || last.nodeId !== nodeId || last.action !== 'set-status') return null;
  return last.statusBefore === status ? last.edits : null;
}

function undoCandidates(edits: PlanWrite['edits'] | null, ctx: EditContext): TextEdit[][] {
  if (edits === null || edits.length === 0) return [];
  const sorted = [...edits].sort((a, b) => a.line - b.line || a.column - b.column);
  const reverted: TextEdit[] = [];
  let line = -1;
  let shift = 0;
  for (const e of sorted) {
    const start = ctx.starts[e.line - 1];
    if (start === undefined) return [];
    if (e.line !== line) shift = 0;
    line = e.line;
    const offset = start + e.column - 1 + shift;
    if (!ctx.text.startsWith(e.to, offset)) return [];
    reverted.push({ offset, from: e.to, to: e.from });
    shift += e.to.length - e.from.length;
  }
  return [reverted];
}

/** Throws a UsageError unless `value` is a task status. */
export function parseTaskStatus(value: string): TaskStatus {
  const v = value.trim().toLowerCase().replace(/[- ]/gu, '_');
  if ((TASK_STATUSES as ReadonlyArray<string>).includes(v)) return v as TaskStatus;
  throw new UsageError(`invalid status ${JSON.stringify(value)}`, {
    hint: `use one of: ${TASK_STATUSES.join(', ')}`,
  });
}

/**
 * Set the status of task (or phase) `ref` in its document: flip its checkbox, replace the status
 * text it shows (`(DONE)`, `→ Open`, `Status: Open`, `✅`), or append a mark to its title line.
 *
 * @example
 * await setStatus(ws, 'lift-sys-62', 'done');
 */
export async function setStatus(
  ws: Workspace,
  ref: string,
  status: TaskStatus,
  actor: string = cliActor(),
  promotion: { readonly force?: boolean; readonly reason?: string } = {},
): Promise<WriteResult> {
  const resolved = await resolveNode(ws, ref);
  const { node } = resolved;
  if (node.kind !== 'task' && node.kind !== 'phase') {
    throw new UsageError(`${ref} is a ${node.kind}, not a task or phase`, {
      hint:
        node.kind === 'item'
          ? 'use `pulser check-item` for checklist items'
          : 'give the ID of a task or a phase',
    });
  }
  // A phase is not marked done while its gate does not pass, unless forced (see gate.ts).
  const gate =
    node.kind === 'phase' && status === 'done' && node.status !== 'done'
      ? await gateForPromotion(ws, resolved.stored.id, node.id, { ...promotion, actor })
      : null;
  const undo = await undoOf(ws, resolved.stored.id, node.id, status);
  const result = await writeBack(
    ws,
    {
      action: 'set-status',
      status: { before: node.status, after: status },
      resolved,
      candidates: (ctx) =>
        node.status === status
          ? 'noop'
          : [...undoCandidates(undo, ctx), ...statusCandidates(node, status, ctx)],
      accept: (n) =>
        n !== undefined && (n.kind === 'task' || n.kind === 'phase') && n.status === status,
      failure: `cannot write status ${status} for ${ref} in a way the plan reads back`,
    },
    actor,
  );
  if (gate !== null && result.changed) {
    await recordForcedPromotion(ws, resolved.stored.id, gate, { ...promotion, actor });
  }
  return result;
}
