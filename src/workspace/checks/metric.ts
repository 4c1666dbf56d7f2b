/**
 * Measured values of metrics: `pulser metric set ID VALUE` records who measured what and when
 * (`metric.recorded`); `check` compares the latest value against the metric's parsed target.
 */
import { NotFoundError, UsageError } from '../../errors/index.js';
import type { StoredEvent } from '../../store/events.js';
import type { StoredPlan } from '../../store/plan-store.js';
import { parseMeasuredValue } from '../../verify/index.js';
import { resolveBindings } from './check-bindings.js';
import type { MetricRecordedData } from './check-observe.js';
import type { Workspace } from '../open.js';
import { cliActor } from '../plan-file.js';
import { closeIds, resolveNode } from '../resolve.js';

/** What {@link recordMetric} recorded. */
export interface MetricRecorded {
  readonly planId: string;
  readonly metric: string;
  /** The metric's target as written, when the plan states one. */
  readonly target: string | null;
  readonly data: MetricRecordedData;
  readonly event: StoredEvent;
}

async function findMetric(
  ws: Workspace,
  ref: string,
): Promise<{ stored: StoredPlan; id: string; target: string | null }> {
  const plans = await ws.store.plans.list();
  const colon = ref.indexOf(':');
  const scoped = colon > 0 && plans.some((p) => p.id === ref.slice(0, colon));
  const planId = scoped ? ref.slice(0, colon) : null;
  const id = scoped ? ref.slice(colon + 1) : ref;
  const candidates: Array<{ stored: StoredPlan; id: string; target: string | null }> = [];
  for (const stored of plans) {
    if (planId !== null && stored.id !== planId) continue;
    for (const m of stored.plan.metrics) {
      const last = m.id.slice(m.id.lastIndexOf('/') + 1);
      if (m.id === id || m.id.endsWith(`/${id}`) || last.startsWith(id)) {
        candidates.push({ stored, id: m.id, target: m.target });
      }
    }
  }
  if (candidates.length === 0) {
    // A criterion stating a target names its metric; an annotation may name a metric of its own.
    try {
      const { stored, node } = await resolveNode(ws, ref);
      if (node.kind === 'criterion' && node.metric !== undefined) {
        const m = stored.plan.metrics.find((x) => x.id === node.metric);
        return { stored, id: node.metric, target: m?.target ?? null };
      }
    } catch {
      // fall through to annotations
    }
    for (const stored of plans) {
      if (planId !== null && stored.id !== planId) continue;
      for (const b of (await resolveBindings(ws, stored)).values()) {
        if (b.verifier?.kind === 'metric' && b.verifier.metric === id) {
          candidates.push({ stored, id, target: b.verifier.target });
          break;
        }
      }
    }
  }
  const exact = candidates.filter((c) => c.id === id);
  const found = exact.length > 0 ? exact : candidates;
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    throw new UsageError(
      `${ref} names several metrics: ${found.map((c) => `${c.stored.id}:${c.id}`).join(', ')}`,
      {
        hint: 'give the full metric ID (planId:metricId when several plans are imported)',
      },
    );
  }
  const close = closeIds(
    id,
    plans.flatMap((p) =>
      p.plan.metrics.map((m) => ({ planId: p.id, nodeId: m.id, kind: 'metric', title: m.name })),
    ),
  );
  throw new NotFoundError(`no metric ${ref}`, {
    hint:
      close.length > 0
        ? `did you mean ${close.join(', ')}?`
        : 'run `pulser metric list` to see the metrics and their targets',
  });
}

/**
 * Records a measured value of a metric (by ID, unique ID suffix, or a criterion stating a
 * target): `7.5`, `7.5%`, `4.2/5`, `0`. The event names who recorded it and when.
 *
 * @example
 * await recordMetric(ws, 'phase-e/metric/psi-memory-pressure-reduction-5', '7.5%');
 */
export async function recordMetric(
  ws: Workspace,
  ref: string,
  valueText: string,
  options: { readonly actor?: string; readonly note?: string } = {},
): Promise<MetricRecorded> {
  const value = parseMeasuredValue(valueText);
  if (value === undefined) {
    throw new UsageError(`${JSON.stringify(valueText)} is not a measured value`, {
      hint: 'give a number, optionally with a unit or a scale: 7.5, 7.5%, 4.2/5, 120 ms, 0',
    });
  }
  const { stored, id, target } = await findMetric(ws, ref);
  const data: MetricRecordedData = {
    planId: stored.id,
    metric: id,
    ...value,
    raw: valueText,
    ...(options.note === undefined ? {} : { note: options.note }),
  };
  const event = await ws.store.events.append({
    type: 'metric.recorded',
    actor: options.actor ?? cliActor(),
    subject: id,
    data,
  });
  return { planId: stored.id, metric: id, target, data, event };
}
