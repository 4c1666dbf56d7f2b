/** Admin routes: API tokens and users of the workspace. */
import { Hono } from 'hono';
import { ROLES } from '../../store/auth-store.js';
import { authorize, createToken, listTokens, revokeToken } from '../../workspace/access/auth.js';
import type { AppEnv } from '../context.js';
import {
  idParam,
  onlyFields,
  optionalInt,
  optionalString,
  requireOneOf,
  requireString,
} from '../input.js';
import { readJson } from '../security.js';

/** Routes under `/api/w/:ws/` about tokens (admin only). */
export function tokenRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/tokens', async (c) => {
    authorize(c.var.principal, 'token.manage');
    const ws = c.var.tenant.ws;
    return c.json({
      tokens: await listTokens(ws, ['api', 'login', 'session']),
      users: await ws.store.auth.users(c.var.tenant.id),
    });
  });

  app.post('/tokens', async (c) => {
    authorize(c.var.principal, 'token.manage');
    const body = await readJson(c);
    // A token belongs to the workspace of the URL; a body naming another is refused, not ignored.
    onlyFields(body, ['role', 'user', 'label', 'ttlDays']);
    const days = optionalInt(body.ttlDays, 'ttlDays', 3650);
    const label = optionalString(body, 'label', 64);
    const created = await createToken(c.var.tenant.ws, {
      role: requireOneOf(body, 'role', ROLES),
      user: requireString(body, 'user', 64),
      ...(label === undefined ? {} : { label }),
      ttlMs: days === undefined || days === 0 ? null : days * 24 * 3600 * 1000,
      actor: c.var.principal.actor,
    });
    return c.json(created, 201);
  });

  app.delete('/tokens/:id', async (c) => {
    authorize(c.var.principal, 'token.manage');
    const id = idParam(c.req.param('id'));
    return c.json(await revokeToken(c.var.tenant.ws, id, c.var.principal.actor));
  });

  return app;
}
