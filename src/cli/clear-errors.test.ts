/**
 * Issue 9, "clear errors instead of 'please report this'": user mistakes and environment
 * failures get one line naming the thing and what to do, a non-zero exit and no stack trace.
 * Real `bin/pulser.js` processes, the real HTTP server on a real socket.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../server/serve.js';
import { testWorkspace, type TestWorkspace } from '../server/test-helpers.js';
import { LAUNCH_PLAN, tempProject } from '../workspace/test-helpers.js';
import { nobodySkip, pulser, PULSER_BIN, type PulserRun } from '../util/test-helpers.js';

/** A failure a person can act on: exit 1, the message and a hint, nothing else. */
function oneLine(r: PulserRun, message: RegExp, hint: RegExp, code = 1): void {
  assert.equal(r.code, code, r.stderr);
  assert.doesNotMatch(r.stderr, /unexpected error|please report|\n\s+at /u);
  const lines = r.stderr.trimEnd().split('\n');
  assert.ok(lines.length <= 2, `one line and a hint: ${r.stderr}`);
  assert.match(lines[0]!, message);
  assert.match(lines[1] ?? '', hint);
}

describe('clear errors for user mistakes (issue 9)', () => {
  let root = '';
  before(() => {
    root = tempProject();
    writeFileSync(join(root, 'plan.md'), LAUNCH_PLAN);
    assert.equal(pulser(root, 'import', 'plan.md').code, 0);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('report --out into a missing folder: names the folder, records nothing', () => {
    const events = readFileSync(join(root, '.pulser', 'checkpoints.jsonl'), 'utf8');
    const r = pulser(root, 'report', '--out', 'nope/report.md');
    oneLine(
      r,
      new RegExp(`cannot write nope/report\\.md: the folder ${root}/nope does not exist`, 'u'),
      /hint: create it first \(mkdir -p .*\), or give another --out path/u,
    );
    assert.equal(readFileSync(join(root, '.pulser', 'checkpoints.jsonl'), 'utf8'), events);
  });

  it('keys export --out a path in a file, proofs export --out a folder', () => {
    writeFileSync(join(root, 'afile'), 'x');
    oneLine(
      pulser(root, 'keys', 'export', '--out', 'afile/key.pem'),
      /cannot write afile\/key\.pem: the folder .*afile does not exist/u,
      /hint: /u,
    );
    mkdirSync(join(root, 'out'), { recursive: true });
    oneLine(
      pulser(root, 'proofs', 'export', '--out', 'out'),
      /cannot write out: it is a folder/u,
      /hint: give --out a file name inside it/u,
    );
    const ok = pulser(root, 'keys', 'export', '--out', 'out/key.pem');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(readFileSync(join(root, 'out', 'key.pem'), 'utf8'), /BEGIN PUBLIC KEY/u);
  });

  it(
    'a database this user cannot write: says so and what to do',
    { skip: nobodySkip(PULSER_BIN) },
    () => {
      // Root ignores file modes, so as root the command runs as the user `nobody` (the project
      // is readable by everyone); otherwise the file is made read-only with chmod.
      const dir = tempProject();
      const db = join(dir, '.pulser', 'pulser.db');
      try {
        writeFileSync(join(dir, 'plan.md'), LAUNCH_PLAN);
        assert.equal(pulser(dir, 'import', 'plan.md').code, 0);
        chmodSync(dir, 0o755);
        const asRoot = process.getuid?.() === 0;
        if (!asRoot) chmodSync(db, 0o444);
        const r = spawnSync(process.execPath, [PULSER_BIN, 'status'], {
          cwd: dir,
          encoding: 'utf8',
          env: { ...process.env, PULSER_WORKSPACE: dir, PULSER_DEBUG: '', HOME: dir },
          ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
        });
        oneLine(
          { code: r.status, stdout: r.stdout, stderr: r.stderr },
          /pulser\.db: the workspace database is read-only/u,
          /hint: make the file and its folder writable for this user/u,
        );
      } finally {
        chmodSync(db, 0o644);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('import of a device: not "is a directory"', () => {
    oneLine(
      pulser(root, 'import', '/dev/zero'),
      /\/dev\/zero is not a regular file \(a device, a pipe or a socket\)/u,
      /hint: give the path of a markdown file/u,
    );
  });

  it('serve --also the workspace itself', () => {
    oneLine(
      pulser(root, 'serve', '--port', '0', '--also', '.'),
      new RegExp(`the workspace ${root} is given twice`, 'u'),
      /hint: give --also the folder of another workspace/u,
      2, // a usage error
    );
  });

  it('a file verifier cannot read .pulser/ (the signing key pointer)', () => {
    const dir = tempProject();
    try {
      writeFileSync(
        join(dir, 'plan.md'),
        '# P\n\n## Phase 1: A\n\n### Task 1.1: T\n\n- [ ] x\n\n**Exit criteria:**\n\n' +
          '- [ ] Key is there <!-- verify: file .pulser/keys/active -->\n',
      );
      assert.equal(pulser(dir, 'import', 'plan.md').code, 0);
      assert.equal(pulser(dir, 'keys', 'export').code, 0);
      const active = join(dir, '.pulser', 'keys', 'active');
      assert.ok(existsSync(active));
      const r = pulser(dir, 'check');
      assert.match(
        r.stdout,
        /ERROR .*\.pulser\/keys\/active: is inside \.pulser\/ \(Pulser's own state and keys\)/u,
      );
      const digest = createHash('sha256').update(readFileSync(active)).digest('hex');
      const json = pulser(dir, 'check', '--json').stdout;
      assert.ok(!json.includes(digest), 'no digest of the key pointer is recorded');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('POST /tokens refuses unknown fields, as docs/api.md promises (issue 9)', () => {
  let t: TestWorkspace;
  let server: RunningServer;
  before(async () => {
    t = await testWorkspace('tokens-ws');
    server = await startServer({ workspaces: [t.ws], port: 0, webDir: null, worker: false });
  });
  after(async () => {
    await server.close();
    await t.done();
  });

  const post = (body: unknown) =>
    fetch(`${server.url}/api/w/tokens-ws/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('a `workspace` field is 400, and no token is created', async () => {
    const before = (await t.ws.store.auth.users('tokens-ws')).length;
    const res = await post({ role: 'viewer', user: 'eve', workspace: 'other' });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: string; message: string; hint: string } };
    assert.equal(body.error.code, 'E_USAGE');
    assert.equal(body.error.message, 'unknown field "workspace"');
    assert.match(body.error.hint, /allowed fields: role, user, label, ttlDays/u);
    assert.equal((await t.ws.store.auth.users('tokens-ws')).length, before);
    const ok = await post({ role: 'viewer', user: 'eve' });
    assert.equal(ok.status, 201);
  });
});
