import assert from 'node:assert/strict';
import { appendFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLoginToken } from '../workspace/access/auth.js';
import { testApp, testWorkspace, withToken, type TestWorkspace } from './test-helpers.js';

let a: TestWorkspace;
let b: TestWorkspace;
let app: ReturnType<typeof testApp>;

before(async () => {
  a = await testWorkspace('alpha');
  b = await testWorkspace('beta');
  app = testApp([a.tenant, b.tenant]);
});
after(async () => {
  await a.done();
  await b.done();
});

/** Everything a refused call must leave unchanged. */
async function state(t: TestWorkspace): Promise<string> {
  const tokens = await t.ws.store.auth.list(t.tenant.id, ['api', 'login', 'session']);
  return JSON.stringify({
    head: await t.ws.store.events.head(),
    plans: (await t.ws.store.plans.list()).map((p) => [p.id, p.version, p.sha256]),
    tokens: tokens.map((x) => [x.id, x.revokedAt]),
  });
}

async function json(
  res: Response,
): Promise<{ error?: { code: string; message: string } } & Record<string, unknown>> {
  return (await res.json()) as { error?: { code: string; message: string } } & Record<
    string,
    unknown
  >;
}

const MUTATIONS: ReadonlyArray<readonly [string, string, unknown]> = [
  ['POST', '/plans/import', { path: 'PLAN.md' }],
  ['POST', '/nodes/phase-1-foundation/task-1-1-set-up-ci/status', { status: 'done' }],
  ['POST', '/nodes/some-item/check', {}],
  ['POST', '/runs', { target: 'launch-plan' }],
  ['POST', '/runs/run-1/cancel', {}],
  ['POST', '/runs/run-1/retry', {}],
  ['POST', '/steps/s/1/retry', {}],
  ['POST', '/steps/s/1/cancel', {}],
  ['POST', '/steps/s/1/approve', {}],
  ['POST', '/steps/s/1/reject', {}],
  ['POST', '/steps/s/1/resolve', { action: 'skip' }],
  ['POST', '/sessions/sess-1/archive', { archived: true }],
  ['POST', '/trust', { planId: 'plan' }],
  ['POST', '/untrust', { planId: 'plan' }],
  ['POST', '/gates/launch-plan:phase-1/task-1-2/exit/ci-is-green-on-main/signoff', { reason: 'x' }],
  ['POST', '/metrics/launch-plan:p99-latency', { value: 10 }],
  ['POST', '/check', { target: 'launch-plan' }],
  ['POST', '/tokens', { role: 'admin', user: 'mallory' }],
  ['DELETE', '/tokens/tok_000000000000', undefined],
];

/** The least role each mutation needs (viewer is refused everywhere). */
const NEEDS: Readonly<Record<string, string>> = {
  '/plans/import': 'operator',
  '/tokens': 'admin',
};

describe('every mutating endpoint refuses', () => {
  for (const [method, path, body] of MUTATIONS) {
    test(`${method} ${path} without a token: 401, nothing changed`, async () => {
      const before = await state(a);
      const res = await app.request(`/api/w/${a.tenant.id}${path}`, withToken(null, method, body));
      assert.equal(res.status, 401);
      assert.equal((await json(res)).error?.code, 'E_AUTH');
      assert.equal(await state(a), before);
    });
    test(`${method} ${path} with a viewer token: 403, nothing changed`, async () => {
      const before = await state(a);
      const res = await app.request(
        `/api/w/${a.tenant.id}${path}`,
        withToken(a.tokens.viewer, method, body),
      );
      assert.equal(res.status, 403);
      assert.equal(await state(a), before);
    });
    test(`${method} ${path} with another workspace's admin token: 401, nothing changed`, async () => {
      const beforeA = await state(a);
      const beforeB = await state(b);
      const res = await app.request(
        `/api/w/${a.tenant.id}${path}`,
        withToken(b.tokens.admin, method, body),
      );
      assert.equal(res.status, 401);
      assert.equal(await state(a), beforeA);
      assert.equal(await state(b), beforeB);
    });
  }

  test('an operator may not manage tokens, nor may an approver', async () => {
    for (const role of ['operator', 'approver'] as const) {
      const before = await state(a);
      const res = await app.request(
        `/api/w/${a.tenant.id}/tokens`,
        withToken(a.tokens[role], 'POST', { role: 'admin', user: 'x' }),
      );
      assert.equal(res.status, 403);
      assert.equal(await state(a), before);
    }
    assert.equal(NEEDS['/tokens'], 'admin');
  });

  test('a revoked token is refused', async () => {
    const res = await app.request(
      `/api/w/${a.tenant.id}/tokens`,
      withToken(a.tokens.admin, 'POST', { role: 'viewer', user: 'temp' }),
    );
    assert.equal(res.status, 201);
    const created = (await json(res)) as unknown as { secret: string; credential: { id: string } };
    assert.equal(
      (await app.request(`/api/w/${a.tenant.id}/plans`, withToken(created.secret))).status,
      200,
    );
    const del = await app.request(
      `/api/w/${a.tenant.id}/tokens/${created.credential.id}`,
      withToken(a.tokens.admin, 'DELETE'),
    );
    assert.equal(del.status, 200);
    assert.equal(
      (await app.request(`/api/w/${a.tenant.id}/plans`, withToken(created.secret))).status,
      401,
    );
    const events = await a.ws.store.events.read({ types: ['auth.token.*'] });
    assert.deepEqual(
      events.slice(-2).map((e) => [e.type, e.actor]),
      [
        ['auth.token.created', 'user:admin-user'],
        ['auth.token.revoked', 'user:admin-user'],
      ],
    );
    assert.ok(!JSON.stringify(events).includes(created.secret), 'no secret in the event log');
  });
});

describe('tenants', () => {
  test("a token of one workspace sees nothing of another's", async () => {
    for (const path of [
      '/plans',
      '/events',
      '/events/stream',
      '/next',
      '/files',
      '/tokens',
      '/runs',
      '/runs/run-1/logs',
      '/sessions',
      '/inbox',
      '/targets',
      '/trust',
      `/artifacts/${'a'.repeat(64)}`,
    ]) {
      const res = await app.request(`/api/w/${b.tenant.id}${path}`, withToken(a.tokens.admin));
      assert.equal(res.status, 401, path);
      assert.doesNotMatch(await res.text(), /PLAN\.md|beta/u);
    }
  });

  test('an unknown workspace is 404', async () => {
    const res = await app.request('/api/w/nope/plans', withToken(a.tokens.admin));
    assert.equal(res.status, 404);
  });

  test('tokens are stored only as SHA-256 digests', () => {
    const db = (
      a.ws.store as unknown as { db: { db: { prepare(s: string): { all(): unknown[] } } } }
    ).db.db;
    const dump = JSON.stringify(db.prepare('SELECT * FROM auth_tokens').all());
    for (const token of Object.values(a.tokens)) assert.ok(!dump.includes(token));
  });
});

describe('plans', () => {
  test('an operator imports a plan; the event records the actor', async () => {
    const res = await app.request(
      `/api/w/${a.tenant.id}/plans/import`,
      withToken(a.tokens.operator, 'POST', { path: 'PLAN.md' }),
    );
    assert.equal(res.status, 201);
    const body = (await json(res)) as unknown as { plan: { id: string; title: string } };
    assert.equal(body.plan.title, 'Launch Plan');
    const [last] = (await a.ws.store.events.read({ types: ['plan.imported'] })).slice(-1);
    assert.equal(last?.actor, 'user:operator-user');
    const list = await app.request(`/api/w/${a.tenant.id}/plans`, withToken(a.tokens.viewer));
    assert.equal(list.status, 200);
    const plans = (await json(list)) as unknown as { plans: Array<{ id: string }> };
    assert.deepEqual(
      plans.plans.map((p) => p.id),
      [body.plan.id],
    );
    const one = await app.request(
      `/api/w/${a.tenant.id}/plans/${body.plan.id}`,
      withToken(a.tokens.viewer),
    );
    assert.equal(one.status, 200);
    const missing = await app.request(
      `/api/w/${a.tenant.id}/plans/nope`,
      withToken(a.tokens.viewer),
    );
    assert.equal(missing.status, 404);
  });

  test('path traversal in import is refused and changes nothing', async () => {
    symlinkSync(join(a.root, '..', 'SECRET.md'), join(a.root, 'link.md'));
    for (const path of [
      '../SECRET.md',
      '../../../../etc/passwd',
      '/etc/passwd',
      'docs/../../SECRET.md',
      'link.md',
      '.pulser/pulser.db',
      '.pulser/../../SECRET.md',
      'PLAN.md\u0000.txt',
      'C:\\Windows\\win.ini',
    ]) {
      const before = await state(a);
      const res = await app.request(
        `/api/w/${a.tenant.id}/plans/import`,
        withToken(a.tokens.admin, 'POST', { path }),
      );
      assert.ok([400, 404].includes(res.status), `${path}: ${res.status}`);
      assert.equal(await state(a), before, path);
    }
  });

  test('path traversal in artifact, log and node routes is refused', async () => {
    for (const path of [
      '/artifacts/..%2f..%2f.pulser%2fpulser.db',
      '/artifacts/../../etc/passwd',
      '/artifacts/ABC',
      '/runs/..%2f..%2fetc/logs',
      '/runs/%2e%2e/logs',
      '/nodes/..%2f..%2fetc%2fpasswd',
    ]) {
      const res = await app.request(`/api/w/${a.tenant.id}${path}`, withToken(a.tokens.admin));
      assert.ok([400, 404].includes(res.status), `${path}: ${res.status}`);
      assert.doesNotMatch(await res.text(), /root:|SQLite format/u);
    }
  });
});

describe('bodies', () => {
  test('oversized, malformed and mistyped bodies are refused, nothing changed', async () => {
    const url = `/api/w/${a.tenant.id}/plans/import`;
    const cases: ReadonlyArray<readonly [RequestInit, number]> = [
      [withToken(a.tokens.admin, 'POST', JSON.stringify({ path: 'x'.repeat(70_000) })), 413],
      [withToken(a.tokens.admin, 'POST', '{"path": '), 400],
      [withToken(a.tokens.admin, 'POST', '[1,2]'), 400],
      [withToken(a.tokens.admin, 'POST', '"PLAN.md"'), 400],
      [withToken(a.tokens.admin, 'POST', { path: 42 }), 400],
      [withToken(a.tokens.admin, 'POST', {}), 400],
      [
        {
          method: 'POST',
          headers: {
            host: 'pulser.test',
            authorization: `Bearer ${a.tokens.admin}`,
            'content-type': 'text/plain',
          },
          body: '{"path":"PLAN.md"}',
        },
        415,
      ],
    ];
    for (const [i, [init, status]] of cases.entries()) {
      const before = await state(a);
      const res = await app.request(url, init);
      assert.equal(res.status, status, `case ${i}`);
      assert.equal((await json(res)).error !== undefined, true);
      assert.equal(await state(a), before);
    }
    const status = await app.request(
      `/api/w/${a.tenant.id}/nodes/x/status`,
      withToken(a.tokens.admin, 'POST', { status: 'exploded' }),
    );
    assert.equal(status.status, 400);
  });

  test('a malformed Authorization header is 401; a wrong Host is refused', async () => {
    const res = await app.request(`/api/w/${a.tenant.id}/plans`, {
      headers: { host: 'pulser.test', authorization: 'Basic abc' },
    });
    assert.equal(res.status, 401);
    const evil = await app.request(`/api/w/${a.tenant.id}/plans`, {
      headers: { host: 'evil.example', authorization: `Bearer ${a.tokens.admin}` },
    });
    assert.equal(evil.status, 421);
  });
});

describe('browser sessions', () => {
  async function signIn(): Promise<{ cookie: string; csrf: string }> {
    const { secret } = await createLoginToken(a.ws, {
      role: 'operator',
      user: 'ana',
      actor: 'test',
    });
    const res = await app.request('/api/login', {
      method: 'POST',
      headers: {
        host: 'pulser.test',
        origin: 'http://pulser.test',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ token: secret }),
    });
    assert.equal(res.status, 200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly/u);
    assert.match(setCookie, /SameSite=Strict/u);
    const again = await app.request('/api/login', {
      method: 'POST',
      headers: { host: 'pulser.test', 'content-type': 'application/json' },
      body: JSON.stringify({ token: secret }),
    });
    assert.equal(again.status, 401, 'a login token works once');
    const body = (await json(res)) as unknown as { csrf: string; role: string };
    assert.equal(body.role, 'operator');
    return { cookie: setCookie.split(';')[0]!, csrf: body.csrf };
  }

  test('a session reads; mutations need the CSRF header and a same Origin', async () => {
    const { cookie, csrf } = await signIn();
    const h = { host: 'pulser.test', cookie };
    assert.equal((await app.request(`/api/w/${a.tenant.id}/plans`, { headers: h })).status, 200);
    const url = `/api/w/${a.tenant.id}/plans/import`;
    const body = JSON.stringify({ path: 'PLAN.md' });
    const ct = { 'content-type': 'application/json' };
    const refused: ReadonlyArray<Record<string, string>> = [
      { ...h, ...ct, origin: 'http://pulser.test' },
      { ...h, ...ct, origin: 'http://pulser.test', 'x-pulser-csrf': 'f'.repeat(64) },
      { ...h, ...ct, origin: 'http://evil.example', 'x-pulser-csrf': csrf },
      { ...h, ...ct, 'x-pulser-csrf': csrf },
      {
        ...h,
        ...ct,
        origin: 'http://pulser.test',
        'x-pulser-csrf': csrf,
        'sec-fetch-site': 'cross-site',
      },
    ];
    for (const headers of refused) {
      const before = await state(a);
      const res = await app.request(url, { method: 'POST', headers, body });
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal(await state(a), before);
    }
    appendFileSync(join(a.root, 'PLAN.md'), '\n### Task 2.2: Announce @ANA\n');
    const ok = await app.request(url, {
      method: 'POST',
      headers: { ...h, ...ct, origin: 'http://pulser.test', 'x-pulser-csrf': csrf },
      body,
    });
    assert.ok(ok.status === 200 || ok.status === 201);
    const [last] = (await a.ws.store.events.read({ types: ['plan.imported'] })).slice(-1);
    assert.equal(last?.actor, 'user:ana');
  });

  test('runtime mutations by a session need the CSRF header too', async () => {
    const { cookie, csrf } = await signIn();
    const h = { host: 'pulser.test', cookie, 'content-type': 'application/json' };
    for (const [path, body] of [
      ['/runs', { target: 'launch-plan' }],
      ['/sessions/x/archive', {}],
      ['/steps/x.1/retry', {}],
    ] as const) {
      const before = await state(a);
      const res = await app.request(`/api/w/${a.tenant.id}${path}`, {
        method: 'POST',
        headers: { ...h, origin: 'http://pulser.test' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 403, path);
      assert.equal(await state(a), before);
      const cross = await app.request(`/api/w/${a.tenant.id}${path}`, {
        method: 'POST',
        headers: { ...h, origin: 'http://evil.example', 'x-pulser-csrf': csrf },
        body: JSON.stringify(body),
      });
      assert.equal(cross.status, 403, path);
      assert.equal(await state(a), before);
    }
  });

  test('a session cookie does not open another workspace', async () => {
    const { cookie } = await signIn();
    const res = await app.request(`/api/w/${b.tenant.id}/plans`, {
      headers: { host: 'pulser.test', cookie },
    });
    assert.equal(res.status, 401);
  });

  test('sign out revokes the session', async () => {
    const { cookie, csrf } = await signIn();
    const h = { host: 'pulser.test', cookie, origin: 'http://pulser.test' };
    const who = await app.request('/api/session', { headers: h });
    assert.equal(who.status, 200);
    assert.equal((await app.request('/api/logout', { method: 'POST', headers: h })).status, 403);
    const out = await app.request('/api/logout', {
      method: 'POST',
      headers: { ...h, 'x-pulser-csrf': csrf },
    });
    assert.equal(out.status, 200);
    assert.equal((await app.request('/api/session', { headers: h })).status, 401);
  });
});
