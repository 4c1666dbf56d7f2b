/**
 * Gate routes: each phase's gate with its criteria verdicts and evidence, metrics against their
 * targets (from the ledger), a person's signoff of a criterion, a measured value, and running
 * the checks. Each route authorizes, validates and calls the library functions the CLI uses
 * (`check-signoff.ts`, `metric.ts`, `check.ts`, `gate-views.ts`) with the caller as actor.
 * `POST /check` runs command verifiers only through `checkTarget`'s runtime boundary, under the
 * plan's trust rules: nothing here can vouch for a command.
 */
import { Hono } from 'hono';
import { signoff } from '../../workspace/checks/check-signoff.js';
import { checkTarget } from '../../workspace/checks/check.js';
import { planGates, redecide, type GateView } from '../../workspace/gates/gate-views.js';
import { recordMetric } from '../../workspace/checks/metric.js';
import { verdictTable } from '../../workspace/checks/verdict-table.js';
import type { AppEnv } from '../context.js';
import { HttpError } from '../errors.js';
import { idParam, optionalString, requireString } from '../input.js';
import { mutation } from './runs.js';

function planQuery(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : idParam(value, 'plan');
}

/** Routes under `/api/w/:ws/` about gates, criteria and metrics. */
export function gateRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/gates', async (c) =>
    c.json({ plans: await planGates(c.var.tenant.ws, planQuery(c.req.query('plan'))) }),
  );

  app.get('/metrics', async (c) => {
    const plans = await planGates(c.var.tenant.ws, planQuery(c.req.query('plan')));
    return c.json({
      metrics: plans.flatMap((p) => p.metrics.map((m) => ({ planId: p.planId, ...m }))),
    });
  });

  app.post('/gates/:id{.+}/signoff', async (c) => {
    const { id, body, actor } = await mutation(c, 'gate.signoff', ['reason', 'note', 'verdict']);
    const reason = optionalString(body, 'reason', 2000) ?? optionalString(body, 'note', 2000);
    if (reason === undefined || reason.trim() === '') {
      throw new HttpError(
        400,
        'E_USAGE',
        'a signoff needs a reason',
        'send {"reason": "what you checked"}',
      );
    }
    const verdict = body.verdict ?? 'pass';
    if (verdict !== 'pass' && verdict !== 'fail') {
      throw new HttpError(400, 'E_USAGE', 'field "verdict" must be one of: pass, fail');
    }
    const ws = c.var.tenant.ws;
    const { data, event } = await signoff(ws, id, { reason, verdict, actor });
    const recorded = await redecide(ws, data.planId, data.criterion, actor);
    const [plan] = await planGates(ws, data.planId);
    const criterion = plan?.criteria.find((x) => x.id === data.criterion) ?? null;
    const gate: GateView | null = plan?.gates.find((g) => g.phaseId === criterion?.phaseId) ?? null;
    return c.json({
      signoff: { ...data, seq: event.seq, at: event.ts, actor },
      criterion,
      gate,
      recorded,
    });
  });

  app.post('/metrics/:id{.+}', async (c) => {
    const { id, body, actor } = await mutation(c, 'metric.record', ['value', 'note']);
    const raw = body.value;
    if (typeof raw !== 'string' && typeof raw !== 'number') {
      throw new HttpError(
        400,
        'E_USAGE',
        'missing field "value"',
        'a number, optionally with a unit or scale: 7.5, "7.5%", "4.2/5", "120 ms"',
      );
    }
    const value = typeof raw === 'number' ? String(raw) : requireString(body, 'value', 100);
    const note = optionalString(body, 'note', 2000);
    const ws = c.var.tenant.ws;
    const r = await recordMetric(ws, id, value, {
      actor,
      ...(note === undefined ? {} : { note }),
    });
    const recorded = await redecide(ws, r.planId, r.metric, actor);
    const [plan] = await planGates(ws, r.planId);
    return c.json({
      metric: plan?.metrics.find((m) => m.id === r.metric) ?? null,
      gates: plan?.gates.filter((g) => g.metrics.includes(r.metric)) ?? [],
      recorded,
    });
  });

  app.post('/check', async (c) => {
    const { body, actor } = await mutation(c, 'check.run', ['target']);
    const target = requireString(body, 'target', 300);
    const result = await checkTarget(c.var.tenant.ws, target, { actor });
    return c.json(verdictTable(result));
  });

  return app;
}
