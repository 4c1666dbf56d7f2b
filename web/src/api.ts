// The Runboard's client of the Pulser JSON API: session, CSRF header, errors as values.
import { parseVisible } from './text';

/** Who is signed in, as /api/session and /api/login return it. */
export interface Session {
  readonly workspace: string;
  readonly workspaces: ReadonlyArray<string>;
  readonly user: string;
  readonly role: 'viewer' | 'operator' | 'approver' | 'admin';
  readonly permissions: ReadonlyArray<string>;
  readonly csrf: string | null;
}

/** An API failure with the server's code, message and hint. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  constructor(status: number, code: string, message: string, hint?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.hint = hint;
  }
}

let current: Session | null = null;

/** Sets the session used for every call. */
export function setSession(session: Session | null): void {
  current = session;
}

/** True when the signed-in role may do `permission`. */
export function can(permission: string): boolean {
  return current?.permissions.includes(permission) ?? false;
}

async function call<T>(url: string, method: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && current?.csrf) headers['x-pulser-csrf'] = current.csrf;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(
      0,
      'E_NETWORK',
      'cannot reach the Pulser server',
      'is `pulser serve` still running?',
    );
  }
  const text = await res.text();
  // Every string a page shows comes through here: no control or bidi character hides text.
  const json = text === '' ? null : parseVisible(text, /\/runs\/[^/]+\/logs/u.test(url));
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; hint?: string } } | null)
      ?.error;
    throw new ApiError(
      res.status,
      e?.code ?? 'E_HTTP',
      e?.message ?? `HTTP ${res.status}`,
      e?.hint,
    );
  }
  return json as T;
}

/** The URL of a workspace-scoped API path (for links: artifacts). */
export function workspacePath(path: string): string {
  return `/api/w/${encodeURIComponent(current?.workspace ?? '')}${path}`;
}

/** GET a workspace-scoped API path. */
export function get<T>(path: string): Promise<T> {
  return call<T>(`/api/w/${encodeURIComponent(current?.workspace ?? '')}${path}`, 'GET');
}

/** POST to a workspace-scoped API path. */
export function post<T>(path: string, body: unknown = {}): Promise<T> {
  return call<T>(`/api/w/${encodeURIComponent(current?.workspace ?? '')}${path}`, 'POST', body);
}

/** Exchanges a login or API token for a browser session. */
export function login(token: string): Promise<Session> {
  return call<Session>('/api/login', 'POST', { token });
}

/** The current browser session, or null when signed out. */
export async function fetchSession(): Promise<Session | null> {
  try {
    return await call<Session>('/api/session', 'GET');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

/** Signs out. */
export function logout(): Promise<unknown> {
  return call('/api/logout', 'POST', {});
}

/** The URL of the workspace's live event stream. */
export function streamUrl(): string {
  return `/api/w/${encodeURIComponent(current?.workspace ?? '')}/events/stream`;
}
