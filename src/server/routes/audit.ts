/** The audit route: the ledger's events, newest first, filtered and paged. */
import { Hono } from 'hono';
import { auditEvents } from '../../workspace/ledger/audit.js';
import type { AppEnv } from '../context.js';
import { HttpError } from '../errors.js';
import { optionalInt } from '../input.js';

function time(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) {
    throw new HttpError(
      400,
      'E_USAGE',
      `"${name}" must be a date and time`,
      'e.g. 2026-12-03T17:00:00Z',
    );
  }
  return new Date(t).toISOString();
}

/** Routes under `/api/w/:ws/` about the audit trail. */
export function auditRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/audit', async (c) => {
    const q = c.req.query();
    const types = (q.type ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    if (types.length > 20 || types.some((t) => !/^[a-z_.]{1,60}$/u.test(t))) {
      throw new HttpError(400, 'E_USAGE', 'bad "type"', 'event types like step.skipped or trust.');
    }
    const actor = q.actor === undefined || q.actor === '' ? undefined : q.actor;
    if (actor !== undefined && (actor.length > 200 || actor.includes('\0'))) {
      throw new HttpError(400, 'E_USAGE', 'bad "actor"');
    }
    const since = time(q.since, 'since');
    const until = time(q.until, 'until');
    const before = optionalInt(q.before, 'before', Number.MAX_SAFE_INTEGER);
    const limit = optionalInt(q.limit, 'limit', 500) ?? 50;
    return c.json(
      await auditEvents(c.var.tenant.ws, {
        types,
        limit,
        ...(actor === undefined ? {} : { actor }),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
        ...(before === undefined ? {} : { before }),
      }),
    );
  });
  return app;
}
