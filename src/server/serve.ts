/**
 * Starts the Pulser server on a socket: opens the tenants' event hubs, listens, and closes
 * everything on `close()`.
 */
import { followCompletions } from './completion-loop.js';
import { visible } from '../util/visible.js';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors/index.js';
import { workspaceId } from '../workspace/access/auth.js';
import { CHECKPOINT_EVERY, sealLedger } from '../workspace/ledger/ledger.js';
import type { Workspace } from '../workspace/open.js';
import {
  startWorker,
  type StartWorkerOptions,
  type WorkerHandle,
} from '../workspace/runs/run-worker.js';
import { createApp, type AppOptions } from './app.js';
import type { Tenant } from './context.js';
import { EventHub, type EventHubOptions } from './event-hub.js';
import { defaultWebDir } from './static.js';

/** Makes a tenant of an open workspace (its ID and a live event hub). */
export async function openTenant(ws: Workspace, options: EventHubOptions = {}): Promise<Tenant> {
  const id = await workspaceId(ws);
  const hub = new EventHub(ws.store, options);
  return { id, ws, hub };
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./u.test(host);
}

/** Options of {@link startServer}. */
export interface ServerOptions {
  readonly workspaces: ReadonlyArray<Workspace>;
  /** @default 4400 (0 picks a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Folder of the built UI. @default dist/web of this package */
  readonly webDir?: string | null;
  readonly hub?: EventHubOptions;
  /** Serves MCP over HTTP at `/mcp`. @default null */
  readonly mcp?: AppOptions['mcp'];
  /**
   * Runs an in-process worker on each workspace, so that runs started from the Runboard
   * execute (`true`, or the worker's options); false leaves execution to `pulser worker`.
   * @default false
   */
  readonly worker?: boolean | StartWorkerOptions;
  /**
   * Signs ledger checkpoints while serving: every `everyMs`, the head is signed when at least
   * `minUnsigned` events are unsigned; on `close()`, whenever any is. False signs none (the
   * workspace still signs when it is closed).
   * @default { everyMs: 10000, minUnsigned: CHECKPOINT_EVERY }
   */
  readonly checkpoints?: false | { readonly everyMs?: number; readonly minUnsigned?: number };
}

/** Signs the ledger of each workspace; a failure is reported, never thrown (serving goes on). */
async function checkpoint(
  workspaces: ReadonlyArray<Workspace>,
  minUnsigned: number,
  onError: (e: unknown) => void,
): Promise<void> {
  for (const ws of workspaces) {
    try {
      await sealLedger(ws, { minUnsigned });
    } catch (error) {
      onError(error);
    }
  }
}

/** A running server. */
export interface RunningServer {
  /** `http://127.0.0.1:4400` */
  readonly url: string;
  readonly port: number;
  readonly tenants: ReadonlyArray<Tenant>;
  /** The in-process workers (one per workspace), empty without `worker`. */
  readonly workers: ReadonlyArray<WorkerHandle>;
  /**
   * Stops listening, ends live streams, stops the workers (running steps get their grace
   * period) and signs a last ledger checkpoint; closes nothing else (the caller owns the
   * workspaces).
   */
  close(): Promise<void>;
}

/**
 * Starts serving `workspaces`.
 * @example const server = await startServer({ workspaces: [ws], port: 0 });
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const tenants = await Promise.all(options.workspaces.map((ws) => openTenant(ws, options.hub)));
  const ids = new Map<string, string>();
  for (const [i, t] of tenants.entries()) {
    const root = options.workspaces[i]!.root;
    const other = ids.get(t.id);
    if (other !== undefined) {
      throw new UsageError(
        other === root
          ? `the workspace ${root} is given twice`
          : `the workspaces ${other} and ${root} have the same ID ${t.id} (from their folder names)`,
        {
          hint:
            other === root
              ? 'give --also the folder of another workspace (the current one is always served)'
              : 'serve workspaces whose folders have different names',
        },
      );
    }
    ids.set(t.id, root);
  }
  let allowedHosts: string[] | null = null;
  const app = (port: number) => {
    if (isLoopback(host)) {
      allowedHosts = ['127.0.0.1', 'localhost', '[::1]', host].map((h) => `${h}:${port}`);
    }
    return createApp({
      tenants,
      allowedHosts,
      webDir: options.webDir === undefined ? defaultWebDir() : options.webDir,
      mcp: options.mcp ?? null,
    });
  };
  let handler: ReturnType<typeof app> | null = null;
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve(
      {
        fetch: (req, env) =>
          handler === null ? new Response('starting', { status: 503 }) : handler.fetch(req, env),
        port: options.port ?? 4400,
        hostname: host,
      },
      () => resolve(s),
    );
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  handler = app(port);
  const workerOptions =
    options.worker === true ? {} : options.worker === false ? null : (options.worker ?? null);
  const workers =
    workerOptions === null ? [] : options.workspaces.map((ws) => startWorker(ws, workerOptions));
  const completing = await Promise.all(tenants.map((t) => followCompletions(t)));
  const cp =
    options.checkpoints === false
      ? null
      : {
          everyMs: options.checkpoints?.everyMs ?? 10_000,
          minUnsigned: options.checkpoints?.minUnsigned ?? CHECKPOINT_EVERY,
        };
  const warn = (e: unknown): void => {
    process.stderr.write(`pulser serve: the ledger head was not signed: ${visible(String(e))}\n`);
  };
  let sealing: Promise<void> = Promise.resolve();
  const timer =
    cp === null
      ? null
      : setInterval(() => {
          sealing = sealing.then(() => checkpoint(options.workspaces, cp.minUnsigned, warn));
        }, cp.everyMs);
  timer?.unref();
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    port,
    tenants,
    workers,
    close: async () => {
      await new Promise<void>((resolve) => {
        for (const stop of completing) stop();
        for (const t of tenants) t.hub.close();
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      });
      await Promise.all(workers.map((w) => w.stop()));
      if (timer !== null) clearInterval(timer);
      await sealing;
      if (cp !== null) await checkpoint(options.workspaces, 1, warn);
    },
  };
}
