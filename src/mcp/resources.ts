/**
 * Read-only MCP resources: plans (`pulser://plans`, `pulser://plans/<id>`), tasks
 * (`pulser://tasks/<planId>/<taskId>`) and markdown reports (`pulser://report`,
 * `pulser://plans/<id>/report`). Reading a resource never writes.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { NotFoundError } from '../errors/index.js';
import { allTasks } from '../ir/walk.js';
import { agentReport } from '../workspace/agents/agent-view.js';
import type { Workspace } from '../workspace/open.js';
import { showNode } from '../workspace/plans/show.js';
import { planStatus, statusOf } from '../workspace/plans/status.js';

function json(uri: URL, value: unknown): ReadResourceResult {
  return {
    contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value) }],
  };
}

function markdown(uri: URL, text: string): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text }] };
}

function one(value: string | string[] | undefined, what: string): string {
  const v = Array.isArray(value) ? value.join(',') : value;
  if (v === undefined || v === '') throw new NotFoundError(`no ${what} in the resource URI`);
  return decodeURIComponent(v);
}

/** Registers Pulser's resources on `server`. */
export function registerResources(server: McpServer, ws: Workspace): void {
  server.registerResource(
    'plans',
    'pulser://plans',
    {
      title: 'Plans',
      description: 'Every imported plan with progress',
      mimeType: 'application/json',
    },
    async (uri) => json(uri, await planStatus(ws)),
  );
  server.registerResource(
    'report',
    'pulser://report',
    { title: 'Report', description: 'Markdown report of every plan', mimeType: 'text/markdown' },
    async (uri) => markdown(uri, await agentReport(ws)),
  );
  server.registerResource(
    'plan',
    new ResourceTemplate('pulser://plans/{planId}', {
      list: async () => ({
        resources: (await ws.store.plans.list()).map((p) => ({
          uri: `pulser://plans/${p.id}`,
          name: p.id,
          title: p.plan.title,
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Plan',
      description: 'A compiled plan (Pulser IR) and its status',
      mimeType: 'application/json',
    },
    async (uri, vars) => {
      const id = one(vars.planId, 'plan ID');
      const stored = await ws.store.plans.get(id);
      if (stored === null) throw new NotFoundError(`no plan ${id}`);
      return json(uri, { ...stored, status: statusOf(stored) });
    },
  );
  server.registerResource(
    'plan-report',
    new ResourceTemplate('pulser://plans/{planId}/report', {
      list: async () => ({
        resources: (await ws.store.plans.list()).map((p) => ({
          uri: `pulser://plans/${p.id}/report`,
          name: `${p.id} report`,
          mimeType: 'text/markdown',
        })),
      }),
    }),
    { title: 'Plan report', description: 'Markdown report of one plan', mimeType: 'text/markdown' },
    async (uri, vars) => markdown(uri, await agentReport(ws, one(vars.planId, 'plan ID'))),
  );
  server.registerResource(
    'task',
    new ResourceTemplate('pulser://tasks/{planId}/{+taskId}', {
      list: async () => ({
        resources: (await ws.store.plans.list()).flatMap((p) =>
          [...allTasks(p.plan)].map((t) => ({
            uri: `pulser://tasks/${p.id}/${t.id}`,
            name: t.id,
            title: t.title,
            mimeType: 'application/json',
          })),
        ),
      }),
    }),
    {
      title: 'Task',
      description: 'One task with its checklist, criteria and steps',
      mimeType: 'application/json',
    },
    async (uri, vars) => {
      const planId = one(vars.planId, 'plan ID');
      const shown = await showNode(ws, `${planId}:${one(vars.taskId, 'task ID')}`);
      if (shown.kind !== 'task' || shown.planId !== planId) {
        throw new NotFoundError(`no task ${uri.href}`);
      }
      return json(uri, shown);
    },
  );
}
