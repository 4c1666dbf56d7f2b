/** Plan routes: status, next tasks, one plan, one node, import and write-back. */
import { Hono } from 'hono';
import { completeTask, completions } from '../../workspace/runs/completion.js';
import { NotFoundError } from '../../errors/index.js';
import { authorize } from '../../workspace/access/auth.js';
import { importPlan } from '../../workspace/plans/import-plan.js';
import { showNode } from '../../workspace/plans/show.js';
import { nextTasks, planStatus, statusOf } from '../../workspace/plans/status.js';
import {
  TASK_STATUSES,
  checkItem,
  setStatus,
  uncheckItem,
} from '../../workspace/plans/write-back.js';
import { taskGraph, taskHistory } from '../../workspace/runs/task-graph.js';
import type { AppEnv } from '../context.js';
import { listMarkdownFiles, resolveWorkspaceFile } from '../files.js';
import { idParam, onlyFields, requireOneOf, requireString } from '../input.js';
import { readJson } from '../security.js';

/** Routes under `/api/w/:ws/` about plans. */
export function planRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/plans', async (c) => c.json(await planStatus(c.var.tenant.ws)));

  app.get('/plans/:id', async (c) => {
    const id = idParam(c.req.param('id'));
    const stored = await c.var.tenant.ws.store.plans.get(id);
    if (stored === null)
      throw new NotFoundError(`no plan ${id}`, { hint: 'list plans with GET /plans' });
    return c.json({ ...stored, status: statusOf(stored) });
  });

  app.get('/plans/:id/graph', async (c) =>
    c.json(await taskGraph(c.var.tenant.ws, idParam(c.req.param('id')))),
  );

  app.get('/plans/:id/tasks/:node{.+}/history', async (c) =>
    c.json(
      await taskHistory(
        c.var.tenant.ws,
        idParam(c.req.param('id')),
        idParam(c.req.param('node'), 'task ID'),
      ),
    ),
  );

  app.get('/next', async (c) => c.json(await nextTasks(c.var.tenant.ws)));

  app.get('/nodes/:ref{.+}', async (c) =>
    c.json(await showNode(c.var.tenant.ws, idParam(c.req.param('ref'), 'node ID'))),
  );

  app.get('/files', (c) => c.json({ files: listMarkdownFiles(c.var.tenant.ws.root) }));

  app.post('/plans/import', async (c) => {
    authorize(c.var.principal, 'plan.import');
    const body = await readJson(c);
    onlyFields(body, ['path']);
    const ws = c.var.tenant.ws;
    const file = resolveWorkspaceFile(ws.root, requireString(body, 'path'));
    const result = await importPlan(ws, file, c.var.principal.actor);
    return c.json(
      {
        plan: statusOf(result.stored),
        changed: result.changed,
        diff: result.diff,
        diagnostics: result.diagnostics,
      },
      result.previous === null ? 201 : 200,
    );
  });

  app.post('/nodes/:ref{.+}/check', async (c) => {
    authorize(c.var.principal, 'plan.write');
    const ref = idParam(c.req.param('ref'), 'node ID');
    const body = await readJson(c);
    onlyFields(body, ['checked']);
    const checked = body.checked !== false;
    const ws = c.var.tenant.ws;
    const actor = c.var.principal.actor;
    return c.json(await (checked ? checkItem(ws, ref, actor) : uncheckItem(ws, ref, actor)));
  });

  app.get('/completions', async (c) => {
    const plan = c.req.query('plan');
    const ws = c.var.tenant.ws;
    const list = await completions(
      ws,
      plan === undefined || plan === '' ? undefined : idParam(plan, 'plan'),
    );
    return c.json({ policy: ws.config.completion, completions: list });
  });

  app.post('/nodes/:ref{.+}/complete', async (c) => {
    authorize(c.var.principal, 'plan.write');
    const ref = idParam(c.req.param('ref'), 'node ID');
    return c.json(await completeTask(c.var.tenant.ws, ref, c.var.principal.actor));
  });

  app.post('/nodes/:ref{.+}/status', async (c) => {
    authorize(c.var.principal, 'plan.write');
    const ref = idParam(c.req.param('ref'), 'node ID');
    const body = await readJson(c);
    onlyFields(body, ['status']);
    const status = requireOneOf(body, 'status', TASK_STATUSES);
    return c.json(await setStatus(c.var.tenant.ws, ref, status, c.var.principal.actor));
  });

  return app;
}
