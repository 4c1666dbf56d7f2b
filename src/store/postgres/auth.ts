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
import type { PgDb, PgTx } from './database.js';

const LIVE = `SELECT ${CREDENTIAL_COLUMNS} FROM auth_tokens WHERE workspace = $1 AND token_hash = $2
  AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $3)`;

/**
 * The PostgreSQL auth store. The tenant is the workspace the store was opened on: credentials
 * of other workspaces in the same database are never found through it.
 */
export class PgAuthStore implements AuthStore {
  readonly #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  tenant(_suggested: string): Promise<string> {
    return Promise.resolve(this.#db.workspace);
  }

  async #insert(tx: PgTx, input: NewCredential, createdAt: string): Promise<StoredCredential> {
    await tx.query(
      `INSERT INTO auth_users (workspace, name, role, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (workspace, name) DO NOTHING`,
      [input.workspace, input.userName, input.role, createdAt],
    );
    await tx.query(
      `INSERT INTO auth_tokens (id, workspace, kind, token_hash, user_name, label, role, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        input.id,
        input.workspace,
        input.kind,
        input.tokenHash,
        input.userName,
        input.label,
        input.role,
        createdAt,
        input.expiresAt,
      ],
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
    return this.#db.tx(async (tx) => {
      const credential = await this.#insert(tx, input, this.#db.isoNow());
      const event = await tx.append({
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
  }

  async find(workspace: string, tokenHash: string, now: string): Promise<StoredCredential | null> {
    const res = await this.#db.query<CredentialRow>(LIVE, [workspace, tokenHash, now]);
    return res.rows[0] === undefined ? null : credentialFromRow(res.rows[0]);
  }

  login(
    workspace: string,
    tokenHash: string,
    session: Omit<NewCredential, 'userName' | 'role' | 'workspace' | 'kind' | 'actor'>,
    now: string,
  ): Promise<StoredCredential | null> {
    return this.#db.tx(async (tx) => {
      const row = (await tx.query<CredentialRow>(`${LIVE} FOR UPDATE`, [workspace, tokenHash, now]))
        .rows[0];
      if (row === undefined || row.kind === 'session') return null;
      if (row.kind === 'login') {
        await tx.query('UPDATE auth_tokens SET revoked_at = $1, last_used_at = $1 WHERE id = $2', [
          now,
          row.id,
        ]);
      }
      const credential = await this.#insert(
        tx,
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
      await tx.append({
        type: 'auth.login',
        actor: `user:${row.user_name}`,
        subject: credential.id,
        data: { via: row.id, viaKind: row.kind, role: row.role, expiresAt: credential.expiresAt },
      });
      return credential;
    });
  }

  async touch(id: string, now: string): Promise<void> {
    await this.#db.query(
      'UPDATE auth_tokens SET last_used_at = $1 WHERE id = $2 AND workspace = $3',
      [now, id, this.#db.workspace],
    );
  }

  revoke(workspace: string, id: string, actor: string, now: string): Promise<StoredCredential> {
    return this.#db.tx(async (tx) => {
      const row = (
        await tx.query<CredentialRow>(
          `SELECT ${CREDENTIAL_COLUMNS} FROM auth_tokens WHERE workspace = $1 AND id = $2 FOR UPDATE`,
          [workspace, id],
        )
      ).rows[0];
      if (row === undefined) {
        throw new NotFoundError(`no token ${id} in this workspace`, {
          hint: 'list tokens with `pulser token list`',
        });
      }
      if (row.revoked_at !== null) return credentialFromRow(row);
      await tx.query('UPDATE auth_tokens SET revoked_at = $1 WHERE id = $2', [now, id]);
      await tx.append({
        type: row.kind === 'session' ? 'auth.logout' : 'auth.token.revoked',
        actor,
        subject: id,
        data: { kind: row.kind, user: row.user_name, label: row.label },
      });
      return credentialFromRow({ ...row, revoked_at: now });
    });
  }

  async list(
    workspace: string,
    kinds?: ReadonlyArray<CredentialKind>,
  ): Promise<StoredCredential[]> {
    const res = await this.#db.query<CredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM auth_tokens WHERE workspace = $1 ORDER BY created_at DESC, id COLLATE "C"`,
      [workspace],
    );
    const wanted = kinds === undefined ? null : new Set(kinds);
    return res.rows.filter((r) => wanted === null || wanted.has(r.kind)).map(credentialFromRow);
  }

  async users(workspace: string): Promise<StoredUser[]> {
    const res = await this.#db.query<{
      workspace: string;
      name: string;
      role: Role;
      created_at: string;
    }>(
      'SELECT workspace, name, role, created_at FROM auth_users WHERE workspace = $1 ORDER BY name COLLATE "C"',
      [workspace],
    );
    return res.rows.map((r) => ({
      workspace: r.workspace,
      name: r.name,
      role: r.role,
      createdAt: r.created_at,
    }));
  }
}
