import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from './serve.js';
import { testWorkspace, type TestWorkspace } from './test-helpers.js';

let t: TestWorkspace;
let server: RunningServer;

before(async () => {
  t = await testWorkspace('live');
  server = await startServer({ workspaces: [t.ws], port: 0, webDir: null, hub: { pollMs: 10 } });
});
after(async () => {
  await server.close();
  await t.done();
});

interface Received {
  readonly id: number;
  readonly seq: number;
  readonly type: string;
  /** The tool of an `agent.call` (the events these tests append). */
  readonly tool: string | undefined;
}

/** Reads SSE messages from the stream until `count` arrived, then disconnects. */
async function readEvents(
  count: number,
  headers: Record<string, string> = {},
  query = '',
): Promise<Received[]> {
  const ac = new AbortController();
  const res = await fetch(`${server.url}/api/w/${t.tenant.id}/events/stream${query}`, {
    headers: { authorization: `Bearer ${t.tokens.viewer}`, ...headers },
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/u);
  const got: Received[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  while (got.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while (got.length < count && (end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (\d+)$/mu.exec(block)?.[1];
      const data = /^data: (.*)$/mu.exec(block)?.[1];
      if (id === undefined || data === undefined) continue;
      const e = JSON.parse(data) as { seq: number; type: string; data?: { tool?: string } };
      got.push({ id: Number(id), seq: e.seq, type: e.type, tool: e.data?.tool });
    }
  }
  ac.abort();
  await reader.cancel().catch(() => undefined);
  return got;
}

async function append(n: number, tool = 'tick'): Promise<void> {
  for (let i = 0; i < n; i++) {
    await t.ws.store.events.append({
      type: 'agent.call',
      actor: 'test',
      subject: null,
      data: { tool, arguments: { i }, outcome: 'ok' },
    });
  }
}

describe('SSE over a socket', () => {
  test('ids are event seqs; resuming with Last-Event-ID has no gap and no duplicate', async () => {
    const start = (await t.ws.store.events.head()).seq;
    await append(5);
    const first = await readEvents(3, {}, `?after=${start}`);
    assert.deepEqual(
      first.map((e) => e.id),
      [start + 1, start + 2, start + 3],
    );
    assert.ok(first.every((e) => e.id === e.seq));
    await append(4);
    const resumed = await readEvents(6, { 'last-event-id': String(first.at(-1)!.id) });
    assert.deepEqual(
      resumed.map((e) => e.id),
      [4, 5, 6, 7, 8, 9].map((k) => start + k),
    );
  });

  test('live events arrive while connected, including from another process', async () => {
    const head = (await t.ws.store.events.head()).seq;
    const reading = readEvents(4, {}, `?after=${head}`);
    await append(2, 'here');
    const script = `
      import { openSqliteStore } from ${JSON.stringify(fileURLToPath(new URL('../store/sqlite/index.js', import.meta.url)))};
      const s = openSqliteStore(process.argv[1]);
      for (let i = 0; i < 2; i++) await s.events.append({ type: 'agent.call', actor: 'worker:w1', subject: null, data: { tool: 'other-process', arguments: { i }, outcome: 'ok' } });
      await s.close();`;
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', script, `${t.ws.dir}/pulser.db`],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    const got = await reading;
    assert.deepEqual(
      got.map((e) => e.tool),
      ['here', 'here', 'other-process', 'other-process'],
    );
    assert.deepEqual(
      got.map((e) => e.id),
      [1, 2, 3, 4].map((k) => head + k),
    );
  });

  test('a stream without credentials is refused; a bad Last-Event-ID is 400', async () => {
    const res = await fetch(`${server.url}/api/w/${t.tenant.id}/events/stream`);
    assert.equal(res.status, 401);
    await res.body?.cancel();
    const bad = await fetch(`${server.url}/api/w/${t.tenant.id}/events/stream`, {
      headers: { authorization: `Bearer ${t.tokens.viewer}`, 'last-event-id': '../1' },
    });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
  });

  test('the server refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/api/health`,
        { headers: { host: 'attacker.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 421);
  });
});
