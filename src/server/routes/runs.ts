/**
 * Runtime routes: runs, steps, logs, sessions, approvals, trust, gates, artifacts and the inbox.
 * Each route authorizes, validates and calls the runtime's library functions; until a function
 * exists in `src/workspace/run-*.ts` its route answers 501 with the documented shape unchanged.
 */
import { Hono } from 'hono';
import { authorize, type Permission } from '../../workspace/auth.js';
import type { AppEnv } from '../context.js';
import { HttpError } from '../errors.js';
import { idParam, optionalInt } from '../input.js';
import { readJson } from '../security.js';

function notYet(what: string): never {
  throw new HttpError(
    501,
    'E_NOT_IMPLEMENTED',
    `${what} is not available in this build yet`,
    'use the CLI for now',
  );
}

/** Routes under `/api/w/:ws/` about the durable runtime. */
export function runRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/runs', () => notYet('listing runs'));
  app.get('/runs/:id', (c) => notYet(`run ${idParam(c.req.param('id'))}`));
  app.get('/runs/:id/logs', (c) => {
    idParam(c.req.param('id'));
    optionalInt(c.req.query('after'), 'after', Number.MAX_SAFE_INTEGER);
    return notYet('run logs');
  });
  app.get('/sessions', () => notYet('listing sessions'));
  app.get('/inbox', () => notYet('the inbox'));
  app.get('/artifacts/:sha256', (c) => {
    const sha = c.req.param('sha256');
    if (!/^[0-9a-f]{64}$/u.test(sha))
      throw new HttpError(400, 'E_USAGE', 'invalid artifact digest');
    return notYet('artifacts');
  });

  const mutation = (path: string, permission: Permission, what: string): void => {
    app.post(path, async (c) => {
      authorize(c.var.principal, permission);
      for (const [k, v] of Object.entries(c.req.param())) idParam(String(v), k);
      await readJson(c);
      return notYet(what);
    });
  };
  mutation('/runs', 'run.start', 'starting runs');
  mutation('/runs/:id/cancel', 'run.cancel', 'cancelling runs');
  mutation('/steps/:id{.+}/retry', 'run.retry', 'retrying steps');
  mutation('/steps/:id{.+}/cancel', 'run.cancel', 'cancelling steps');
  mutation('/steps/:id{.+}/approve', 'step.approve', 'approving steps');
  mutation('/steps/:id{.+}/reject', 'step.reject', 'rejecting steps');
  mutation('/steps/:id{.+}/resolve', 'step.resolve', 'resolving quarantined steps');
  mutation('/sessions/:id/archive', 'session.archive', 'archiving sessions');
  mutation('/trust', 'trust.grant', 'trusting plans');
  mutation('/gates/:id{.+}/signoff', 'gate.signoff', 'signing off gates');

  return app;
}
