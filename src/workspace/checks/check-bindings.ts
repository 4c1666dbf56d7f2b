/**
 * Which verifier decides each criterion of a plan. In order of precedence:
 *
 * 1. an annotation on the criterion's line in the plan, an HTML comment that does not show when
 *    the markdown is rendered: `- [ ] Tests pass <!-- verify: command \`npm test\` -->`;
 * 2. the sidecar file `pulser.verifiers.json` in the plan's folder, a JSON object keyed by
 *    criterion ID (or `planId:criterionId`), each value a verifier;
 * 3. the verifier the compiler derived (a criterion stating a target becomes a metric verifier);
 * 4. otherwise a person decides: the criterion needs a signoff (`manual`).
 *
 * A criterion bound by both an annotation and the sidecar is an error (keep one).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../errors/index.js';
import type { Criterion, Plan, Verifier } from '../../ir/index.js';
import { phaseCriteria } from '../../ir/walk.js';
import { decodeSource, lineStarts, lineText } from '../../source/index.js';
import type { StoredPlan } from '../../store/plan-store.js';
import { sha256Hex } from '../../util/hash.js';
import { findAnnotation, fromUnknown, parseAnnotation } from '../../verify/index.js';
import type { Workspace } from '../open.js';
import { closeIds } from '../resolve.js';
import { shellCommand } from '../../util/shell-quote.js';

/** The sidecar file name, looked up in the folder of each plan. */
export const SIDECAR_FILE = 'pulser.verifiers.json';

/** Where a criterion's verifier comes from. */
export type BindingSource = 'annotation' | 'sidecar' | 'plan' | 'default';

/** The verifier of one criterion, or why it has none that can run. */
export interface Binding {
  readonly criterion: Criterion;
  /** The phase holding the criterion, or null for criteria outside phases. */
  readonly phaseId: string | null;
  readonly source: BindingSource;
  /** `file:line` of the annotation or `file` of the sidecar entry. */
  readonly where: string;
  readonly verifier: Verifier | null;
  /** Set when the binding is unusable: the criterion's verdict is an error with this message. */
  readonly problem?: string;
}

/** Every criterion of a plan with the phase holding it (null outside phases). */
export function planCriteria(plan: Plan): Array<{ criterion: Criterion; phaseId: string | null }> {
  const out: Array<{ criterion: Criterion; phaseId: string | null }> = [];
  for (const c of plan.criteria) out.push({ criterion: c, phaseId: null });
  for (const t of plan.tasks) for (const c of t.criteria) out.push({ criterion: c, phaseId: null });
  for (const p of plan.phases)
    for (const c of phaseCriteria(p)) out.push({ criterion: c, phaseId: p.id });
  return out;
}

function readSidecar(file: string, shown: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`cannot read ${shown}: ${(error as Error).message}`, { file: shown });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${shown} is not valid JSON: ${(error as Error).message}`, {
      file: shown,
      hint: 'it must be a JSON object keyed by criterion ID, e.g. {"phase-1/exit/tests-pass": {"kind": "command", "command": "npm test"}}',
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError(`${shown} must be a JSON object keyed by criterion ID`, { file: shown });
  }
  return json as Record<string, unknown>;
}

/** The lines of the plan's file as imported; refuses a file changed since its import. */
function planLines(ws: Workspace, stored: StoredPlan): (line: number) => string {
  const file = resolve(ws.root, stored.path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InputError(
      `cannot read ${stored.path} to find its verifier annotations: ${(error as Error).message}`,
      {
        file: stored.path,
        hint: 'restore the file, or import the plan again from where it is now',
      },
    );
  }
  if (sha256Hex(bytes) !== stored.sha256) {
    throw new InputError(`${stored.path} changed on disk since it was imported`, {
      file: stored.path,
      hint: `run \`${shellCommand('pulser', 'import', stored.path)}\` first, so that the checked plan is the one on disk`,
    });
  }
  const text = decodeSource(bytes, { path: stored.path }).text;
  const starts = lineStarts(text);
  return (line) => lineText(text, starts, line - 1);
}

/** A metric reference of an annotation: a metric ID of the plan, or the unique one ending with it. */
function metricId(plan: Plan, ref: string): string | undefined {
  if (plan.metrics.some((m) => m.id === ref)) return ref;
  const found = plan.metrics.filter((m) => m.id.endsWith(`/${ref}`));
  return found.length === 1 ? found[0]!.id : undefined;
}

function annotationBinding(
  plan: Plan,
  body: string,
): { verifier: Verifier | null; problem?: string } {
  const targets = new Map(plan.metrics.map((m) => [m.id, m.target]));
  const parsed = parseAnnotation(body, targets);
  if (!parsed.ok) return { verifier: null, problem: parsed.message };
  const v = parsed.verifier;
  if (v.kind !== 'metric') return { verifier: v };
  const id = metricId(plan, v.metric);
  if (id !== undefined) {
    const m = plan.metrics.find((x) => x.id === id)!;
    return {
      verifier: { kind: 'metric', metric: id, target: v.target === '' ? m.target : v.target },
    };
  }
  if (v.target === '') {
    return {
      verifier: null,
      problem: `no metric ${v.metric} in the plan; give its target too: metric ${v.metric} <50 ms`,
    };
  }
  return { verifier: v };
}

/**
 * Resolves the verifier of every criterion of `stored` (see the module comment for the rules).
 * Throws an InputError for a sidecar that is not a JSON object or names unknown criteria, and
 * for a plan file changed since its import; a bad annotation or entry is a binding `problem`.
 *
 * @example
 * const bindings = await resolveBindings(ws, stored); // Map criterion ID → Binding
 */
export async function resolveBindings(
  ws: Workspace,
  stored: StoredPlan,
): Promise<Map<string, Binding>> {
  const plan = stored.plan;
  const folder = dirname(stored.path);
  const elsewhere = new Set(
    (await ws.store.plans.list())
      .filter((p) => p.id !== stored.id && dirname(p.path) === folder)
      .flatMap((p) => planCriteria(p.plan).map((c) => c.criterion.id)),
  );
  const criteria = planCriteria(plan);
  const byId = new Map(criteria.map((c) => [c.criterion.id, c]));
  const line = planLines(ws, stored);
  const sidecarShown = join(folder, SIDECAR_FILE).split('\\').join('/');
  const sidecar = readSidecar(resolve(ws.root, sidecarShown), sidecarShown) ?? {};
  const entries = new Map<string, unknown>();
  for (const [key, value] of Object.entries(sidecar)) {
    if (key.startsWith('$')) continue; // "$schema", "$comment"
    const colon = key.indexOf(':');
    const planId = colon > 0 ? key.slice(0, colon) : null;
    const id = colon > 0 ? key.slice(colon + 1) : key;
    if (planId !== null && planId !== stored.id) continue;
    if (!byId.has(id)) {
      if (planId === null && elsewhere.has(id)) continue; // a sibling plan's criterion
      const close = closeIds(
        id,
        criteria.map((c) => ({
          planId: stored.id,
          nodeId: c.criterion.id,
          kind: 'criterion',
          title: '',
        })),
      );
      throw new InputError(
        `${sidecarShown}: no criterion ${JSON.stringify(key)} in plan ${stored.id}`,
        {
          file: sidecarShown,
          hint:
            close.length > 0
              ? `did you mean ${close.join(', ')}?`
              : 'run `pulser show PHASE-ID` to see criterion IDs',
        },
      );
    }
    entries.set(id, value);
  }
  const out = new Map<string, Binding>();
  for (const { criterion, phaseId } of criteria) {
    const lines: string[] = [];
    for (let l = criterion.pos.line; l <= (criterion.pos.endLine ?? criterion.pos.line); l++)
      lines.push(line(l));
    const at = lines.findIndex((l) => findAnnotation(l) !== undefined);
    const body = at < 0 ? undefined : findAnnotation(lines[at]!);
    const where = `${stored.path}:${criterion.pos.line + Math.max(0, at)}`;
    const entry = entries.get(criterion.id);
    const base = { criterion, phaseId };
    if (body !== undefined && entry !== undefined) {
      out.set(criterion.id, {
        ...base,
        source: 'annotation',
        where,
        verifier: null,
        problem: `bound twice: by the annotation at ${where} and by ${sidecarShown}; keep one`,
      });
    } else if (body !== undefined) {
      const b = annotationBinding(plan, body);
      out.set(criterion.id, {
        ...base,
        source: 'annotation',
        where,
        ...b,
        ...(b.problem === undefined ? {} : { problem: `${where}: ${b.problem}` }),
      });
    } else if (entry !== undefined) {
      const r = fromUnknown(entry);
      out.set(
        criterion.id,
        r.ok
          ? { ...base, source: 'sidecar', where: sidecarShown, verifier: r.verifier }
          : {
              ...base,
              source: 'sidecar',
              where: sidecarShown,
              verifier: null,
              problem: `${sidecarShown} "${criterion.id}": ${r.message}`,
            },
      );
    } else if (criterion.verifier !== undefined) {
      out.set(criterion.id, {
        ...base,
        source: 'plan',
        where: `${stored.path}:${criterion.pos.line}`,
        verifier: criterion.verifier,
      });
    } else {
      out.set(criterion.id, {
        ...base,
        source: 'default',
        where: `${stored.path}:${criterion.pos.line}`,
        verifier: { kind: 'manual' },
      });
    }
  }
  return out;
}
