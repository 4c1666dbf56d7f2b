/**
 * The `mcpServers` section of a workspace config, in the shape MCP clients already use:
 * `{"fs": {"command": "npx", "args": [...], "env": {...}}}` for a local server started as a
 * child process, or `{"remote": {"url": "http://127.0.0.1:8080/mcp"}}` for streamable HTTP.
 */
import { z } from 'zod';
import { InputError } from '../errors/index.js';

const strings = z.record(z.string(), z.string());

const StdioServer = z.object({
  type: z.literal('stdio').optional(),
  command: z.string().min(1, 'must not be empty'),
  args: z.array(z.string()).optional(),
  env: strings.optional(),
  cwd: z.string().min(1).optional(),
  timeoutMs: z.number().int().positive().optional(),
});

const HttpServer = z.object({
  type: z.enum(['http', 'streamable-http', 'streamableHttp']).optional(),
  url: z.url({ protocol: /^https?$/u, error: 'must be an http:// or https:// URL' }),
  headers: strings.optional(),
  timeoutMs: z.number().int().positive().optional(),
});

/** A local MCP server, started as a child process speaking stdio. */
export interface StdioServerConfig {
  readonly transport: 'stdio';
  readonly command: string;
  readonly args: ReadonlyArray<string>;
  readonly env: Readonly<Record<string, string>>;
  /** Working folder of the process. @default the current folder */
  readonly cwd?: string;
  /** Default timeout of a call to this server, in ms. */
  readonly timeoutMs?: number;
}

/** A remote MCP server reached over streamable HTTP. */
export interface HttpServerConfig {
  readonly transport: 'http';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** One configured MCP server. */
export type McpServerConfig = StdioServerConfig | HttpServerConfig;

/** Configured MCP servers by name. */
export type McpServers = Readonly<Record<string, McpServerConfig>>;

function fail(where: string | undefined, message: string, hint: string): never {
  throw new InputError(message, { ...(where === undefined ? {} : { file: where }), hint });
}

/**
 * Validates one server's entry; throws an InputError naming the server and the field.
 * @example parseMcpServer('fs', { command: 'npx', args: ['-y', 'pkg'] })
 */
export function parseMcpServer(name: string, raw: unknown, where?: string): McpServerConfig {
  const at = `mcpServers.${name}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail(where, `${at} must be an object`, 'give {"command": ..., "args": [...]} or {"url": ...}');
  }
  const obj = raw as Record<string, unknown>;
  const isHttp = 'url' in obj;
  if (!isHttp && !('command' in obj)) {
    fail(
      where,
      `${at} has neither "command" nor "url"`,
      'give "command" (and "args", "env") for a local server, or "url" for a streamable HTTP server',
    );
  }
  const parsed = isHttp ? HttpServer.safeParse(obj) : StdioServer.safeParse(obj);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined ? '' : issue.path.map(String).join('.');
    fail(
      where,
      `invalid ${at}${field === '' ? '' : `.${field}`}: ${issue?.message ?? 'invalid'}`,
      isHttp
        ? 'an HTTP server is {"url": "http://127.0.0.1:PORT/mcp", "headers": {...}}'
        : 'a local server is {"command": "...", "args": ["..."], "env": {"NAME": "value"}}',
    );
  }
  const d = parsed.data;
  const timeout = d.timeoutMs === undefined ? {} : { timeoutMs: d.timeoutMs };
  if ('url' in d) return { transport: 'http', url: d.url, headers: d.headers ?? {}, ...timeout };
  return {
    transport: 'stdio',
    command: d.command,
    args: d.args ?? [],
    env: d.env ?? {},
    ...(d.cwd === undefined ? {} : { cwd: d.cwd }),
    ...timeout,
  };
}

/**
 * Validates a whole `mcpServers` object (absent means none); errors name the file (`where`),
 * the server and the field.
 */
export function parseMcpServers(raw: unknown, where?: string): McpServers {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    fail(where, 'mcpServers must be an object of servers by name', 'see the README');
  }
  const out: Record<string, McpServerConfig> = {};
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u.test(name)) {
      fail(
        where,
        `invalid MCP server name ${JSON.stringify(name)}`,
        'use letters, digits, ., _ or -',
      );
    }
    out[name] = parseMcpServer(name, entry, where);
  }
  return out;
}
