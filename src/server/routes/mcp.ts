/**
 * `/mcp`: the MCP server over streamable HTTP, behind bearer-token auth. The handler itself is
 * injected (the server layer does not import the MCP layer): `pulser serve` passes the one from
 * `mcp/http.ts`. A token reaches only its own workspace; browser sessions are not accepted.
 */
import { Hono, type Context } from 'hono';
import { AuthError } from '../../errors/index.js';
import { authenticate, can, type Principal } from '../../workspace/access/auth.js';
import type { Workspace } from '../../workspace/open.js';
import type { AppEnv, Tenant } from '../context.js';
import { HttpError } from '../errors.js';
import { bearerToken, checkOrigin } from '../security.js';

/** Serves one MCP request for an authenticated caller. */
export type McpMount = (
  request: Request,
  caller: { readonly ws: Workspace; readonly user: string; readonly canWrite: boolean },
) => Promise<Response>;

function unauthenticated(message: string): AuthError {
  return new AuthError(message, 401, {
    hint: 'send Authorization: Bearer <token> (create one with `pulser token create --role operator`)',
  });
}

/** Routes `/mcp` (the token's own workspace) and `/mcp/w/:ws` (a named one). */
export function mcpRoutes(tenants: ReadonlyArray<Tenant>, mount: McpMount): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const handle = async (c: Context<AppEnv>, scope: ReadonlyArray<Tenant>): Promise<Response> => {
    checkOrigin(c, false);
    const bearer = bearerToken(c);
    if (bearer === null) throw unauthenticated('MCP over HTTP needs a bearer token');
    let found: { tenant: Tenant; principal: Principal } | null = null;
    for (const tenant of scope) {
      const principal = await authenticate(tenant.ws, bearer, ['api']);
      if (principal !== null) {
        found = { tenant, principal };
        break;
      }
    }
    if (found === null) throw unauthenticated('unknown, revoked or expired token');
    return mount(c.req.raw, {
      ws: found.tenant.ws,
      user: found.principal.user,
      canWrite: can(found.principal.role, 'plan.write'),
    });
  };
  app.all('/mcp', (c) => handle(c, tenants));
  app.all('/mcp/w/:ws', (c) => {
    const tenant = tenants.find((t) => t.id === c.req.param('ws'));
    if (tenant === undefined) {
      throw new HttpError(404, 'E_NOT_FOUND', 'no such workspace on this server');
    }
    return handle(c, [tenant]);
  });
  return app;
}
