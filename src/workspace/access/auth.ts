/**
 * Authentication and authorization of a workspace: API tokens, one-time login tokens, browser
 * sessions and what each role may do. The server and `pulser token` both call these functions.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { basename } from 'node:path';
import { AuthError, UsageError } from '../../errors/index.js';
import {
  ROLES,
  type CredentialKind,
  type Role,
  type StoredCredential,
} from '../../store/auth-store.js';
import { sha256Hex } from '../../util/hash.js';
import { slugify } from '../../util/slug.js';
import type { Workspace } from '../open.js';

export { ROLES, type Role, type StoredCredential } from '../../store/auth-store.js';

/** Everything a person or program can be allowed to do, and the least role that may. */
export const PERMISSIONS = {
  read: 'viewer',
  'plan.import': 'operator',
  'plan.write': 'operator',
  'run.start': 'operator',
  'run.retry': 'operator',
  'run.cancel': 'operator',
  'session.archive': 'operator',
  'metric.record': 'operator',
  'check.run': 'operator',
  'step.approve': 'approver',
  'step.reject': 'approver',
  'step.resolve': 'approver',
  'trust.grant': 'approver',
  'gate.signoff': 'approver',
  'token.manage': 'admin',
} as const satisfies Record<string, Role>;

/** One action a role may be allowed to do. */
export type Permission = keyof typeof PERMISSIONS;

/** Who is calling: resolved from a token or a browser session. */
export interface Principal {
  /** The tenant (workspace ID) the credential belongs to. */
  readonly workspace: string;
  readonly user: string;
  readonly role: Role;
  readonly credentialId: string;
  readonly kind: CredentialKind;
  /** The actor recorded in events: `user:<name>`. */
  readonly actor: string;
}

/** Default lifetime of a one-time login token: 24 hours. */
export const LOGIN_TOKEN_TTL_MS = 24 * 3600 * 1000;
/** Default lifetime of a browser session: 7 days. */
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

/** True when `role` may do `permission` (roles are a ladder: each includes the ones before). */
export function can(role: Role, permission: Permission): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(PERMISSIONS[permission]);
}

/** Throws AuthError 403 unless `principal` may do `permission`. */
export function authorize(principal: Principal, permission: Permission): void {
  if (!can(principal.role, permission)) {
    throw new AuthError(
      `role ${principal.role} may not ${permission} (needs ${PERMISSIONS[permission]} or higher)`,
      403,
      { permission, role: principal.role },
    );
  }
}

/** Throws a UsageError unless `value` is a role. */
export function parseRole(value: string): Role {
  if ((ROLES as ReadonlyArray<string>).includes(value)) return value as Role;
  throw new UsageError(`invalid role ${JSON.stringify(value)}`, {
    hint: `use one of: ${ROLES.join(', ')}`,
  });
}

/** Throws a UsageError unless `value` is a usable user or token name. */
export function parseName(value: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/u.test(value)) return value;
  throw new UsageError(`invalid name ${JSON.stringify(value)}`, {
    hint: 'use 1-64 letters, digits, dots, dashes, underscores or @',
  });
}

/** The workspace's tenant ID (a slug of its folder name, fixed the first time it is asked). */
export function workspaceId(ws: Workspace): Promise<string> {
  return ws.store.auth.tenant(slugify(basename(ws.root)) || 'workspace');
}

function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

function newId(prefix: string): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/** SHA-256 of a token secret: the only form in which a secret is stored. */
export function hashSecret(secret: string): string {
  return sha256Hex(secret);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** What {@link createToken} needs. */
export interface CreateTokenOptions {
  readonly role: Role;
  /** The user the token acts as (recorded as `user:<name>`). */
  readonly user: string;
  /** A label for the token. @default the user name */
  readonly label?: string;
  /** Lifetime in milliseconds; null never expires. @default null */
  readonly ttlMs?: number | null;
  /** Who creates it. */
  readonly actor: string;
}

/** A token just created: the secret is shown once and never stored. */
export interface CreatedToken {
  readonly secret: string;
  readonly credential: StoredCredential;
}

/**
 * Creates an API token (for `Authorization: Bearer`) and records `auth.token.created`.
 * @example const { secret } = await createToken(ws, { role: 'viewer', user: 'ci', actor: 'cli:ana' });
 */
export async function createToken(
  ws: Workspace,
  options: CreateTokenOptions,
): Promise<CreatedToken> {
  return create(ws, 'api', 'pulser_', options);
}

/** Creates a one-time login token (exchanged for a browser session), valid 24 hours by default. */
export async function createLoginToken(
  ws: Workspace,
  options: Omit<CreateTokenOptions, 'ttlMs'> & { readonly ttlMs?: number },
): Promise<CreatedToken> {
  return create(ws, 'login', 'login_', { ...options, ttlMs: options.ttlMs ?? LOGIN_TOKEN_TTL_MS });
}

async function create(
  ws: Workspace,
  kind: CredentialKind,
  prefix: string,
  options: CreateTokenOptions,
): Promise<CreatedToken> {
  const workspace = await workspaceId(ws);
  const secret = newSecret(prefix);
  const ttl = options.ttlMs ?? null;
  const { credential } = await ws.store.auth.create({
    id: newId('tok_'),
    workspace,
    kind,
    tokenHash: hashSecret(secret),
    userName: parseName(options.user),
    label: parseName(options.label ?? options.user),
    role: options.role,
    expiresAt: ttl === null ? null : iso(Date.now() + ttl),
    actor: options.actor,
  });
  return { secret, credential };
}

function principalOf(c: StoredCredential): Principal {
  return {
    workspace: c.workspace,
    user: c.userName,
    role: c.role,
    credentialId: c.id,
    kind: c.kind,
    actor: `user:${c.userName}`,
  };
}

/**
 * The principal a secret authenticates in this workspace, or null (unknown, revoked, expired,
 * another workspace's, or not of an accepted kind).
 */
export async function authenticate(
  ws: Workspace,
  secret: string,
  kinds: ReadonlyArray<CredentialKind>,
): Promise<Principal | null> {
  if (secret.length === 0 || secret.length > 200) return null;
  const workspace = await workspaceId(ws);
  const now = iso(Date.now());
  const found = await ws.store.auth.find(workspace, hashSecret(secret), now);
  if (found === null || !kinds.includes(found.kind)) return null;
  if (found.lastUsedAt === null || Date.parse(now) - Date.parse(found.lastUsedAt) > 60_000) {
    await ws.store.auth.touch(found.id, now);
  }
  return principalOf(found);
}

/** A browser session just opened. */
export interface OpenedSession {
  /** The cookie value (shown once, stored only as a hash). */
  readonly secret: string;
  readonly principal: Principal;
  readonly csrf: string;
  readonly expiresAt: string;
}

/**
 * Exchanges a one-time login token (used up) or an API token for a browser session; records
 * `auth.login`. Null when the token is not live in this workspace.
 */
export async function openSession(ws: Workspace, token: string): Promise<OpenedSession | null> {
  if (token.length === 0 || token.length > 200) return null;
  const workspace = await workspaceId(ws);
  const secret = newSecret('sess_');
  const expiresAt = iso(Date.now() + SESSION_TTL_MS);
  const credential = await ws.store.auth.login(
    workspace,
    hashSecret(token),
    { id: newId('ses_'), tokenHash: hashSecret(secret), label: 'browser', expiresAt },
    iso(Date.now()),
  );
  if (credential === null) return null;
  return { secret, principal: principalOf(credential), csrf: csrfToken(secret), expiresAt };
}

/** The CSRF token bound to a browser session: derived from its secret, so never stored. */
export function csrfToken(sessionSecret: string): string {
  return sha256Hex(`pulser.csrf.v1:${sessionSecret}`);
}

/** True when `given` is the CSRF token of the session `sessionSecret` (constant time). */
export function checkCsrf(sessionSecret: string, given: string): boolean {
  const want = Buffer.from(csrfToken(sessionSecret));
  const got = Buffer.from(given);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Revokes a token or session by ID; records `auth.token.revoked` (or `auth.logout`). */
export async function revokeToken(
  ws: Workspace,
  id: string,
  actor: string,
): Promise<StoredCredential> {
  return ws.store.auth.revoke(await workspaceId(ws), id, actor, iso(Date.now()));
}

/** The workspace's API tokens (and, when asked, login tokens and sessions), newest first. */
export async function listTokens(
  ws: Workspace,
  kinds: ReadonlyArray<CredentialKind> = ['api'],
): Promise<StoredCredential[]> {
  return ws.store.auth.list(await workspaceId(ws), kinds);
}

/** True when the workspace has at least one live API token with the admin role. */
export async function hasAdminToken(ws: Workspace): Promise<boolean> {
  const tokens = await listTokens(ws, ['api']);
  const now = Date.now();
  return tokens.some(
    (t) =>
      t.role === 'admin' &&
      t.revokedAt === null &&
      (t.expiresAt === null || Date.parse(t.expiresAt) > now),
  );
}
