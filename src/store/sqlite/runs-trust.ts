/**
 * Trust grants in the SQLite store. A grant binds a plan's content hash and the digest of each
 * of its executables (steps, command verifiers); a step is trusted while an active grant holds
 * its (plan, node, digest). Granting releases the steps that waited for it; revoking parks the
 * queued ones again.
 */
import type { GrantTrustInput, StepSpec, TrustGrant, TrustItem } from '../run-store.js';
import { grantFromRow, type GrantRow, type StepRow } from './runs-rows.js';
import type { RunTx } from './runs-tx.js';
import { parseStored } from './database.js';

/** Trust operations. */
export class TrustOps {
  readonly #t: RunTx;

  constructor(t: RunTx) {
    this.#t = t;
  }

  #items(grantId: number): TrustItem[] {
    return this.#t.db
      .prepare(
        'SELECT node_id AS nodeId, digest FROM trusted_items WHERE grant_id = ? ORDER BY node_id',
      )
      .all(grantId) as TrustItem[];
  }

  grant(input: GrantTrustInput): { grant: TrustGrant; released: StepRow[] } {
    const t = this.#t;
    const grantedAt = t.iso();
    const id = Number(
      t.db
        .prepare(
          'INSERT INTO trust_grants (plan_id, path, sha256, granted_by, granted_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(input.planId, input.path, input.sha256, input.actor, grantedAt).lastInsertRowid,
    );
    const insert = t.db.prepare(
      'INSERT OR IGNORE INTO trusted_items (grant_id, plan_id, node_id, digest) VALUES (?, ?, ?, ?)',
    );
    for (const item of input.items) insert.run(id, input.planId, item.nodeId, item.digest);
    t.sdb.append({
      type: 'trust.granted',
      actor: input.actor,
      subject: input.planId,
      data: {
        planId: input.planId,
        path: input.path,
        sha256: input.sha256,
        grantId: id,
        items: input.items.length,
      },
    });
    const waiting = t.db
      .prepare(
        `SELECT * FROM run_steps WHERE state = 'awaiting_approval' AND approval_reason = 'untrusted'
           AND plan_id = ? ORDER BY run_id, ord`,
      )
      .all(input.planId) as StepRow[];
    const released: StepRow[] = [];
    for (const row of waiting) {
      const spec = parseStored<StepSpec>('run_steps', row.id, 'spec', row.spec);
      const d = t.decide(spec, row.digest);
      if (d.authority !== 'trusted') continue;
      const base = { runId: row.run_id, stepId: row.id };
      t.emit('step.approved', input.actor, row.id, { ...base, reason: 'untrusted', grantId: id });
      if (d.wait !== null) {
        t.db
          .prepare('UPDATE run_steps SET authority = ?, approval_reason = ? WHERE id = ?')
          .run(d.authority, d.wait, row.id);
        t.emit('step.awaiting_approval', input.actor, row.id, { ...base, reason: d.wait });
        continue;
      }
      released.push(
        t.move(row, 'queued', input.actor, {
          authority: d.authority,
          approval_reason: null,
          run_at: t.now(),
        }),
      );
      t.emit('step.queued', input.actor, row.id, { ...base, reason: 'trusted' });
    }
    t.settle();
    const row = t.db.prepare('SELECT * FROM trust_grants WHERE id = ?').get(id) as GrantRow;
    return { grant: grantFromRow(row, this.#items(id)), released };
  }

  revoke(planId: string, actor: string): { revoked: TrustGrant[]; parked: StepRow[] } {
    const t = this.#t;
    const rows = t.db
      .prepare('SELECT * FROM trust_grants WHERE plan_id = ? AND revoked_at IS NULL ORDER BY id')
      .all(planId) as GrantRow[];
    const at = t.iso();
    const revoked: TrustGrant[] = [];
    for (const row of rows) {
      t.db
        .prepare('UPDATE trust_grants SET revoked_at = ?, revoked_by = ? WHERE id = ?')
        .run(at, actor, row.id);
      t.sdb.append({
        type: 'trust.revoked',
        actor,
        subject: planId,
        data: { planId, path: row.path, sha256: row.sha256, grantId: row.id },
      });
      revoked.push(
        grantFromRow({ ...row, revoked_at: at, revoked_by: actor }, this.#items(row.id)),
      );
    }
    const queued = t.db
      .prepare(
        `SELECT * FROM run_steps WHERE state = 'queued' AND authority = 'trusted' AND plan_id = ?
         ORDER BY run_id, ord`,
      )
      .all(planId) as StepRow[];
    const parked: StepRow[] = [];
    for (const row of queued) {
      const spec = parseStored<StepSpec>('run_steps', row.id, 'spec', row.spec);
      if (t.decide(spec, row.digest).authority === 'trusted') continue;
      parked.push(t.park(row, actor));
    }
    t.settle();
    return { revoked, parked };
  }

  list(revokedToo: boolean): TrustGrant[] {
    const rows = this.#t.db
      .prepare(
        `SELECT * FROM trust_grants ${revokedToo ? '' : 'WHERE revoked_at IS NULL'} ORDER BY plan_id, id`,
      )
      .all() as GrantRow[];
    return rows.map((r) => grantFromRow(r, this.#items(r.id)));
  }

  digests(planId: string): Map<string, Set<string>> {
    const rows = this.#t.db
      .prepare(
        `SELECT i.node_id AS nodeId, i.digest FROM trusted_items i JOIN trust_grants g ON g.id = i.grant_id
         WHERE i.plan_id = ? AND g.revoked_at IS NULL`,
      )
      .all(planId) as TrustItem[];
    const map = new Map<string, Set<string>>();
    for (const r of rows) {
      let set = map.get(r.nodeId);
      if (set === undefined) map.set(r.nodeId, (set = new Set()));
      set.add(r.digest);
    }
    return map;
  }
}
