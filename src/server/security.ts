/**
 * Request checks that come before any route: Host (DNS rebinding), Origin and CSRF for browser
 * sessions, content type and size of bodies, and security headers on every response.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { AuthError } from '../errors/index.js';
import { authenticate, checkCsrf, type Principal } from '../workspace/access/auth.js';
import type { Tenant } from './context.js';
import { HttpError } from './errors.js';

/** Name of the browser session cookie. */
export const SESSION_COOKIE = 'pulser_session';
/** Header a browser must send, with the session's CSRF token, on every mutating call. */
export const CSRF_HEADER = 'x-pulser-csrf';
/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True for methods that never change state. */
export function isSafeMethod(method: string): boolean {
  return SAFE.has(method);
}

/** Refuses requests whose Host is not one this server answers to (DNS rebinding). */
export function hostCheck(allowedHosts: ReadonlyArray<string> | null): MiddlewareHandler {
  return async (c, next) => {
    if (allowedHosts !== null) {
      const host = (c.req.header('host') ?? '').toLowerCase();
      if (!allowedHosts.includes(host)) {
        throw new HttpError(421, 'E_HOST', `unexpected Host header ${JSON.stringify(host)}`);
      }
    }
    await next();
  };
}

/** Sets security headers on every response. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('x-content-type-options', 'nosniff');
    h.set('referrer-policy', 'no-referrer');
    h.set('x-frame-options', 'DENY');
    h.set('cross-origin-opener-policy', 'same-origin');
    if (!h.has('content-security-policy')) {
      h.set(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
    }
    if (c.req.path.startsWith('/api/') && !h.has('cache-control'))
      h.set('cache-control', 'no-store');
  };
}

/** Throws 403 unless the request's Origin (when a browser sends one) is this server's own. */
export function checkOrigin(c: Context, required: boolean): void {
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new AuthError(`cross-site request refused (Sec-Fetch-Site: ${site})`, 403);
  }
  if (origin === undefined) {
    if (required) throw new AuthError('missing Origin header on a browser request', 403);
    return;
  }
  const host = c.req.header('host');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AuthError(`bad Origin header ${JSON.stringify(origin)}`, 403);
  }
  if (host === undefined || originHost.toLowerCase() !== host.toLowerCase()) {
    throw new AuthError(`cross-origin request refused (Origin: ${origin})`, 403);
  }
}

/** The bearer token of a request, or null. */
export function bearerToken(c: Context): string | null {
  const header = c.req.header('authorization');
  if (header === undefined) return null;
  const m = /^Bearer\s+(\S+)\s*$/iu.exec(header);
  if (m === null) throw new AuthError('malformed Authorization header (use: Bearer <token>)', 401);
  return m[1]!;
}

/**
 * Authenticates a request against `tenant`: a bearer API token, or the session cookie plus
 * (for mutations) the CSRF header and a same-origin Origin. Throws 401/403 otherwise.
 */
export async function authenticateRequest(c: Context, tenant: Tenant): Promise<Principal> {
  const bearer = bearerToken(c);
  if (bearer !== null) {
    const principal = await authenticate(tenant.ws, bearer, ['api']);
    if (principal === null) throw unauthenticated('unknown, revoked or expired token');
    return principal;
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie === undefined) throw unauthenticated('authentication required');
  const principal = await authenticate(tenant.ws, cookie, ['session']);
  if (principal === null) throw unauthenticated('session expired or signed out');
  if (!isSafeMethod(c.req.method)) {
    checkOrigin(c, true);
    if (!checkCsrf(cookie, c.req.header(CSRF_HEADER) ?? '')) {
      throw new AuthError(`missing or wrong ${CSRF_HEADER} header`, 403);
    }
  }
  return principal;
}

function unauthenticated(message: string): AuthError {
  return new AuthError(message, 401, {
    hint: 'send Authorization: Bearer <token> (create one with `pulser token create`) or sign in again',
  });
}

/** Reads a JSON object body: 415 unless JSON, 413 when too large, 400 when malformed. */
export async function readJson(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  const length = Number(c.req.header('content-length') ?? '0');
  if (length > MAX_BODY_BYTES) throw tooLarge();
  const text = await c.req.text();
  if (text.length === 0) return {};
  if (!/^application\/json\s*(;|$)/iu.test(type)) {
    throw new HttpError(415, 'E_MEDIA_TYPE', 'request body must be application/json');
  }
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw tooLarge();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'E_USAGE', `malformed JSON body: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'E_USAGE', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function tooLarge(): HttpError {
  return new HttpError(413, 'E_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
}
