/**
 * Row shapes and mappers that every backend's tables share (the SQL differs; the columns and
 * their meaning do not).
 */
import type { CredentialKind, Role, StoredCredential } from './auth-store.js';

/** A row of `auth_tokens`. */
export interface CredentialRow {
  id: string;
  workspace: string;
  kind: CredentialKind;
  user_name: string;
  label: string;
  role: Role;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The columns of a {@link CredentialRow}, in order. */
export const CREDENTIAL_COLUMNS =
  'id, workspace, kind, user_name, label, role, created_at, expires_at, last_used_at, revoked_at';

/** A credential as the auth store returns it. */
export function credentialFromRow(row: CredentialRow): StoredCredential {
  return {
    id: row.id,
    workspace: row.workspace,
    kind: row.kind,
    userName: row.user_name,
    label: row.label,
    role: row.role,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** A row of `plans`. */
export interface PlanRow {
  id: string;
  path: string;
  sha256: string;
  version: number;
  imported_at: string;
  ir: string;
}

/** A row of `plan_nodes`, as the stores read it back. */
export interface NodeRow {
  plan_id: string;
  node_id: string;
  kind: string;
  title: string;
}
