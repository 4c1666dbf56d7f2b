/**
 * The Pulser HTTP app: the JSON API under `/api/`, live events over SSE and the Runboard UI.
 * Built on Hono; test it in-process with `app.request()`, serve it with `startServer`.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, Tenant } from './context.js';
import { HttpError, onError } from './errors.js';
import { auditRoutes } from './routes/audit.js';
import { eventRoutes } from './routes/events.js';
import { gateRoutes } from './routes/gates.js';
import { mcpRoutes, type McpMount } from './routes/mcp.js';
import { planRoutes } from './routes/plans.js';
import { runRoutes } from './routes/runs.js';
import { sessionRoutes } from './routes/session.js';
import { tokenRoutes } from './routes/tokens.js';
import { MAX_BODY_BYTES, authenticateRequest, hostCheck, securityHeaders } from './security.js';
import { staticHandler } from './static.js';

function tooLarge(): never {
  throw new HttpError(413, 'E_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
}

/** Resolves the tenant named by `:ws` and authenticates the caller against it. */
function tenantAuth(tenants: ReadonlyMap<string, Tenant>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const tenant = tenants.get(c.req.param('ws') ?? '');
    if (tenant === undefined) {
      throw new HttpError(404, 'E_NOT_FOUND', 'no such workspace on this server');
    }
    c.set('tenant', tenant);
    c.set('principal', await authenticateRequest(c, tenant));
    await next();
  });
}

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The workspaces served (tenants), by ID. */
  readonly tenants: ReadonlyArray<Tenant>;
  /** Host headers accepted (`127.0.0.1:4400`); null accepts any. @default null */
  readonly allowedHosts?: ReadonlyArray<string> | null;
  /** Folder of the built UI; null serves no UI. @default null */
  readonly webDir?: string | null;
  /** Interval of SSE keep-alive comments. @default 15000 */
  readonly heartbeatMs?: number;
  /** Serves MCP over HTTP at `/mcp` (bearer tokens only); null serves none. @default null */
  readonly mcp?: McpMount | null;
}

/**
 * Creates the app.
 * @example const app = createApp({ tenants: [await openTenant(ws)] });
 */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const tenants = new Map(options.tenants.map((t) => [t.id, t]));
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.use('*', securityHeaders());
  app.use('*', hostCheck(options.allowedHosts ?? null));
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new HttpError(413, 'E_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  app.get('/api/health', (c) => c.json({ ok: true }));
  if (options.mcp !== undefined && options.mcp !== null) {
    app.use('/mcp/*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => tooLarge() }));
    app.use('/mcp', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => tooLarge() }));
    app.route('/', mcpRoutes(options.tenants, options.mcp));
  }
  app.route('/api', sessionRoutes(options.tenants));

  const scoped = new Hono<AppEnv>();
  scoped.use('*', tenantAuth(tenants));
  scoped.route('/', planRoutes());
  scoped.route(
    '/',
    eventRoutes(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  );
  scoped.route('/', runRoutes());
  scoped.route('/', gateRoutes());
  scoped.route('/', tokenRoutes());
  scoped.route('/', auditRoutes());
  scoped.all('*', () => {
    throw new HttpError(404, 'E_NOT_FOUND', 'no such API route', 'see docs/api.md');
  });
  app.route('/api/w/:ws', scoped);

  app.all('/api/*', () => {
    throw new HttpError(404, 'E_NOT_FOUND', 'no such API route', 'see docs/api.md');
  });
  if (options.webDir !== undefined && options.webDir !== null) {
    app.get('*', staticHandler(options.webDir));
  }
  return app;
}
