/**
 * Pulser as an MCP client: call a tool of an external MCP server configured in `mcpServers`.
 * Failures are classified as data (`McpCallError.reason`, `retryable`), so that the runtime can
 * retry a crashed or timed-out server and quarantine a call that can never succeed.
 */
import { resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { ErrorCodes, NotFoundError, PulserError } from '../errors/index.js';
import { parseMcpServer, type McpServerConfig } from './mcp-client-config.js';

/** Why a call to an MCP server failed. */
export const MCP_FAILURES = {
  /** The server process could not be started (no such command). */
  'spawn-failed': false,
  /** The HTTP server could not be reached (connection refused or reset). */
  unreachable: true,
  /** The connection closed before the answer: the server crashed or exited. */
  'connection-closed': true,
  /** No answer within the timeout. */
  timeout: true,
  /** The server reported an internal error or answered HTTP 5xx / 429. */
  'server-error': true,
  /** The caller cancelled the call. */
  aborted: false,
  /** The server has no tool of that name. */
  'unknown-tool': false,
  /** The arguments do not match the tool's input schema. */
  'invalid-args': false,
  /** The server refused the credentials (HTTP 401 / 403). */
  auth: false,
  /** Anything else the server answered that retrying will not change. */
  protocol: false,
} as const satisfies Record<string, boolean>;

/** One failure kind; `MCP_FAILURES[reason]` says whether it is retryable. */
export type McpFailure = keyof typeof MCP_FAILURES;

/** A call to an external MCP server failed. */
export class McpCallError extends PulserError {
  override readonly name = 'McpCallError';
  readonly reason: McpFailure;
  readonly server: string;
  readonly tool: string | null;
  constructor(
    reason: McpFailure,
    server: string,
    tool: string | null,
    message: string,
    options: { hint?: string; cause?: unknown; stderr?: string } = {},
  ) {
    super(
      ErrorCodes.tool,
      `MCP server ${server}${tool === null ? '' : `, tool ${tool}`}: ${message}`,
      {
        data: {
          reason,
          server,
          tool,
          ...(options.hint === undefined ? {} : { hint: options.hint }),
          ...(options.stderr === undefined || options.stderr === ''
            ? {}
            : { stderr: options.stderr }),
        },
        cause: options.cause,
        retryable: MCP_FAILURES[reason],
      },
    );
    this.reason = reason;
    this.server = server;
    this.tool = tool;
  }
}

/** What a tool answered. A tool that reports its own failure answers `isError: true`. */
export interface McpToolResult {
  readonly content: ReadonlyArray<Record<string, unknown>>;
  readonly isError: boolean;
  readonly structuredContent: Readonly<Record<string, unknown>> | null;
}

/** Options of a call. */
export interface McpCallOptions {
  /**
   * Deadline in ms: of each request on a connection, and of the whole call (start, handshake,
   * call) for {@link callMcpTool}. @default the server's `timeoutMs`, else 60000
   */
  readonly timeoutMs?: number;
  /** Cancels the call (reason `aborted`). */
  readonly signal?: AbortSignal;
  /** Folder relative `cwd`s of servers are resolved from. @default the current folder */
  readonly cwd?: string;
}

/** Anything holding `mcpServers` (the workspace config, or the raw JSON object). */
export interface McpClientConfig {
  readonly mcpServers: Readonly<Record<string, unknown>>;
  /** The file the servers are configured in, named in errors. */
  readonly file?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const STDERR_TAIL = 4000;
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

/** A live connection to one MCP server; `close()` ends it (and its process). */
export interface McpConnection {
  readonly server: string;
  /** The server's tools (cached after the first call). */
  listTools(options?: McpCallOptions): Promise<ReadonlyArray<Tool>>;
  /** Calls a tool; checks the name and the arguments against the server's tool list first. */
  callTool(
    tool: string,
    args: Readonly<Record<string, unknown>>,
    options?: McpCallOptions,
  ): Promise<McpToolResult>;
  close(): Promise<void>;
}

function serverConfig(config: McpClientConfig, server: string): McpServerConfig {
  const raw = config.mcpServers[server];
  if (raw === undefined) {
    const known = Object.keys(config.mcpServers);
    throw new NotFoundError(`no MCP server named ${server} in the workspace config`, {
      hint:
        known.length > 0
          ? `configured servers: ${known.join(', ')}`
          : 'add it under "mcpServers" in .pulser/config.json',
    });
  }
  return parseMcpServer(server, raw, config.file);
}

function errnoOf(error: unknown): string | undefined {
  let e: unknown = error;
  for (let i = 0; i < 4 && typeof e === 'object' && e !== null; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

interface Deadline {
  readonly signal: AbortSignal;
  readonly timedOut: () => boolean;
  readonly timeoutMs: number;
  dispose(): void;
}

function deadline(timeoutMs: number, outer: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  const onAbort = (): void => controller.abort(outer?.reason ?? new Error('aborted'));
  if (outer?.aborted === true) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    timeoutMs,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/** Classifies an error thrown while talking to `server`. */
export function classifyMcpError(
  error: unknown,
  server: string,
  tool: string | null,
  context: { timedOut?: boolean; timeoutMs?: number; aborted?: boolean; stderr?: string } = {},
): McpCallError {
  if (error instanceof McpCallError) return error;
  const stderr = context.stderr === undefined ? {} : { stderr: context.stderr };
  const make = (reason: McpFailure, message: string, hint?: string): McpCallError =>
    new McpCallError(reason, server, tool, message, {
      cause: error,
      ...stderr,
      ...(hint === undefined ? {} : { hint }),
    });
  const message = error instanceof Error ? error.message : String(error);
  if (context.timedOut === true) {
    return make(
      'timeout',
      `no answer within ${context.timeoutMs ?? '?'} ms`,
      'raise timeoutMs, or check the server',
    );
  }
  if (context.aborted === true) return make('aborted', 'cancelled');
  if (error instanceof McpError) {
    const code: number = error.code;
    if (code === Number(ErrorCode.ConnectionClosed)) {
      return make(
        'connection-closed',
        'the connection closed before the answer (the server exited or crashed)',
      );
    }
    if (code === Number(ErrorCode.RequestTimeout)) return make('timeout', message);
    if (code === Number(ErrorCode.InvalidParams)) return make('invalid-args', message);
    if (code === Number(ErrorCode.InternalError)) return make('server-error', message);
    return make('protocol', message);
  }
  if (error instanceof StreamableHTTPError) {
    const status = error.code ?? 0;
    if (status === 401 || status === 403)
      return make('auth', message, 'check the headers (Authorization) in mcpServers');
    if (status === 429 || status >= 500) return make('server-error', message);
    return make('protocol', message);
  }
  const errno = errnoOf(error);
  if (errno === 'ENOENT' || errno === 'EACCES') {
    return make(
      'spawn-failed',
      `cannot start the server: ${message}`,
      'check "command" in mcpServers',
    );
  }
  if (errno !== undefined && NET_CODES.has(errno))
    return make('unreachable', message, 'is the server running?');
  if (error instanceof TypeError && message === 'fetch failed') return make('unreachable', message);
  return make('protocol', message);
}

function transportFor(
  config: McpServerConfig,
  cwd: string | undefined,
): { transport: Transport; stderr: () => string } {
  if (config.transport === 'http') {
    return {
      transport: new StreamableHTTPClientTransport(new URL(config.url), {
        requestInit: { headers: { ...config.headers } },
      }),
      stderr: () => '',
    };
  }
  const transport = new StdioClientTransport({
    command: config.command,
    args: [...config.args],
    env: { ...config.env },
    stderr: 'pipe',
    ...(config.cwd === undefined && cwd === undefined
      ? {}
      : { cwd: resolve(cwd ?? process.cwd(), config.cwd ?? '.') }),
  });
  let tail = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL);
  });
  return { transport, stderr: () => tail.trim() };
}

function checkArgs(server: string, tool: Tool, args: Readonly<Record<string, unknown>>): void {
  let validate;
  try {
    validate = new AjvJsonSchemaValidator().getValidator(tool.inputSchema as never);
  } catch {
    return;
  }
  const result = validate(args);
  if (!result.valid) {
    throw new McpCallError(
      'invalid-args',
      server,
      tool.name,
      `invalid arguments: ${result.errorMessage}`,
      {
        hint: `the tool's input schema: ${JSON.stringify(tool.inputSchema).slice(0, 400)}`,
      },
    );
  }
}

/**
 * Connects to MCP server `server` of `config` (starting its process for a `command`).
 *
 * @example
 * const conn = await connectMcpServer(ws.config, 'fs');
 * try { await conn.callTool('list_directory', { path: '.' }); } finally { await conn.close(); }
 */
export async function connectMcpServer(
  config: McpClientConfig,
  server: string,
  options: McpCallOptions = {},
): Promise<McpConnection> {
  const cfg = serverConfig(config, server);
  const timeoutOf = (o: McpCallOptions): number =>
    o.timeoutMs ?? cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { transport, stderr } = transportFor(cfg, options.cwd);
  const client = new Client({ name: 'pulser', version: '0.1.0' });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await client.close().catch(() => {});
  };
  const guarded = async <T>(
    tool: string | null,
    o: McpCallOptions,
    fn: (d: Deadline) => Promise<T>,
  ): Promise<T> => {
    const d = deadline(timeoutOf(o), o.signal);
    try {
      return await fn(d);
    } catch (error) {
      throw classifyMcpError(error, server, tool, {
        timedOut: d.timedOut(),
        timeoutMs: d.timeoutMs,
        aborted: o.signal?.aborted === true,
        stderr: stderr(),
      });
    } finally {
      d.dispose();
    }
  };
  try {
    await guarded(null, options, (d) =>
      client.connect(transport, { signal: d.signal, timeout: d.timeoutMs }),
    );
  } catch (error) {
    await close();
    throw error;
  }
  let tools: ReadonlyArray<Tool> | null = null;
  const listTools = (o: McpCallOptions = {}): Promise<ReadonlyArray<Tool>> =>
    tools !== null
      ? Promise.resolve(tools)
      : guarded(null, o, async (d) => {
          const all: Tool[] = [];
          let cursor: string | undefined;
          do {
            const page = await client.listTools(cursor === undefined ? {} : { cursor }, {
              signal: d.signal,
              timeout: d.timeoutMs,
            });
            all.push(...page.tools);
            cursor = page.nextCursor;
          } while (cursor !== undefined);
          tools = all;
          return all;
        });
  return {
    server,
    listTools,
    callTool: async (name, args, o = {}) => {
      const known = await listTools(o);
      const tool = known.find((t) => t.name === name);
      if (tool === undefined) {
        throw new McpCallError('unknown-tool', server, name, 'no such tool', {
          hint: `the server's tools: ${known.map((t) => t.name).join(', ') || '(none)'}`,
        });
      }
      checkArgs(server, tool, args);
      return guarded(name, o, async (d) => {
        const r = await client.callTool({ name, arguments: { ...args } }, undefined, {
          signal: d.signal,
          timeout: d.timeoutMs,
        });
        return {
          content: (Array.isArray(r.content) ? r.content : []) as Array<Record<string, unknown>>,
          isError: r.isError === true,
          structuredContent: (r.structuredContent as Record<string, unknown> | undefined) ?? null,
        };
      });
    },
    close,
  };
}

/**
 * Calls `tool` of MCP server `server` (configured in `config.mcpServers`) with `args`, in a
 * connection of its own that is closed (its process ended) afterwards. Throws McpCallError,
 * whose `retryable` says whether trying again may help.
 *
 * @example
 * const r = await callMcpTool(ws.config, 'fs', 'read_text_file', { path: 'README.md' }, { timeoutMs: 30_000 });
 */
export async function callMcpTool(
  config: McpClientConfig,
  server: string,
  tool: string,
  args: Readonly<Record<string, unknown>>,
  options: McpCallOptions = {},
): Promise<McpToolResult> {
  const cfg = serverConfig(config, server);
  const total = options.timeoutMs ?? cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const end = Date.now() + total;
  const left = (): McpCallOptions => ({ ...options, timeoutMs: Math.max(1, end - Date.now()) });
  let conn: McpConnection | undefined;
  try {
    conn = await connectMcpServer(config, server, left());
    return await conn.callTool(tool, args, left());
  } catch (error) {
    if (error instanceof McpCallError && error.reason === 'timeout') {
      // Say the deadline the caller set, not what was left of it for the last phase.
      const stderr = error.data.stderr;
      throw new McpCallError('timeout', server, tool, `no answer within ${total} ms`, {
        hint: 'raise timeoutMs, or check the server',
        cause: error,
        ...(typeof stderr === 'string' ? { stderr } : {}),
      });
    }
    throw error;
  } finally {
    await conn?.close();
  }
}
