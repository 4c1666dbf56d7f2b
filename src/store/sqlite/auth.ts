import { NotFoundError } from '../../errors/index.js';
import type {
  AuthStore,
  CredentialKind,
  NewCredential,
  Role,
  StoredCredential,
  StoredUser,
} from '../auth-store.js';
import type { StoredEvent } from '../events.js';
import { CREDENTIAL_COLUMNS, credentialFromRow, type CredentialRow } from '../rows.js';
import type { SqliteDb } from './database.js';

/** The SQLite auth store. */
export class SqliteAuthStore implements AuthStore {
  readonly #db: SqliteDb;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  #now(): string {
    return new Date(this.#db.clock.now()).toISOString();
  }

  tenant(suggested: string): Promise<string> {
    const db = this.#db.db;
    const known = db.prepare("SELECT value FROM meta WHERE key = 'workspace.id'").get() as
      { value: string } | undefined;
    if (known !== undefined) return Promise.resolve(known.value);
    const value = this.#db.tx(() => {
      const row = db.prepare("SELECT value FROM meta WHERE key = 'workspace.id'").get() as
        { value: string } | undefined;
      if (row !== undefined) return row.value;
      db.prepare("INSERT INTO meta (key, value) VALUES ('workspace.id', ?)").run(suggested);
      return suggested;
    });
    return Promise.resolve(value);
  }

  #insert(input: NewCredential, createdAt: string): StoredCredential {
    const db = this.#db.db;
    db.prepare(
      `INSERT INTO auth_users (workspace, name, role, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (workspace, name) DO NOTHING`,
    ).run(input.workspace, input.userName, input.role, createdAt);
    db.prepare(
      `INSERT INTO auth_tokens (id, workspace, kind, token_hash, user_name, label, role, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      input.id,
      input.workspace,
      input.kind,
      input.tokenHash,
      input.userName,
      input.label,
      input.role,
      createdAt,
      input.expiresAt,
    );
    return {
      id: input.id,
      workspace: input.workspace,
      kind: input.kind,
      userName: input.userName,
      label: input.label,
      role: input.role,
      createdAt,
      expiresAt: input.expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    };
  }

  create(input: NewCredential): Promise<{ credential: StoredCredential; event: StoredEvent }> {
    const result = this.#db.tx(() => {
      const credential = this.#insert(input, this.#now());
      const event = this.#db.append({
        type: 'auth.token.created',
        actor: input.actor,
        subject: credential.id,
        data: {
          kind: credential.kind,
          user: credential.userName,
          label: credential.label,
          role: credential.role,
          expiresAt: credential.expiresAt,
        },
      });
      return { credential, event };
    });
    return Promise.resolve(result);
  }

  #live(workspace: string, tokenHash: string, now: string): CredentialRow | undefined {
    return this.#db.db
      .prepare(
        `SELECT ${CREDENTIAL_COLUMNS} FROM auth_tokens WHERE workspace = ? AND token_hash = ?
         AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
      )
      .get(workspace, tokenHash, now) as CredentialRow | undefined;
  }

  find(workspace: string, tokenHash: string, now: string): Promise<StoredCredential | null> {
    const row = this.#live(workspace, tokenHash, now);
    return Promise.resolve(row === undefined ? null : credentialFromRow(row));
  }

  login(
    workspace: string,
    tokenHash: string,
    session: Omit<NewCredential, 'userName' | 'role' | 'workspace' | 'kind' | 'actor'>,
    now: string,
  ): Promise<StoredCredential | null> {
    const result = this.#db.tx(() => {
      const row = this.#live(workspace, tokenHash, now);
      if (row === undefined || row.kind === 'session') return null;
      if (row.kind === 'login') {
        this.#db.db
          .prepare('UPDATE auth_tokens SET revoked_at = ?, last_used_at = ? WHERE id = ?')
          .run(now, now, row.id);
      }
      const credential = this.#insert(
        {
          ...session,
          workspace,
          kind: 'session',
          userName: row.user_name,
          role: row.role,
          actor: `user:${row.user_name}`,
        },
        now,
      );
      this.#db.append({
        type: 'auth.login',
        actor: `user:${row.user_name}`,
        subject: credential.id,
        data: { via: row.id, viaKind: row.kind, role: row.role, expiresAt: credential.expiresAt },
      });
      return credential;
    });
    return Promise.resolve(result);
  }

  touch(id: string, now: string): Promise<void> {
    this.#db.db.prepare('UPDATE auth_tokens SET last_used_at = ? WHERE id = ?').run(now, id);
    return Promise.resolve();
  }

  revoke(workspace: string, id: string, actor: string, now: string): Promise<StoredCredential> {
    const result = this.#db.tx(() => {
      const row = this.#db.db
        .prepare(`SELECT ${CREDENTIAL_COLUMNS} FROM auth_tokens WHERE workspace = ? AND id = ?`)
        .get(workspace, id) as CredentialRow | undefined;
      if (row === undefined) {
        throw new NotFoundError(`no token ${id} in this workspace`, {
          hint: 'list tokens with `pulser token list`',
        });
      }
      if (row.revoked_at !== null) return credentialFromRow(row);
      this.#db.db.prepare('UPDATE auth_tokens SET revoked_at = ? WHERE id = ?').run(now, id);
      this.#db.append({
        type: row.kind === 'session' ? 'auth.logout' : 'auth.token.revoked',
        actor,
        subject: id,
        data: { kind: row.kind, user: row.user_name, label: row.label },
      });
      return credentialFromRow({ ...row, revoked_at: now });
    });
    return Promise.resolve(result);
  }

  list(workspace: string, kinds?: ReadonlyArray<CredentialKind>): Promise<StoredCredential[]> {
    const rows = this.#db.db
      .prepare(
        `SELECT ${CREDENTIAL_COLUMNS} FROM auth_tokens WHERE workspace = ? ORDER BY created_at DESC, id`,
      )
      .all(workspace) as CredentialRow[];
    const wanted = kinds === undefined ? null : new Set(kinds);
    return Promise.resolve(
      rows.filter((r) => wanted === null || wanted.has(r.kind)).map(credentialFromRow),
    );
  }

  users(workspace: string): Promise<StoredUser[]> {
    const rows = this.#db.db
      .prepare(
        'SELECT workspace, name, role, created_at FROM auth_users WHERE workspace = ? ORDER BY name',
      )
      .all(workspace) as Array<{ workspace: string; name: string; role: Role; created_at: string }>;
    return Promise.resolve(
      rows.map((r) => ({
        workspace: r.workspace,
        name: r.name,
        role: r.role,
        createdAt: r.created_at,
      })),
    );
  }
}
