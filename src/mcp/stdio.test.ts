import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { StoredEvent } from '../store/events.js';
import { openWorkspace } from '../workspace/open.js';
import { BIN, mcpProject, startAgent, text, until, type Agent } from './test-helpers.js';

const T = { timeout: 90_000 };

async function events(root: string, types?: string[]): Promise<StoredEvent[]> {
  const ws = await openWorkspace({ root, env: {} });
  try {
    return await ws.store.events.read({ limit: 100_000, ...(types ? { types } : {}) });
  } finally {
    await ws.close();
  }
}

async function head(root: string): Promise<{ seq: number; hash: string }> {
  const ws = await openWorkspace({ root, env: {} });
  try {
    return await ws.store.events.head();
  } finally {
    await ws.close();
  }
}

describe('pulser mcp (real process, SDK client over stdio)', () => {
  let project: ReturnType<typeof mcpProject>;
  const agents: Agent[] = [];
  const agent = async (name: string, extra: string[] = []): Promise<Agent> => {
    const a = await startAgent(project.root, name, extra);
    agents.push(a);
    return a;
  };
  before(() => {
    project = mcpProject();
  });
  after(async () => {
    await Promise.all(agents.map((a) => a.close().catch(() => {})));
    project.done();
  });

  it('lists a lean tool set, annotated; nothing that trusts or approves', T, async () => {
    const a = await agent('lister');
    const { tools } = await a.client.listTools();
    const names = tools.map((t) => t.name);
    assert.deepEqual(names, [
      'pulser_next',
      'pulser_show',
      'pulser_claim',
      'pulser_progress',
      'pulser_release',
      'pulser_check_item',
      'pulser_set_status',
      'pulser_run',
      'pulser_run_status',
      'pulser_run_checks',
      'pulser_logs',
      'pulser_request_approval',
    ]);
    const writes = [
      'claim',
      'progress',
      'release',
      'check_item',
      'set_status',
      'run',
      'run_checks',
      'request_approval',
    ];
    for (const t of tools) {
      const write = writes.some((w) => t.name === `pulser_${w}`);
      assert.equal(t.annotations?.readOnlyHint, !write, t.name);
      assert.doesNotMatch(t.name, /trust|approve|resolve|retry/u);
      assert.doesNotMatch(JSON.stringify(t.inputSchema), /unsafe|trustedBy/iu, t.name);
    }
    const refused = await a.call('pulser_trust', { planId: 'plan' });
    assert.equal(refused.isError, true);
    for (const name of ['pulser_trust', 'pulser_approve', 'pulser_resolve']) {
      assert.equal((await a.call(name, {})).isError, true, name);
    }
    const read = await agent('reader', ['--tools', 'read']);
    const readNames = (await read.client.listTools()).tools.map((t) => t.name);
    assert.ok(readNames.includes('pulser_events') && readNames.includes('pulser_plan'));
    assert.ok(readNames.includes('pulser_status') && readNames.includes('pulser_logs'));
    assert.ok(!readNames.some((n) => ['pulser_claim', 'pulser_set_status'].includes(n)));
    const bad = spawnSync(process.execPath, [BIN, 'mcp', '-w', project.root, '--tools', 'bogus'], {
      encoding: 'utf8',
      input: '',
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown tool "bogus" in the tool list/u);
  });

  it('read tools and resources write nothing (the event log head is unchanged)', T, async () => {
    const a = await agent('quiet', ['--tools', 'read']);
    assert.equal((await a.client.listTools()).tools.length, 9);
    const before = await head(project.root);
    for (const [tool, args] of [
      ['pulser_status', {}],
      ['pulser_next', { includeClaimed: true, limit: 0 }],
      ['pulser_show', { id: 'phase-1' }],
      ['pulser_report', {}],
      ['pulser_claims', {}],
      ['pulser_events', { limit: 5 }],
      ['pulser_plan', { planId: 'plan' }],
      ['pulser_run_status', {}],
    ] as const) {
      const r = await a.call(tool, args);
      assert.notEqual(r.isError, true, `${tool}: ${text(r)}`);
    }
    const { resources } = await a.client.listResources();
    const uris = resources.map((r) => r.uri);
    assert.ok(uris.includes('pulser://plans/plan'));
    assert.ok(uris.includes('pulser://tasks/plan/phase-1/task-1-1'));
    for (const uri of [
      'pulser://plans',
      'pulser://report',
      'pulser://plans/plan',
      'pulser://plans/plan/report',
      'pulser://tasks/plan/phase-1/task-1-1',
    ]) {
      const r = await a.client.readResource({ uri });
      assert.ok(r.contents.length === 1, uri);
    }
    const task = await a.client.readResource({ uri: 'pulser://tasks/plan/phase-1/task-1-1' });
    const content = task.contents[0] as { text: string };
    assert.equal((JSON.parse(content.text) as { id: string }).id, 'phase-1/task-1-1');
    assert.deepEqual(await head(project.root), before);
  });

  it('five agents race for one task: exactly one wins', T, async () => {
    const racers = await Promise.all(
      ['r1', 'r2', 'r3', 'r4', 'r5'].map((n) => agent(`racer-${n}`)),
    );
    const results = await Promise.all(
      racers.map((r) => r.call('pulser_claim', { taskId: 'phase-1/task-1-2' })),
    );
    const winners = results.filter((r) => r.isError !== true);
    assert.equal(winners.length, 1, results.map(text).join('\n'));
    const winner = (winners[0]!.structuredContent as { claim: { agent: string } }).claim.agent;
    assert.match(winner, /^agent:racer-r\d$/u);
    for (const r of results.filter((x) => x.isError === true)) {
      assert.match(
        text(r),
        new RegExp(`E_STATE: task phase-1/task-1-2 is claimed by ${winner}`, 'u'),
      );
    }
    const claimed = (await events(project.root, ['task.claimed'])).filter(
      (e) => e.subject === 'plan:phase-1/task-1-2',
    );
    assert.deepEqual(
      claimed.map((e) => e.actor),
      [winner],
    );
    const calls = (await events(project.root, ['agent.call'])).filter(
      (e) => (e.data as { tool: string }).tool === 'pulser_claim',
    );
    assert.equal(calls.length, 5);
    assert.equal(calls.filter((e) => (e.data as { outcome: string }).outcome === 'ok').length, 1);
  });

  it('a claim its agent abandons is released when the lease expires', T, async () => {
    const quitter = await agent('quitter', ['--claim-lease', '1s']);
    const r = await quitter.call('pulser_claim', { taskId: 'phase-2/task-2-1' });
    assert.notEqual(r.isError, true, text(r));
    process.kill(quitter.transport.pid!, 'SIGKILL');
    const waiter = await agent('waiter', ['--claim-lease', '1s']);
    const released = await until(async () => {
      const all = await events(project.root, ['task.released']);
      return all.find((e) => e.subject === 'plan:phase-2/task-2-1');
    }, 'the expired claim to be released');
    assert.equal(released.actor, 'system');
    assert.deepEqual(released.data, {
      planId: 'plan',
      taskId: 'phase-2/task-2-1',
      agent: 'agent:quitter',
      reason: 'expired',
    });
    const taken = await waiter.call('pulser_claim', { taskId: 'phase-2/task-2-1' });
    assert.notEqual(taken.isError, true, text(taken));
  });

  it('refuses forbidden writes with clear tool errors, and records them', T, async () => {
    const a = await agent('eager', ['--agent', 'bot-7']);
    const phase = await a.call('pulser_set_status', { id: 'phase-1', status: 'done' });
    assert.equal(phase.isError, true);
    assert.match(
      text(phase),
      /^E_STATE: cannot mark phase phase-1 done: its gate fails \(phase-1\/task-1-2\/exit\/ci-is-green-on-main: not verified at this version of the plan/u,
    );
    const criterion = await a.call('pulser_check_item', {
      itemId: 'phase-1/task-1-2/exit/ci-is-green-on-main',
    });
    assert.match(text(criterion), /criterion; an agent cannot check it/u);
    const held = await a.call('pulser_progress', { taskId: 'phase-1/task-1-2', note: 'mine now' });
    assert.match(text(held), /^E_STATE: task phase-1\/task-1-2 is claimed by agent:racer-r\d/u);
    const unknown = await a.call('pulser_claim', { taskId: 'phase-9/nope' });
    assert.match(text(unknown), /^E_NOT_FOUND: no node with ID phase-9\/nope/u);
    const badArgs = await a.call('pulser_set_status', { id: 'phase-1', status: 'finished' });
    assert.equal(badArgs.isError, true);
    const calls = (await events(project.root, ['agent.call'])).filter(
      (e) => e.actor === 'agent:bot-7',
    );
    assert.deepEqual(
      calls.map((e) => [
        (e.data as { tool: string }).tool,
        (e.data as { outcome: string }).outcome,
      ]),
      [
        ['pulser_set_status', 'refused'],
        ['pulser_check_item', 'refused'],
        ['pulser_progress', 'refused'],
        ['pulser_claim', 'refused'],
      ],
    );
  });

  it('records every write with the agent identity (--agent, else the client name)', T, async () => {
    const a = await agent('worker-client');
    assert.notEqual((await a.call('pulser_claim', { taskId: 'phase-1/task-1-1' })).isError, true);
    const p = await a.call('pulser_progress', { taskId: 'phase-1/task-1-1', note: 'cache on' });
    assert.notEqual(p.isError, true, text(p));
    const c = await a.call('pulser_check_item', { itemId: 'phase-1/task-1-1/cache-dependencies' });
    assert.notEqual(c.isError, true, text(c));
    const d = await a.call('pulser_set_status', { id: 'phase-1/task-1-1', status: 'done' });
    assert.notEqual(d.isError, true, text(d));
    assert.equal((d.structuredContent as { released: boolean }).released, true);
    const mine = (await events(project.root)).filter((e) => e.actor === 'agent:worker-client');
    assert.deepEqual(
      mine.map((e) => e.type),
      [
        'task.claimed',
        'agent.call',
        'task.progress',
        'agent.call',
        'plan.written',
        'plan.imported',
        'agent.call',
        'task.released',
        'agent.call',
      ],
    );
    const progress = mine.find((e) => e.type === 'task.progress');
    assert.equal((progress?.data as { note: string }).note, 'cache on');
    const call = mine.find((e) => e.type === 'agent.call');
    assert.deepEqual(call?.data, {
      tool: 'pulser_claim',
      arguments: { taskId: 'phase-1/task-1-1' },
      outcome: 'ok',
    });
  });
});
