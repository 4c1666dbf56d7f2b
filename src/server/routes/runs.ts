/**
 * Runtime routes: runs, steps, logs, sessions, approvals, trust, artifacts and the inbox. Each
 * route authorizes, validates and calls the runtime's library functions (`src/workspace/runs/runs.ts`,
 * `trust.ts`, `run-views.ts`); the caller's `user:<name>` is the actor they record. No route
 * can run a command without trust: `trustUnsafely` and ad-hoc steps are not accepted here.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { RUN_STATUSES, type RunQuery, type RunStatus } from '../../store/run-store.js';
import { authorize, type Permission } from '../../workspace/access/auth.js';
import {
  artifactFile,
  inbox,
  runTargets,
  runView,
  stepView,
} from '../../workspace/runs/run-views.js';
import { runPage, type RunKind } from '../../workspace/runs/run-list-view.js';
import { logFile, runLogView } from '../../workspace/runs/log-view.js';
import { runTimeline } from '../../workspace/runs/timeline.js';
import {
  approveStep,
  archiveSession,
  cancelRun,
  cancelStep,
  getStep,
  listRuns,
  listSessions,
  rejectStep,
  resolveStep,
  retry,
  startRun,
} from '../../workspace/runs/runs.js';
import { trustPlan, trustStatus, untrustPlan } from '../../workspace/access/trust.js';
import type { AppEnv } from '../context.js';
import { HttpError } from '../errors.js';
import {
  idParam,
  onlyFields,
  optionalInt,
  optionalString,
  requireOneOf,
  requireString,
} from '../input.js';
import { readJson } from '../security.js';

const MAX_SEQ = Number.MAX_SAFE_INTEGER;
const SHA256_RE = /^[0-9a-f]{64}$/u;

function optionalBool(body: Record<string, unknown>, key: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean')
    throw new HttpError(400, 'E_USAGE', `field "${key}" must be a boolean`);
  return v;
}

/** Authorizes, checks the path IDs and reads the JSON body (only `fields` allowed). */
export async function mutation(
  c: Context<AppEnv>,
  permission: Permission,
  fields: ReadonlyArray<string>,
): Promise<{ id: string; body: Record<string, unknown>; actor: string }> {
  authorize(c.var.principal, permission);
  const raw = c.req.param('id');
  const id = raw === undefined ? '' : idParam(raw);
  const body = await readJson(c);
  onlyFields(body, fields);
  return { id, body, actor: c.var.principal.actor };
}

function runQuery(c: Context<AppEnv>): RunQuery {
  const q = c.req.query();
  const status = q.status === undefined || q.status === '' ? undefined : q.status;
  if (status !== undefined && !(RUN_STATUSES as ReadonlyArray<string>).includes(status)) {
    throw new HttpError(400, 'E_USAGE', `"status" must be one of: ${RUN_STATUSES.join(', ')}`);
  }
  const text = (key: string): string | undefined => {
    const v = q[key];
    if (v === undefined || v === '') return undefined;
    if (v.length > 200 || v.includes('\0')) throw new HttpError(400, 'E_USAGE', `bad "${key}"`);
    return v;
  };
  const lane = text('lane');
  const session = text('session');
  const search = text('q');
  const limit = optionalInt(q.limit, 'limit', 1000);
  return {
    ...(status === undefined ? {} : { status: status as RunStatus }),
    ...(lane === undefined ? {} : { lane }),
    ...(session === undefined ? {} : { session }),
    ...(search === undefined ? {} : { q: search }),
    ...(q.archived === 'true' ? { archived: true } : {}),
    ...(limit === undefined ? {} : { limit }),
  };
}

/** Routes under `/api/w/:ws/` about the durable runtime. */
export function runRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/runs', async (c) => {
    const query = runQuery(c);
    const q = c.req.query();
    // Without paging fields the answer is the plain list it always was (every kind of run).
    if (q.offset === undefined && q.kind === undefined && q.order === undefined) {
      return c.json({ runs: await listRuns(c.var.tenant.ws, query) });
    }
    const kind = q.kind === undefined || q.kind === '' ? 'all' : q.kind;
    if (!['work', 'checks', 'all'].includes(kind)) {
      throw new HttpError(400, 'E_USAGE', '"kind" must be one of: work, checks, all');
    }
    const order = q.order === undefined || q.order === '' ? 'newest' : q.order;
    if (order !== 'newest' && order !== 'waiting') {
      throw new HttpError(400, 'E_USAGE', '"order" must be one of: newest, waiting');
    }
    const offset = optionalInt(q.offset, 'offset', 1_000_000) ?? 0;
    return c.json(
      await runPage(c.var.tenant.ws, {
        ...query,
        kind: kind as RunKind,
        order,
        offset,
        limit: query.limit ?? 50,
      }),
    );
  });

  app.get('/runs/:id/timeline', async (c) =>
    c.json(await runTimeline(c.var.tenant.ws, idParam(c.req.param('id')))),
  );

  app.get('/runs/:id/log.txt', async (c) => {
    const step = c.req.query('step');
    const file = await logFile(
      c.var.tenant.ws,
      idParam(c.req.param('id')),
      step === undefined || step === '' ? undefined : idParam(step, 'step'),
    );
    return new Response(file.text, {
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'content-disposition': `attachment; filename="${file.name.replace(/[^\w.-]/gu, '_')}"`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "sandbox; default-src 'none'",
        'cache-control': 'no-store',
      },
    });
  });

  app.get('/runs/:id', async (c) =>
    c.json({ run: await runView(c.var.tenant.ws, idParam(c.req.param('id'))) }),
  );

  app.get('/runs/:id/logs', async (c) => {
    const id = idParam(c.req.param('id'));
    const after = optionalInt(c.req.query('after'), 'after', MAX_SEQ) ?? 0;
    const limit = optionalInt(c.req.query('limit'), 'limit', 5000) ?? 5000;
    const step = c.req.query('step');
    const lines = await runLogView(c.var.tenant.ws, id, {
      after,
      limit,
      ...(step === undefined || step === '' ? {} : { step: idParam(step, 'step') }),
    });
    return c.json({ lines });
  });

  app.get('/steps/:id{.+}', async (c) =>
    c.json({ step: stepView(await getStep(c.var.tenant.ws, idParam(c.req.param('id')))) }),
  );

  app.get('/sessions', async (c) =>
    c.json({
      sessions: await listSessions(c.var.tenant.ws, {
        archived: c.req.query('archived') === 'true',
      }),
    }),
  );

  app.get('/targets', async (c) => {
    const plan = c.req.query('plan');
    const targets = await runTargets(
      c.var.tenant.ws,
      plan === undefined || plan === '' ? undefined : idParam(plan, 'plan'),
    );
    return c.json({ targets });
  });

  app.get('/inbox', async (c) => c.json(await inbox(c.var.tenant.ws)));

  app.get('/trust', async (c) => c.json({ plans: await trustStatus(c.var.tenant.ws) }));

  app.get('/artifacts/:sha256', async (c) => {
    const sha = c.req.param('sha256');
    if (!SHA256_RE.test(sha)) {
      throw new HttpError(
        400,
        'E_USAGE',
        'invalid artifact digest',
        'an artifact is named by its SHA-256: 64 lowercase hex digits',
      );
    }
    const a = await artifactFile(c.var.tenant.ws, sha);
    const name = (a.name === null ? sha : basename(a.name)).replace(/[^\w.-]/gu, '_');
    const body = Readable.toWeb(createReadStream(a.file)) as ReadableStream<Uint8Array>;
    return new Response(body, {
      headers: {
        'content-type': a.contentType,
        'content-length': String(a.bytes),
        'content-disposition': `${a.inline ? 'inline' : 'attachment'}; filename="${name}"`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "sandbox; default-src 'none'",
        'cache-control': 'private, max-age=31536000, immutable',
      },
    });
  });

  app.post('/runs', async (c) => {
    const { body, actor } = await mutation(c, 'run.start', [
      'target',
      'lane',
      'session',
      'newSession',
      'title',
      'intent',
      'ignoreDependencies',
    ]);
    const target = requireString(body, 'target', 300);
    const lane = optionalString(body, 'lane', 40);
    const session = optionalString(body, 'session', 300);
    const newSession = optionalString(body, 'newSession', 200);
    if (session !== undefined && newSession !== undefined) {
      throw new HttpError(400, 'E_USAGE', 'give "session" or "newSession", not both');
    }
    const title = optionalString(body, 'title', 200);
    const intent = optionalString(body, 'intent', 2000);
    const ignore = optionalBool(body, 'ignoreDependencies');
    const created = await startRun(c.var.tenant.ws, {
      target,
      actor,
      ...(lane === undefined ? {} : { lane }),
      ...(session === undefined ? {} : { session: idParam(session, 'session') }),
      ...(newSession === undefined ? {} : { session: { title: newSession } }),
      ...(title === undefined ? {} : { title }),
      ...(intent === undefined ? {} : { intent }),
      ...(ignore === undefined ? {} : { ignoreDependencies: ignore }),
    });
    return c.json({ run: created.run, steps: created.steps.map(stepView) }, 201);
  });

  const retryRoute = async (c: Context<AppEnv>) => {
    const { id, actor } = await mutation(c, 'run.retry', []);
    const r = await retry(c.var.tenant.ws, id, actor);
    return c.json({ run: r.run, steps: r.steps.map(stepView) });
  };
  app.post('/runs/:id/retry', retryRoute);
  app.post('/steps/:id{.+}/retry', retryRoute);

  app.post('/runs/:id/cancel', async (c) => {
    const { id, actor } = await mutation(c, 'run.cancel', []);
    return c.json({ run: await cancelRun(c.var.tenant.ws, id, actor) });
  });

  app.post('/steps/:id{.+}/cancel', async (c) => {
    const { id, actor } = await mutation(c, 'run.cancel', []);
    return c.json({ step: stepView(await cancelStep(c.var.tenant.ws, id, actor)) });
  });

  // Several waiting steps at once, one confirmation in the Runboard: each step is decided on
  // its own (a step that no longer waits is reported, the others still decided).
  app.post('/steps/bulk', async (c) => {
    const body = await readJson(c);
    onlyFields(body, ['action', 'ids', 'reason']);
    const action = requireOneOf(body, 'action', ['approve', 'reject'] as const);
    authorize(c.var.principal, action === 'approve' ? 'step.approve' : 'step.reject');
    const ids = body['ids'];
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 200) {
      throw new HttpError(400, 'E_USAGE', '"ids" must be a list of 1 to 200 step IDs');
    }
    const reason = optionalString(body, 'reason', 2000);
    const actor = c.var.principal.actor;
    const results: Array<{ id: string; ok: boolean; state?: string; error?: string }> = [];
    for (const raw of ids) {
      if (typeof raw !== 'string') throw new HttpError(400, 'E_USAGE', '"ids" must hold strings');
      const id = idParam(raw, 'step ID');
      try {
        const step =
          action === 'approve'
            ? await approveStep(c.var.tenant.ws, id, actor)
            : await rejectStep(c.var.tenant.ws, id, actor, reason);
        results.push({ id, ok: true, state: step.state });
      } catch (e) {
        results.push({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return c.json({ results });
  });

  app.post('/steps/:id{.+}/approve', async (c) => {
    const { id, body, actor } = await mutation(c, 'step.approve', ['note']);
    const note = optionalString(body, 'note', 2000);
    return c.json({ step: stepView(await approveStep(c.var.tenant.ws, id, actor, note)) });
  });

  app.post('/steps/:id{.+}/reject', async (c) => {
    const { id, body, actor } = await mutation(c, 'step.reject', ['reason']);
    const reason = optionalString(body, 'reason', 2000);
    return c.json({ step: stepView(await rejectStep(c.var.tenant.ws, id, actor, reason)) });
  });

  app.post('/steps/:id{.+}/resolve', async (c) => {
    const { id, body, actor } = await mutation(c, 'step.resolve', ['action', 'reason']);
    const action = requireOneOf(body, 'action', ['retry', 'skip', 'abort'] as const);
    const reason = optionalString(body, 'reason', 2000);
    const step = await resolveStep(c.var.tenant.ws, id, action, actor, reason);
    return c.json({ step: stepView(step) });
  });

  app.post('/sessions/:id/archive', async (c) => {
    const { id, body, actor } = await mutation(c, 'session.archive', ['archived']);
    const archived = optionalBool(body, 'archived') ?? true;
    return c.json({ session: await archiveSession(c.var.tenant.ws, id, archived, actor) });
  });

  app.post('/trust', async (c) => {
    const { body, actor } = await mutation(c, 'trust.grant', ['planId', 'sha256', 'commands']);
    const planId = idParam(requireString(body, 'planId', 300), 'planId');
    const sha256 = requireString(body, 'sha256', 64);
    const commands = requireString(body, 'commands', 64);
    for (const [name, value, what] of [
      ['sha256', sha256, 'the plan version you reviewed'],
      ['commands', commands, 'the commandsSha256 of the commands you reviewed'],
    ] as const) {
      if (!SHA256_RE.test(value)) {
        throw new HttpError(
          400,
          'E_USAGE',
          `"${name}" must be 64 lowercase hex digits`,
          `${what} (GET /trust)`,
        );
      }
    }
    const r = await trustPlan(c.var.tenant.ws, planId, sha256, actor, commands);
    return c.json({ grant: r.grant, released: r.released.map(stepView) });
  });

  app.post('/untrust', async (c) => {
    const { body, actor } = await mutation(c, 'trust.grant', ['planId']);
    const planId = idParam(requireString(body, 'planId', 300), 'planId');
    const r = await untrustPlan(c.var.tenant.ws, planId, actor);
    return c.json({ revoked: r.revoked, parked: r.parked.map(stepView) });
  });

  return app;
}
