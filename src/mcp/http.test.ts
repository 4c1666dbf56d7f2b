import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startServer, type RunningServer } from '../server/serve.js';
import { testWorkspace, type TestWorkspace } from '../server/test-helpers.js';
import type { AgentRun } from '../workspace/agents/agent-runs.js';
import { importPlan } from '../workspace/plans/import-plan.js';
import { approveStep } from '../workspace/runs/runs.js';
import { createMcpHttpHandler, type McpHttpHandler } from './http.js';

const T = { timeout: 60_000 };

describe('MCP over streamable HTTP under pulser serve (/mcp)', () => {
  let a: TestWorkspace;
  let b: TestWorkspace;
  let server: RunningServer;
  let mcp: McpHttpHandler;
  const clients: Client[] = [];

  async function connect(path: string, token: string, name = 'http-agent'): Promise<Client> {
    const client = new Client({ name, version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}${path}`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  before(async () => {
    a = await testWorkspace('alpha');
    b = await testWorkspace('beta');
    await importPlan(a.ws, join(a.root, 'PLAN.md'), 'test');
    mcp = createMcpHttpHandler();
    server = await startServer({
      workspaces: [a.ws, b.ws],
      port: 0,
      webDir: null,
      mcp: (request, caller) => mcp.handle(request, caller),
    });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await server.close();
    await mcp.close();
    await a.done();
    await b.done();
  });

  it('refuses requests without a valid bearer token', T, async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    const none = await fetch(`${server.url}/mcp`, { method: 'POST', headers, body });
    assert.equal(none.status, 401);
    const bad = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer pulser_nope' },
      body,
    });
    assert.equal(bad.status, 401);
    const cross = await fetch(`${server.url}/mcp/w/${a.tenant.id}`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${b.tokens.admin}` },
      body,
    });
    assert.equal(cross.status, 401, "another workspace's token");
  });

  it(
    'an operator token claims as agent:<token user>, whatever the client calls itself',
    T,
    async () => {
      const client = await connect('/mcp', a.tokens.operator, 'spoofed-name');
      const { tools } = await client.listTools();
      assert.equal(tools.length, 12);
      const r = (await client.callTool({
        name: 'pulser_claim',
        arguments: { taskId: 'phase-1/task-1-1' },
      })) as CallToolResult;
      assert.notEqual(r.isError, true, JSON.stringify(r.content));
      const [claimed] = await a.ws.store.events.read({ types: ['task.claimed'] });
      assert.equal(claimed?.actor, 'agent:operator-user');
      const [call] = await a.ws.store.events.read({ types: ['agent.call'] });
      assert.equal(call?.actor, 'agent:operator-user');
    },
  );

  it('a viewer token gets the read tools only', T, async () => {
    const client = await connect(`/mcp/w/${a.tenant.id}`, a.tokens.viewer);
    const names = (await client.listTools()).tools.map((t) => t.name);
    assert.deepEqual(names, [
      'pulser_status',
      'pulser_next',
      'pulser_show',
      'pulser_report',
      'pulser_claims',
      'pulser_run_status',
      'pulser_logs',
      'pulser_plan',
      'pulser_events',
    ]);
    const r = (await client.callTool({
      name: 'pulser_claim',
      arguments: { taskId: 'phase-1/task-1-2' },
    })) as CallToolResult;
    assert.equal(r.isError, true);
    const claims = (await client.callTool({
      name: 'pulser_claims',
      arguments: {},
    })) as CallToolResult;
    assert.deepEqual(
      (claims.structuredContent as { claims: Array<{ agent: string }> }).claims.map((c) => c.agent),
      ['agent:operator-user'],
    );
  });

  it(
    "a token reaches its own workspace only: /mcp finds it, and sees that tenant's plans",
    T,
    async () => {
      const client = await connect('/mcp', b.tokens.viewer);
      const r = (await client.callTool({ name: 'pulser_status', arguments: {} })) as CallToolResult;
      assert.deepEqual(r.structuredContent, { plans: [] });
    },
  );

  it(
    'pulser_run over HTTP: the handler executes the run once a person approves it',
    T,
    async () => {
      const client = await connect('/mcp', a.tokens.operator);
      const call = async (name: string, args: Record<string, unknown>): Promise<CallToolResult> =>
        (await client.callTool({ name, arguments: args })) as CallToolResult;
      const claim = await call('pulser_claim', { taskId: 'phase-1/task-1-1' });
      assert.notEqual(claim.isError, true, JSON.stringify(claim.content));
      const started = await call('pulser_run', { taskId: 'phase-1/task-1-1', waitSeconds: 2 });
      const run = started.structuredContent as unknown as AgentRun;
      assert.equal(run.status, 'waiting', JSON.stringify(started.content));
      assert.equal(run.requestedBy, 'agent:operator-user');
      await assert.rejects(approveStep(a.ws, `${run.id}.1`, 'agent:operator-user'), {
        code: 'E_TRUST',
      });
      await approveStep(a.ws, `${run.id}.1`, 'user:approver');
      let view: AgentRun;
      const end = Date.now() + 30_000;
      do {
        await new Promise((r) => setTimeout(r, 100));
        view = (await call('pulser_run_status', { runId: run.id }))
          .structuredContent as unknown as AgentRun;
      } while (view.status !== 'succeeded' && Date.now() < end);
      assert.equal(view.status, 'succeeded');
      assert.equal(view.outputTail, 'hello from pulser\n');
    },
  );
});
