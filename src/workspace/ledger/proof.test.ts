/**
 * Proofs from a real workspace: export, verify, DSSE pitfalls, and cross-verification with
 * @sigstore/core (an independent DSSE PAE and signature check).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { crypto as sigstoreCrypto, dsse as sigstoreDsse } from '@sigstore/core';
import { generateSigningKey, signEnvelope, type DsseEnvelope } from '../../ledger/index.js';
import type { SqliteStore } from '../../store/sqlite/index.js';
import { checkTarget } from '../checks/check.js';
import { signoff } from '../checks/check-signoff.js';
import { importPlan } from '../plans/import-plan.js';
import { exportPublicKey } from './ledger-keys.js';
import { openWorkspace, type Workspace } from '../open.js';
import { exportProofs, verifyProofs, workspaceTrustedKeys } from './proof.js';
import { tempProject } from '../test-helpers.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/pulser.js');

const PLAN = `# Launch

## Phase 1: Build

**Exit criteria:**

- [ ] Report exists <!-- verify: file out/report.md -->
- Reviewed by a person

## Phase 2: Ship

**Exit criteria:**

- Tagged <!-- verify: file TAG -->
`;

async function project(): Promise<{ root: string; ws: Workspace }> {
  const root = tempProject();
  writeFileSync(join(root, 'plan.md'), PLAN);
  mkdirSync(join(root, 'out'));
  writeFileSync(join(root, 'out', 'report.md'), 'report\n');
  const ws = await openWorkspace({ root, create: true, env: {} });
  await importPlan(ws, join(root, 'plan.md'), 'cli:ana');
  await signoff(ws, 'phase-1/exit/reviewed-by-a-person', { reason: 'read', actor: 'cli:ana' });
  await checkTarget(ws, undefined, { actor: 'cli:ana' });
  return { root, ws };
}

function lines(text: string): DsseEnvelope[] {
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as DsseEnvelope);
}

const jsonl = (envelopes: ReadonlyArray<unknown>): string =>
  envelopes.map((e) => JSON.stringify(e)).join('\n');

describe('proofs', () => {
  it('exports decided verdicts as signed in-toto statements; same ledger, same bytes', async () => {
    const { root, ws } = await project();
    try {
      const first = await exportProofs(ws);
      const again = await exportProofs(ws);
      assert.equal(again.text, first.text, 'deterministic');
      const envelopes = lines(first.text);
      assert.equal(envelopes.length, 5, 'report, review, tag (fail), gate 1 (pass), gate 2 (fail)');
      const checks = await verifyProofs(first.text, await workspaceTrustedKeys(ws), ws);
      assert.ok(
        checks.every((c) => c.ok && c.anchored === true),
        JSON.stringify(checks),
      );
      const gate = checks.find((c) => c.criterion === 'phase-1/gate');
      assert.equal(gate?.verdict, 'pass');
      assert.deepEqual(
        gate?.subjects?.map((s) => s.name),
        ['plan.md', 'out/report.md'],
      );
      const stored = await ws.store.plans.get('plan');
      assert.equal(gate?.subjects?.[0]?.digest.sha256, stored?.sha256);
      assert.equal(checks.find((c) => c.criterion === 'phase-2/exit/tagged')?.verdict, 'fail');
    } finally {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('DSSE pitfalls: payloadType swap, flipped bytes, wrong key, keyid alone, unsigned payload never parsed', async () => {
    const { root, ws } = await project();
    try {
      const { text } = await exportProofs(ws);
      const trusted = await workspaceTrustedKeys(ws);
      const [env] = lines(text);
      assert.ok(env !== undefined);
      const codeOf = async (e: unknown, keys = trusted): Promise<string> => {
        const [c] = await verifyProofs(jsonl([e]), keys);
        return c!.ok ? 'ok' : c!.code!;
      };
      assert.equal(await codeOf(env), 'ok');
      assert.equal(await codeOf({ ...env, payloadType: 'application/json' }), 'bad_signature');
      const payload = Buffer.from(env.payload, 'base64');
      for (const at of [0, Math.floor(payload.length / 2), payload.length - 1]) {
        const flipped = Buffer.from(payload);
        flipped[at] = flipped[at]! ^ 1;
        assert.equal(
          await codeOf({ ...env, payload: flipped.toString('base64') }),
          'bad_signature',
        );
      }
      const sig = Buffer.from(env.signatures[0]!.sig, 'base64');
      sig[10] = sig[10]! ^ 0x80;
      assert.equal(
        await codeOf({
          ...env,
          signatures: [{ ...env.signatures[0], sig: sig.toString('base64') }],
        }),
        'bad_signature',
      );
      // Another key, and another key claiming the trusted keyid.
      const mallory = generateSigningKey();
      assert.equal(await codeOf(env, new Map([[mallory.keyId, mallory.publicKey]])), 'unknown_key');
      const forged = signEnvelope(env.payloadType, payload, [mallory]);
      assert.equal(await codeOf(forged), 'unknown_key');
      assert.equal(
        await codeOf({
          ...forged,
          signatures: [{ keyid: env.signatures[0]!.keyid, sig: forged.signatures[0]!.sig }],
        }),
        'bad_signature',
      );
      // A payload that is not even JSON is refused for its signature, not parsed first.
      assert.equal(
        await codeOf({ ...env, payload: Buffer.from('{not json').toString('base64') }),
        'bad_signature',
      );
      assert.equal(await codeOf({ ...env, signatures: [] }), 'no_signatures');
    } finally {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('@sigstore/core verifies the exported envelopes (PAE + Ed25519), and rejects a tampered one', async () => {
    const { root, ws } = await project();
    try {
      const { text } = await exportProofs(ws);
      const { pem } = await exportPublicKey(ws);
      const key = sigstoreCrypto.createPublicKey(pem);
      for (const env of lines(text)) {
        const payload = Buffer.from(env.payload, 'base64');
        const message = sigstoreDsse.preAuthEncoding(env.payloadType, payload);
        const sig = Buffer.from(env.signatures[0]!.sig, 'base64');
        assert.equal(sigstoreCrypto.verify(message, key, sig), true);
        const swapped = sigstoreDsse.preAuthEncoding('application/json', payload);
        assert.equal(sigstoreCrypto.verify(swapped, key, sig), false);
      }
      assert.equal(createPublicKey(pem).asymmetricKeyType, 'ed25519');
    } finally {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a proof whose ledger event was rewritten is not anchored', async () => {
    const { root, ws } = await project();
    try {
      const { text } = await exportProofs(ws);
      const [first] = lines(text);
      const statement = JSON.parse(Buffer.from(first!.payload, 'base64').toString('utf8')) as {
        predicate: { ledger: { seq: number } };
      };
      (ws.store as SqliteStore).db.db
        .prepare(
          "UPDATE events SET hash = (CASE WHEN substr(hash, 1, 2) = 'ff' THEN '00' ELSE 'ff' END) || substr(hash, 3) WHERE seq = ?",
        )
        .run(statement.predicate.ledger.seq);
      const [c] = await verifyProofs(text, await workspaceTrustedKeys(ws), ws);
      assert.equal(c?.ok, false);
      assert.equal(c?.code, 'not_in_ledger');
    } finally {
      await ws.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('`pulser proofs export` and `verify` (with the workspace keys, or an exported key): exit codes', async () => {
    const { root, ws } = await project();
    await ws.close();
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, ...args], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, PULSER_WORKSPACE: root, PULSER_DEBUG: '' },
      });
    try {
      const exported = cli('proofs', 'export', '--out', 'proofs.intoto.jsonl');
      assert.equal(exported.status, 0, exported.stderr);
      assert.match(exported.stdout, /wrote 5 signed proofs to proofs\.intoto\.jsonl/u);
      const ok = cli('proofs', 'verify', 'proofs.intoto.jsonl');
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /all 5 proofs verified/u);
      writeFileSync(join(root, 'key.pem'), cli('keys', 'export').stdout);
      const other = tempProject();
      const withKey = spawnSync(
        process.execPath,
        [
          BIN,
          'proofs',
          'verify',
          join(root, 'proofs.intoto.jsonl'),
          '--key',
          join(root, 'key.pem'),
        ],
        { cwd: other, encoding: 'utf8', env: { ...process.env, PULSER_WORKSPACE: '' } },
      );
      rmSync(other, { recursive: true, force: true });
      assert.equal(withKey.status, 0, withKey.stdout + withKey.stderr);
      const env = lines(cli('proofs', 'export').stdout)[0]!;
      writeFileSync(join(root, 'bad.jsonl'), jsonl([{ ...env, payloadType: 'text/plain' }]));
      const bad = cli('proofs', 'verify', 'bad.jsonl');
      assert.equal(bad.status, 1);
      assert.match(bad.stdout, /bad\.jsonl:1: FAIL \[bad_signature\]/u);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
