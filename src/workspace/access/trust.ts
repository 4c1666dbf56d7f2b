/**
 * Trust: the `direnv allow` model for plans. `trustPlan` binds trust to the content hash of the
 * plan version a person reviewed and to the digest of each executable in it (every step, every
 * command verifier). A step runs only while its (plan, node, digest) is covered by an active
 * grant: an edit that changes a command changes its digest, so that command is untrusted again
 * until someone trusts the new version, while commands the edit left unchanged stay trusted.
 * Agents never grant trust.
 */
import { resolve } from 'node:path';
import { ConflictError, NotFoundError, TrustError, UsageError } from '../../errors/index.js';
import type { Plan } from '../../ir/schema.js';
import { allSteps, allTasks } from '../../ir/walk.js';
import { commandDigest } from '../../ir/digest.js';
import type { StoredPlan } from '../../store/plan-store.js';
import type { StepRecord, TrustGrant, TrustItem } from '../../store/run-store.js';
import { notifyWork } from '../../engine/worker.js';
import type { Workspace } from '../open.js';
import { resolveBindings } from '../checks/check-bindings.js';
import { readPlanFile, workspacePath } from '../plan-file.js';
import { sha256Hex } from '../../util/hash.js';
import { shellCommand } from '../../util/shell-quote.js';

/** An executable of a plan: a step or a command verifier, with what trust binds to. */
export interface Executable extends TrustItem {
  readonly kind: 'step' | 'verifier';
  readonly title: string;
  readonly command: string;
  /** The interpreter (fence language) of a step; absent for verifiers (they run in `/bin/sh`). */
  readonly language?: string;
}

/**
 * The digest of a list of executables as a reviewer sees it (`GET /trust`, `pulser trust
 * --show`): each one's kind, node and command digest, in order. A grant that names it covers
 * exactly those commands: if the plan or its `pulser.verifiers.json` changed since, the digests
 * differ and the grant is refused.
 */
export function commandsDigest(list: ReadonlyArray<Executable>): string {
  return sha256Hex(JSON.stringify(list.map((e) => [e.kind, e.nodeId, e.digest])));
}

/** Every executable of a plan, in document order. */
export function executables(plan: Plan): Executable[] {
  const out: Executable[] = [];
  for (const s of allSteps(plan)) {
    out.push({
      kind: 'step',
      nodeId: s.id,
      title: s.title,
      command: s.input,
      language: s.language,
      digest: commandDigest(s.tool, s.language, s.input),
    });
  }
  const criteria = [
    ...plan.criteria,
    ...[...allTasks(plan)].flatMap((t) => t.criteria),
    ...plan.phases.flatMap((p) => p.criteria),
  ];
  for (const c of criteria) {
    if (c.verifier?.kind !== 'command') continue;
    out.push({
      kind: 'verifier',
      nodeId: c.id,
      title: c.text,
      command: c.verifier.command,
      digest: commandDigest('shell', undefined, c.verifier.command),
    });
  }
  return out;
}

/**
 * Every executable of an imported plan: its steps and the command verifier of each criterion as
 * `check` binds it (the plan's annotations and `pulser.verifiers.json` next to it). Trusting a
 * plan trusts the sidecar's commands as they are at that moment, each bound to its criterion and
 * command digest: an edit of the sidecar makes the edited command untrusted again. When the
 * bindings cannot be read (file changed since import, bad sidecar), only the plan's own
 * executables are listed, so nothing else is trusted.
 */
export async function planExecutables(ws: Workspace, stored: StoredPlan): Promise<Executable[]> {
  const own = executables(stored.plan);
  let bindings: Awaited<ReturnType<typeof resolveBindings>>;
  try {
    bindings = await resolveBindings(ws, stored);
  } catch {
    return own;
  }
  const out = own.filter((e) => e.kind === 'step');
  for (const b of bindings.values()) {
    const v = b.verifier;
    if (b.problem !== undefined || v?.kind !== 'command') continue;
    out.push({
      kind: 'verifier',
      nodeId: b.criterion.id,
      title: b.criterion.text,
      command: v.command,
      digest: commandDigest('shell', undefined, v.command),
    });
  }
  return out;
}

function refuseAgents(actor: string): void {
  if (actor.startsWith('agent:')) {
    throw new TrustError(`${actor} cannot trust plans`, {
      hint: 'trust is a person reviewing a document: run `pulser trust FILE` yourself',
    });
  }
}

/**
 * Trusts the plan `planId` as stored with content hash `sha256` (the version the person
 * reviewed; refused if the stored plan has another hash) and, when given, with the commands
 * whose `commandsDigest` is `commands` (what the person saw, sidecar verifiers included;
 * refused when they changed since). Releases waiting steps it covers.
 * @example await trustPlan(ws, 'roadmap', stored.sha256, 'cli:ana');
 */
export async function trustPlan(
  ws: Workspace,
  planId: string,
  sha256: string,
  actor: string,
  commands?: string,
): Promise<{ grant: TrustGrant; released: StepRecord[]; trusted: Executable[] }> {
  refuseAgents(actor);
  const stored = await ws.store.plans.get(planId);
  if (stored === null) {
    throw new NotFoundError(`no plan with ID ${planId}`, {
      hint: 'run `pulser status` to see plan IDs',
    });
  }
  if (stored.sha256 !== sha256) {
    throw new ConflictError(
      `plan ${planId} is now at ${stored.sha256.slice(0, 12)}, not ${sha256.slice(0, 12)}: it changed since it was reviewed`,
      { file: stored.path, hint: 'review the current version, then trust it' },
    );
  }
  const trusted = await planExecutables(ws, stored);
  if (commands !== undefined && commands !== commandsDigest(trusted)) {
    throw new ConflictError(
      `the commands of plan ${planId} changed since they were reviewed (its verifiers file, pulser.verifiers.json, or the plan)`,
      {
        file: stored.path,
        hint: 'review the commands again (`pulser trust --show`, GET /trust), then trust what you saw',
      },
    );
  }
  const result = await ws.store.runs.grantTrust({
    planId,
    path: stored.path,
    sha256,
    actor,
    items: trusted.map(({ nodeId, digest }) => ({ nodeId, digest })),
  });
  notifyWork(ws.store.runs);
  return { ...result, trusted };
}

/**
 * Trusts the plan imported from `file` (relative to the current directory), as it is on disk
 * now; refused when the file changed since it was imported (re-import and review it first), or
 * when `commands` is given and the commands (sidecar verifiers included) are no longer those.
 */
export async function trustFile(
  ws: Workspace,
  file: string,
  actor: string,
  commands?: string,
): Promise<{ grant: TrustGrant; released: StepRecord[]; trusted: Executable[]; plan: StoredPlan }> {
  const abs = resolve(file);
  const bytes = readPlanFile(abs, file);
  const stored = await ws.store.plans.getByPath(workspacePath(ws.root, abs));
  if (stored === null) {
    throw new NotFoundError(`${file} has not been imported`, {
      file,
      hint: `run \`${shellCommand('pulser', 'import', file)}\` first`,
    });
  }
  const sha = sha256Hex(bytes);
  if (sha !== stored.sha256) {
    throw new ConflictError(`${file} changed since it was imported; trust what you reviewed`, {
      file,
      hint: `run \`${shellCommand('pulser', 'import', file)}\`, review the changes it prints, then trust it again`,
    });
  }
  return { ...(await trustPlan(ws, stored.id, sha, actor, commands)), plan: stored };
}

/** Revokes every trust grant of a plan; queued steps it covered go back to awaiting approval. */
export async function untrustPlan(
  ws: Workspace,
  planId: string,
  actor: string,
): Promise<{ revoked: TrustGrant[]; parked: StepRecord[] }> {
  const stored = await ws.store.plans.get(planId);
  if (stored === null) throw new NotFoundError(`no plan with ID ${planId}`);
  return ws.store.runs.revokeTrust(planId, actor);
}

/** Trust of one executable of a plan's current version. */
export interface ExecutableTrust extends Executable {
  /** `trusted`; `changed` (another version of this node was trusted); `untrusted`. */
  readonly trust: 'trusted' | 'changed' | 'untrusted';
}

/** Trust of one plan's current version. */
export interface PlanTrust {
  readonly planId: string;
  readonly path: string;
  readonly sha256: string;
  /** `full`: the current version was trusted; `partial`: some commands; `none`; `empty`: no commands. */
  readonly status: 'full' | 'partial' | 'none' | 'empty';
  readonly trustedBy: string | null;
  readonly trustedAt: string | null;
  readonly executables: ReadonlyArray<ExecutableTrust>;
  /** `commandsDigest` of `executables`: what `POST /trust` must name to trust them. */
  readonly commandsSha256: string;
}

/** Trust of every imported plan. */
export async function trustStatus(ws: Workspace): Promise<PlanTrust[]> {
  const grants = await ws.store.runs.listTrust();
  const out: PlanTrust[] = [];
  for (const stored of await ws.store.plans.list()) {
    const trusted = await ws.store.runs.trustedDigests(stored.id);
    const items: ExecutableTrust[] = (await planExecutables(ws, stored)).map((e) => {
      const digests = trusted.get(e.nodeId);
      const trust =
        digests?.has(e.digest) === true
          ? 'trusted'
          : digests !== undefined
            ? 'changed'
            : 'untrusted';
      return { ...e, trust };
    });
    const current = grants
      .filter((g) => g.planId === stored.id && g.sha256 === stored.sha256)
      .at(-1);
    const ok = items.filter((i) => i.trust === 'trusted').length;
    const status =
      items.length === 0
        ? 'empty'
        : ok === items.length
          ? current !== undefined
            ? 'full'
            : 'partial'
          : ok > 0
            ? 'partial'
            : 'none';
    out.push({
      planId: stored.id,
      path: stored.path,
      sha256: stored.sha256,
      status: current !== undefined && ok === items.length ? 'full' : status,
      trustedBy: current?.grantedBy ?? null,
      trustedAt: current?.grantedAt ?? null,
      executables: items,
      commandsSha256: commandsDigest(items),
    });
  }
  return out;
}

/** Checks a CLI `--plan` argument. */
export function checkPlanId(id: string | undefined): string {
  if (id === undefined || id.trim() === '') throw new UsageError('name a plan');
  return id.trim();
}
