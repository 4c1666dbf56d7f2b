import { readFileSync } from 'node:fs';
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
  /** The config file these settings came from (named in errors). */
  readonly file: string;
}

/** The environment variables Pulser reads; they are read here and nowhere else. */
export interface PulserEnv {
  /** Workspace directory (the folder holding `.pulser/`). */
  readonly PULSER_WORKSPACE?: string | undefined;
  /** `full` or `normal`. */
  readonly PULSER_DURABILITY?: string | undefined;
}

/** Reads Pulser's environment variables. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): PulserEnv {
  return { PULSER_WORKSPACE: env.PULSER_WORKSPACE, PULSER_DURABILITY: env.PULSER_DURABILITY };
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
  return { durability, mcpServers: mcpServers as Record<string, unknown>, file: path };
}
