import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, UsageError } from '../errors/index.js';
import type { Durability } from '../store/store.js';

/** Settings of a workspace, from `.pulser/config.json` and then the environment. */
export interface WorkspaceConfig {
  /** SQLite sync mode. @default 'normal' */
  readonly durability: Durability;
  /**
   * External MCP servers steps may call, in the `mcpServers` shape MCP clients use. Each entry
   * is validated where it is used (`tools/mcp-client-config.ts`), so that commands that never
   * call an MCP server do not load the schema library.
   */
  readonly mcpServers: Readonly<Record<string, unknown>>;
  /**
   * What Pulser does when a task's steps succeeded and its criteria pass: `auto` marks it done
   * in the markdown (recorded with the evidence), `propose` offers it for one click (Runboard,
   * `pulser next`), `off` does neither. @default 'propose'
   */
  readonly completion: CompletionPolicy;
  /**
   * The shared PostgreSQL database this workspace is stored in (team mode), or null for the
   * embedded SQLite file. From `"database"` in the config (written by `pulser init --database`,
   * never with a password), `PULSER_DATABASE_URL` overriding its URL.
   */
  readonly database: DatabaseConfig | null;
  /** The config file these settings came from (named in errors). */
  readonly file: string;
}

/** Where a team workspace is stored: a PostgreSQL URL and the workspace's name (tenant) in it. */
export interface DatabaseConfig {
  /** `postgres://USER@HOST:PORT/DATABASE` (a password comes from PGPASSWORD or ~/.pgpass). */
  readonly url: string;
  /** The workspace's name in the database; null means the project folder's name. */
  readonly workspace: string | null;
  /** Where the URL came from (named in errors): the config file or `PULSER_DATABASE_URL`. */
  readonly from: string;
}

/** How a task whose steps succeeded and whose criteria pass becomes done in its plan. */
export type CompletionPolicy = 'auto' | 'propose' | 'off';

/** The environment variables Pulser reads; they are read here and nowhere else. */
export interface PulserEnv {
  /** Workspace directory (the folder holding `.pulser/`). */
  readonly PULSER_WORKSPACE?: string | undefined;
  /** `full` or `normal`. */
  readonly PULSER_DURABILITY?: string | undefined;
  /** A `postgres://` URL: the workspace is stored in that shared database (team mode). */
  readonly PULSER_DATABASE_URL?: string | undefined;
}

/** Reads Pulser's environment variables. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): PulserEnv {
  return {
    PULSER_WORKSPACE: env.PULSER_WORKSPACE,
    PULSER_DURABILITY: env.PULSER_DURABILITY,
    PULSER_DATABASE_URL: env.PULSER_DATABASE_URL,
  };
}

function parseDurability(value: unknown, where: string): Durability {
  if (value === 'full' || value === 'normal') return value;
  throw new UsageError(`invalid durability ${JSON.stringify(value)} in ${where}`, {
    hint: "use 'full' (survives power loss) or 'normal' (survives a process crash)",
  });
}

/** Loads `.pulser/config.json` (absent means defaults) and applies the environment. */
export function loadConfig(pulserDir: string, env: PulserEnv): WorkspaceConfig {
  const path = join(pulserDir, 'config.json');
  let raw: Record<string, unknown> = {};
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new InputError(`cannot read the workspace config: ${(error as Error).message}`, {
        file: path,
      });
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError('the workspace config must be a JSON object', { file: path });
  }
  const durability =
    env.PULSER_DURABILITY !== undefined && env.PULSER_DURABILITY !== ''
      ? parseDurability(env.PULSER_DURABILITY, 'PULSER_DURABILITY')
      : raw.durability === undefined
        ? 'normal'
        : parseDurability(raw.durability, path);
  const mcpServers = raw.mcpServers ?? {};
  if (typeof mcpServers !== 'object' || mcpServers === null || Array.isArray(mcpServers)) {
    throw new InputError('mcpServers must be an object of servers by name', {
      file: path,
      hint: 'see "Use Pulser from an MCP client" in the README',
    });
  }
  const completion = raw.completion ?? 'propose';
  if (completion !== 'auto' && completion !== 'propose' && completion !== 'off') {
    throw new InputError(`invalid completion ${JSON.stringify(completion)}`, {
      file: path,
      hint: `"completion" is "auto" (mark done in the plan), "propose" (offer it) or "off"`,
    });
  }
  return {
    durability,
    mcpServers: mcpServers as Record<string, unknown>,
    completion,
    database: parseDatabase(raw.database, env, path),
    file: path,
  };
}

/** `"database"` of the config (`{ "url": ..., "workspace": ... }`), then `PULSER_DATABASE_URL`. */
function parseDatabase(value: unknown, env: PulserEnv, path: string): DatabaseConfig | null {
  let url: string | null = null;
  let workspace: string | null = null;
  if (value !== undefined && value !== null) {
    const v = value as { url?: unknown; workspace?: unknown };
    if (
      typeof v !== 'object' ||
      Array.isArray(v) ||
      typeof v.url !== 'string' ||
      (v.workspace !== undefined && typeof v.workspace !== 'string')
    ) {
      throw new InputError('"database" must be { "url": "postgres://...", "workspace": NAME }', {
        file: path,
        hint: 'set it with `pulser init --database postgres://USER@HOST/DATABASE`',
      });
    }
    url = v.url;
    workspace = v.workspace ?? null;
  }
  const fromEnv = env.PULSER_DATABASE_URL !== undefined && env.PULSER_DATABASE_URL !== '';
  if (fromEnv) url = env.PULSER_DATABASE_URL!;
  if (url === null) return null;
  return { url, workspace, from: fromEnv ? 'PULSER_DATABASE_URL' : path };
}

/**
 * Records in `.pulser/config.json` (kept, otherwise) that the workspace is stored in the
 * PostgreSQL database at `url` under the name `workspace`. The URL is written without its
 * password. Returns the previous text of the file (null when there was none), to undo.
 */
export function writeDatabaseConfig(
  pulserDir: string,
  database: { readonly url: string; readonly workspace: string },
): string | null {
  const path = join(pulserDir, 'config.json');
  let previous: string | null = null;
  let raw: Record<string, unknown> = {};
  try {
    previous = readFileSync(path, 'utf8');
    raw = JSON.parse(previous) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new InputError(`cannot read the workspace config: ${(error as Error).message}`, {
        file: path,
      });
    }
  }
  raw.database = { url: database.url, workspace: database.workspace };
  writeFileSync(path, `${JSON.stringify(raw, null, 2)}\n`);
  return previous;
}

/** Puts back the config text {@link writeDatabaseConfig} replaced (removes it when null). */
export function restoreConfig(pulserDir: string, previous: string | null): void {
  const path = join(pulserDir, 'config.json');
  if (previous === null) rmSync(path, { force: true });
  else writeFileSync(path, previous);
}
