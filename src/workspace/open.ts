import { mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { NotFoundError, StoreError, isPulserError } from '../errors/index.js';
import type { Clock } from '../store/clock.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/store.js';
import { loadChainKey } from './ledger/chain-key.js';
import { slugify } from '../util/slug.js';
import {
  loadConfig,
  readEnv,
  type DatabaseConfig,
  type PulserEnv,
  type WorkspaceConfig,
} from './config.js';
import { unsignedEvents } from './ledger/ledger-unsigned.js';

/** Name of the folder that holds a workspace's state. */
export const WORKSPACE_DIR = '.pulser';

/** An open workspace: its folders, config and store. */
export interface Workspace {
  /** The project folder (holding `.pulser/`). */
  readonly root: string;
  /** The `.pulser/` folder. */
  readonly dir: string;
  readonly config: WorkspaceConfig;
  readonly store: Store;
  /** Signs a checkpoint of the ledger when events were appended, then closes the store. */
  close(): Promise<void>;
  /** Closing will not sign the ledger's head (the command found the ledger broken). */
  holdSeal(): void;
}

/** Options of `openWorkspace`. */
export interface OpenWorkspaceOptions {
  /** Project folder; without it, `PULSER_WORKSPACE`, then the nearest parent of the cwd holding `.pulser/`. */
  readonly root?: string;
  /** Create `.pulser/` in `root` (or the cwd) when no workspace is found. @default false */
  readonly create?: boolean;
  readonly env?: PulserEnv;
  readonly clock?: Clock;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The nearest folder at or above `start` that holds `.pulser/`, or null. */
export function findWorkspaceRoot(start: string): string | null {
  let dir = resolve(start);
  for (;;) {
    if (isDir(join(dir, WORKSPACE_DIR))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * Opens the workspace, creating it when asked.
 * @example const ws = await openWorkspace({ create: true });
 */
export function openWorkspace(options: OpenWorkspaceOptions = {}): Promise<Workspace> {
  const env = options.env ?? readEnv();
  const explicit = options.root ?? (env.PULSER_WORKSPACE || undefined);
  let root = explicit === undefined ? findWorkspaceRoot(process.cwd()) : resolve(explicit);
  if (root === null || !isDir(join(root, WORKSPACE_DIR))) {
    if (options.create !== true) {
      return Promise.reject(
        new NotFoundError(
          `no Pulser workspace (${WORKSPACE_DIR}/) in ${root ?? process.cwd()} or its parents`,
          {
            hint: 'run `pulser import PLAN.md` in your project folder to create one',
          },
        ),
      );
    }
    root ??= process.cwd();
    mkdirSync(join(root, WORKSPACE_DIR), { recursive: true });
  }
  const dir = join(root, WORKSPACE_DIR);
  const config = loadConfig(dir, env);
  if (config.database !== null) return openTeamStore(root, dir, config, config.database, options);
  const dbPath = join(dir, 'pulser.db');
  let store: Store;
  try {
    const sqlite = openSqliteStore(dbPath, {
      durability: config.durability,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    try {
      sqlite.db.setChainKey(loadChainKey(dir, () => sqlite.db.headNow().seq));
    } catch (error) {
      sqlite.db.close();
      throw error;
    }
    store = sqlite;
  } catch (error) {
    if (isPulserError(error)) return Promise.reject(error);
    return Promise.reject(
      new StoreError(
        `cannot open the workspace database: ${(error as Error).message}`,
        {
          file: dbPath,
          hint: 'if the file is damaged, move it aside and re-import your plans (the markdown files are the source)',
        },
        error,
      ),
    );
  }
  return Promise.resolve(workspaceOf(root, dir, config, store));
}

/** The name a workspace has in a shared database: the configured one, or the folder's name. */
export function teamWorkspaceName(root: string, database: DatabaseConfig): string {
  return database.workspace ?? (slugify(basename(root)) || 'workspace');
}

/**
 * Opens a workspace stored in a shared PostgreSQL database. Its chain key is used when the
 * team shares one (`.pulser/keys/chain.key` copied to every writer); none is made here, as a
 * key only this machine had would make every other writer's events unauthenticated.
 */
async function openTeamStore(
  root: string,
  dir: string,
  config: WorkspaceConfig,
  database: DatabaseConfig,
  options: OpenWorkspaceOptions,
): Promise<Workspace> {
  const { openPostgresStore, parseDatabaseUrl } = await import('../store/postgres/index.js');
  parseDatabaseUrl(
    database.url,
    database.from === 'PULSER_DATABASE_URL'
      ? 'PULSER_DATABASE_URL'
      : `"database.url" in ${database.from}`,
  );
  const store = await openPostgresStore(database.url, {
    workspace: teamWorkspaceName(root, database),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  try {
    const head = await store.events.head();
    store.db.setChainKey(loadChainKey(dir, () => head.seq, false));
  } catch (error) {
    await store.close();
    throw error;
  }
  return workspaceOf(root, dir, config, store);
}

function workspaceOf(root: string, dir: string, config: WorkspaceConfig, store: Store): Workspace {
  let closed = false;
  let seal = true;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    try {
      // Sign the chain's head when events were appended (see workspace/ledger.ts); the ledger's
      // crypto is loaded only then, which keeps read-only commands fast to start.
      if (seal && (await unsignedEvents(store)) > 0) {
        const { sealLedger } = await import('./ledger/ledger.js');
        await sealLedger({ dir, store });
      }
    } catch (error) {
      process.stderr.write(
        `pulser: warning: the ledger head was not signed: ${(error as Error).message}\n`,
      );
    } finally {
      await store.close();
    }
  };
  const holdSeal = (): void => {
    seal = false;
  };
  return { root, dir, config, store, close, holdSeal };
}
