import type { StoredEvent } from './events.js';

/** Roles, from least to most trusted; what each may do is decided by `workspace/access/auth.ts`. */
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;

/** A role a token or session carries. */
export type Role = (typeof ROLES)[number];

/** What a credential is: an API token, a one-time login token, or a browser session. */
export type CredentialKind = 'api' | 'login' | 'session';

/** A credential as stored: never the secret, only its SHA-256. */
export interface StoredCredential {
  /** Public ID (safe to show and to revoke by). */
  readonly id: string;
  /** The tenant it belongs to. */
  readonly workspace: string;
  readonly kind: CredentialKind;
  readonly userName: string;
  /** A name given at creation (`ci`, `laptop`, `login`). */
  readonly label: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** A user of a workspace. */
export interface StoredUser {
  readonly workspace: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
}

/** What to store for a new credential. */
export interface NewCredential {
  readonly id: string;
  readonly workspace: string;
  readonly kind: CredentialKind;
  /** SHA-256 (hex) of the secret. */
  readonly tokenHash: string;
  readonly userName: string;
  readonly label: string;
  readonly role: Role;
  readonly expiresAt: string | null;
  /** Who creates it, recorded in the event. */
  readonly actor: string;
}

/** Persistence of users, tokens and browser sessions; every change appends an event. */
export interface AuthStore {
  /** The workspace's tenant ID, set to `suggested` the first time it is asked for. */
  tenant(suggested: string): Promise<string>;
  /** Stores a credential (creating its user when new) and appends `auth.token.created`. */
  create(input: NewCredential): Promise<{ credential: StoredCredential; event: StoredEvent }>;
  /** The live (not revoked, not expired at `now`) credential with this secret hash, or null. */
  find(workspace: string, tokenHash: string, now: string): Promise<StoredCredential | null>;
  /**
   * Atomically uses up a one-time login token (or checks an API token) and stores the browser
   * session that replaces it; appends `auth.login`. Null when the token is not live.
   */
  login(
    workspace: string,
    tokenHash: string,
    session: Omit<NewCredential, 'userName' | 'role' | 'workspace' | 'kind' | 'actor'>,
    now: string,
  ): Promise<StoredCredential | null>;
  /** Records that a credential was used (no event: reads are not state changes). */
  touch(id: string, now: string): Promise<void>;
  /** Revokes a credential; appends `auth.token.revoked` (or `auth.logout` for a session). */
  revoke(workspace: string, id: string, actor: string, now: string): Promise<StoredCredential>;
  /** Every credential of a workspace, newest first. */
  list(workspace: string, kinds?: ReadonlyArray<CredentialKind>): Promise<StoredCredential[]>;
  /** Every user of a workspace. */
  users(workspace: string): Promise<StoredUser[]>;
}
