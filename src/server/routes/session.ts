/** Browser sign-in: exchange a login (or API) token for a session cookie; who am I; sign out. */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AuthError } from '../../errors/index.js';
import {
  PERMISSIONS,
  SESSION_TTL_MS,
  authenticate,
  can,
  checkCsrf,
  csrfToken,
  openSession,
  revokeToken,
  type Permission,
  type Principal,
} from '../../workspace/access/auth.js';
import type { AppEnv, Tenant } from '../context.js';
import { onlyFields, optionalString, requireString } from '../input.js';
import { CSRF_HEADER, SESSION_COOKIE, bearerToken, checkOrigin, readJson } from '../security.js';

function describe(principal: Principal, csrf: string | null, tenants: ReadonlyArray<Tenant>) {
  return {
    workspace: principal.workspace,
    workspaces: tenants.map((t) => t.id),
    user: principal.user,
    role: principal.role,
    kind: principal.kind,
    permissions: (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(principal.role, p)),
    csrf,
  };
}

async function whoIs(
  c: Context<AppEnv>,
  tenants: ReadonlyArray<Tenant>,
): Promise<{ principal: Principal; tenant: Tenant; cookie: string | null } | null> {
  const bearer = bearerToken(c);
  const cookie = bearer === null ? (getCookie(c, SESSION_COOKIE) ?? null) : null;
  const secret = bearer ?? cookie;
  if (secret === null) return null;
  for (const tenant of tenants) {
    const principal = await authenticate(
      tenant.ws,
      secret,
      bearer === null ? ['session'] : ['api'],
    );
    if (principal !== null) return { principal, tenant, cookie };
  }
  return null;
}

/** `/api/login`, `/api/session`, `/api/logout`. */
export function sessionRoutes(tenants: ReadonlyArray<Tenant>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/login', async (c) => {
    checkOrigin(c, false);
    const body = await readJson(c);
    onlyFields(body, ['token', 'workspace']);
    const token = requireString(body, 'token', 200).trim();
    const only = optionalString(body, 'workspace', 200);
    for (const tenant of tenants) {
      if (only !== undefined && tenant.id !== only) continue;
      const session = await openSession(tenant.ws, token);
      if (session === null) continue;
      setCookie(c, SESSION_COOKIE, session.secret, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
        secure: new URL(c.req.url).protocol === 'https:',
        maxAge: Math.floor(SESSION_TTL_MS / 1000),
      });
      return c.json(describe(session.principal, session.csrf, tenants));
    }
    throw new AuthError('this token is unknown, used up or expired', 401, {
      hint: 'restart `pulser serve` for a new login link, or ask an admin for a token',
    });
  });

  app.get('/session', async (c) => {
    const found = await whoIs(c, tenants);
    if (found === null) throw new AuthError('not signed in', 401);
    const csrf = found.cookie === null ? null : csrfToken(found.cookie);
    return c.json(describe(found.principal, csrf, tenants));
  });

  app.post('/logout', async (c) => {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie !== undefined) {
      checkOrigin(c, true);
      if (!checkCsrf(cookie, c.req.header(CSRF_HEADER) ?? '')) {
        throw new AuthError(`missing or wrong ${CSRF_HEADER} header`, 403);
      }
      for (const tenant of tenants) {
        const principal = await authenticate(tenant.ws, cookie, ['session']);
        if (principal !== null) {
          await revokeToken(tenant.ws, principal.credentialId, principal.actor);
        }
      }
    }
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });

  return app;
}
