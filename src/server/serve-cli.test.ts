import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';

const BIN = resolve('bin/pulser.js');
let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'pulser-serve-'));
  writeFileSync(join(root, 'PLAN.md'), '# Plan\n\n## Phase 1\n\n- [ ] one\n');
  const r = spawnSync(process.execPath, [BIN, 'import', 'PLAN.md'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('pulser serve', () => {
  test('prints a one-time login link that opens a session; stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: root });
    const link = await new Promise<string>((ok, fail) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /open (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/u.exec(out);
        if (m !== null) ok(`${m[1]} ${m[2]}`);
      });
      child.once('exit', (code) => fail(new Error(`exited ${code}`)));
    });
    const [url, token] = link.split(' ') as [string, string];
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Pulser Runboard|not built/u);
    const login = await fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ token }),
    });
    assert.equal(login.status, 200);
    const session = (await login.json()) as { role: string };
    assert.equal(session.role, 'admin');
    const again = await fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    assert.equal(again.status, 401);
    const exited = new Promise<number | null>((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  test('refuses to bind a public interface without an admin API token', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no admin API token/u);
    assert.match(r.stderr, /pulser token create --role admin/u);
  });

  test('token create prints a secret once; list never shows it; bad role is a usage error', () => {
    const created = spawnSync(
      process.execPath,
      [BIN, 'token', 'create', '--role', 'viewer', '--name', 'dana'],
      { cwd: root, encoding: 'utf8' },
    );
    assert.equal(created.status, 0, created.stderr);
    const secret = created.stdout.trim();
    assert.match(secret, /^pulser_[A-Za-z0-9_-]{40,}$/u);
    const list = spawnSync(process.execPath, [BIN, 'token', 'list'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.match(list.stdout, /viewer\s+user:dana/u);
    assert.ok(!list.stdout.includes(secret));
    const bad = spawnSync(process.execPath, [BIN, 'token', 'create', '--role', 'root'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /invalid role "root"/u);
  });
});
