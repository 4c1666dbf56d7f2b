/** Event routes: a page of the log, the live stream (SSE) and the ledger head. */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../context.js';
import { HttpError } from '../errors.js';
import { optionalInt } from '../input.js';

const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** Routes under `/api/w/:ws/` about events. */
export function eventRoutes(options: { readonly heartbeatMs?: number } = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  app.get('/events', async (c) => {
    const after = optionalInt(c.req.query('after'), 'after', MAX_SEQ) ?? 0;
    const limit = optionalInt(c.req.query('limit'), 'limit', 1000) ?? 200;
    const types = c.req.query('types');
    const subject = c.req.query('subject');
    const events = await c.var.tenant.ws.store.events.read({
      after,
      limit,
      ...(types === undefined || types === '' ? {} : { types: types.split(',') }),
      ...(subject === undefined || subject === '' ? {} : { subject }),
    });
    return c.json({ events, head: await c.var.tenant.hub.head() });
  });

  app.get('/events/stream', async (c) => {
    const lastId = c.req.header('last-event-id');
    const hub = c.var.tenant.hub;
    let after: number;
    if (lastId !== undefined && lastId !== '') {
      const n = optionalInt(lastId, 'Last-Event-ID', MAX_SEQ);
      if (n === undefined) throw new HttpError(400, 'E_USAGE', 'bad Last-Event-ID');
      after = n;
    } else {
      after = optionalInt(c.req.query('after'), 'after', MAX_SEQ) ?? (await hub.head());
    }
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      let stop: (() => void) | null = null;
      const done = new Promise<void>((resolve) => stream.onAbort(resolve));
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ after }), retry: 1000 });
      stop = await hub.subscribe(after, async (events) => {
        if (stream.aborted || stream.closed) throw new Error('closed');
        let chunk = '';
        for (const e of events) chunk += `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`;
        await stream.write(chunk);
      });
      const beat = setInterval(
        () => void stream.write(': ping\n\n').catch(() => undefined),
        heartbeatMs,
      );
      await done;
      clearInterval(beat);
      stop();
    });
  });

  app.get('/ledger', async (c) => {
    const head = await c.var.tenant.ws.store.events.head();
    return c.json({ head });
  });

  return app;
}
