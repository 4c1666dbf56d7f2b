import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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

  test('the embedded worker runs what the API starts; SIGTERM lets a running step finish', async () => {
    writeFileSync(
      join(root, 'ops.md'),
      '# Ops\n\n## Task 1: Hello\n\n```sh\necho served by the embedded worker\n```\n\n## Task 2: Slow\n\n```sh\nsleep 2; echo slow done\n```\n',
    );
    const imported = spawnSync(process.execPath, [BIN, 'import', 'ops.md'], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(imported.status, 0, imported.stderr);
    const token = spawnSync(
      process.execPath,
      [BIN, 'token', 'create', '--role', 'approver', '--name', 'ana'],
      { cwd: root, encoding: 'utf8' },
    ).stdout.trim();
    const { child, url } = await serve([]);
    const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const ws = (
      (await (await fetch(`${url}/api/session`, { headers: h })).json()) as {
        workspace: string;
      }
    ).workspace;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}/api/w/${ws}${path}`, {
        method,
        headers: h,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await res.json()) as Record<string, unknown>;
    };
    const trust = (await api('GET', '/trust')) as {
      plans: Array<{ planId: string; sha256: string; commandsSha256: string }>;
    };
    const ops = trust.plans.find((p) => p.planId === 'ops')!;
    await api('POST', '/trust', {
      planId: ops.planId,
      sha256: ops.sha256,
      commands: ops.commandsSha256,
    });
    const waitFor = async (
      runId: string,
      what: (r: { status: string; steps: Array<{ state: string }> }) => boolean,
    ) => {
      for (;;) {
        const { run } = (await api('GET', `/runs/${runId}`)) as {
          run: { status: string; steps: Array<{ state: string }> };
        };
        if (what(run)) return run;
        await new Promise((ok) => setTimeout(ok, 50));
      }
    };
    const hello = (await api('POST', '/runs', { target: 'ops:task-1' })) as { run: { id: string } };
    await waitFor(hello.run.id, (r) => r.status === 'succeeded');
    const logs = (await api('GET', `/runs/${hello.run.id}/logs`)) as {
      lines: Array<{ text: string }>;
    };
    assert.match(logs.lines.map((l) => l.text).join(''), /served by the embedded worker/u);

    const slow = (await api('POST', '/runs', { target: 'ops:task-2' })) as { run: { id: string } };
    await waitFor(slow.run.id, (r) => r.steps[0]!.state === 'running');
    const exited = new Promise<number | null>((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const shown = spawnSync(process.execPath, [BIN, 'runs', slow.run.id, '--json'], {
      cwd: root,
      encoding: 'utf8',
    });
    const { run } = JSON.parse(shown.stdout) as { run: { status: string } };
    assert.equal(
      run.status,
      'succeeded',
      'the running step was let finish before the server stopped',
    );
  });

  test('--no-worker leaves runs to `pulser worker`', async () => {
    const token = spawnSync(
      process.execPath,
      [BIN, 'token', 'create', '--role', 'operator', '--name', 'olga'],
      { cwd: root, encoding: 'utf8' },
    ).stdout.trim();
    const { child, url, banner } = await serve(['--no-worker']);
    assert.match(banner, /No worker in this process/u);
    const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const ws = (
      (await (await fetch(`${url}/api/session`, { headers: h })).json()) as {
        workspace: string;
      }
    ).workspace;
    const res = await fetch(`${url}/api/w/${ws}/runs`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ target: 'ops:task-1' }),
    });
    assert.equal(res.status, 201);
    const { run } = (await res.json()) as { run: { id: string } };
    await new Promise((ok) => setTimeout(ok, 300));
    const again = (await (
      await fetch(`${url}/api/w/${ws}/runs/${run.id}`, { headers: h })
    ).json()) as {
      run: { status: string };
    };
    assert.equal(again.run.status, 'queued');
    const exited = new Promise<number | null>((ok) => child.once('exit', ok));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  });
});

/** Starts `pulser serve --port 0` in `root`; resolves once it printed its banner. */
async function serve(
  args: ReadonlyArray<string>,
): Promise<{ child: ChildProcess; url: string; banner: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { cwd: root });
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/u.exec(out);
      if (m !== null && out.includes('Ctrl+C')) ok({ child, url: m[1]!, banner: out });
    });
    child.once('exit', (code) => fail(new Error(`pulser serve exited with ${code}`)));
  });
}
