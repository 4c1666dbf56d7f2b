/**
 * The Pulser MCP server: the tools of `tools.ts` and the resources of `resources.ts` over one
 * workspace. Every write call is recorded as an `agent.call` event with the agent's identity;
 * read calls write nothing.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isPulserError, type PulserError } from '../errors/index.js';
import { explainSystemError } from '../errors/system.js';
import { visible } from '../util/visible.js';
import { agentActor } from '../workspace/runs/claim-options.js';
import type { Workspace } from '../workspace/open.js';
import { compileMcpOptions, type PulserMcpOptions } from './options.js';
import { registerResources } from './resources.js';
import { externalExecutor, type RunExecutor } from './run-executor.js';
import { TOOLS, type ToolContext, type ToolDef } from './tools.js';

/** Version reported to MCP clients. */
export const SERVER_VERSION = '0.1.0';

const INSTRUCTIONS = `Pulser holds the team's plans. To work: pulser_next lists ready tasks; \
pulser_claim takes one (exactly one agent wins); pulser_run runs its steps durably \
(pulser_run_status and pulser_logs follow it; steps nobody trusted wait for a person, whom \
pulser_request_approval asks); pulser_progress records notes and renews your lease; \
pulser_set_status marks the task done when its criteria pass (refused otherwise), or \
pulser_release gives it back. An abandoned claim is released when its lease expires.`;

function ok(value: unknown): CallToolResult {
  const structured =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  return {
    content: [{ type: 'text', text: JSON.stringify(value) }],
    structuredContent: structured,
  };
}

/** The error as a Pulser error: itself, or an operating-system or SQLite error explained. */
function known(error: unknown): PulserError | undefined {
  return isPulserError(error) ? error : explainSystemError(error);
}

/** One line for the server's log (stderr): `message (hint: ...)`, control characters visible. */
function logLine(error: unknown): string {
  const k = known(error);
  const text =
    k === undefined
      ? error instanceof Error
        ? error.message
        : String(error)
      : `${k.message}${k.data.hint === undefined ? '' : ` (hint: ${k.data.hint})`}`;
  return visible(text.replace(/\s*\n\s*/gu, ' '));
}

/**
 * A tool error the agent can act on: `E_STATE: message` and the hint. An error Pulser does not
 * know is one line on stderr naming the tool (its stack only with PULSER_DEBUG set) and an
 * `E_INTERNAL` answer.
 */
function refused(
  tool: string,
  error: unknown,
): { result: CallToolResult; code: string; message: string } {
  const k = known(error);
  if (k !== undefined) {
    const hint = k.data.hint;
    const text = `${k.code}: ${k.message}${hint === undefined ? '' : `\nhint: ${hint}`}`;
    return {
      result: {
        isError: true,
        content: [{ type: 'text', text }],
        structuredContent: {
          error: {
            code: k.code,
            message: k.message,
            ...(hint === undefined ? {} : { hint }),
          },
        },
      },
      code: k.code,
      message: k.message,
    };
  }
  const debug = process.env.PULSER_DEBUG;
  process.stderr.write(
    `pulser mcp: ${tool} failed: ${logLine(error)}${debug ? '' : ' (PULSER_DEBUG=1 prints the stack)'}\n`,
  );
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return {
    result: {
      isError: true,
      content: [{ type: 'text', text: 'E_INTERNAL: internal error (see the server log)' }],
    },
    code: 'E_INTERNAL',
    message: 'internal error',
  };
}

function clip(value: unknown): unknown {
  const text = JSON.stringify(value ?? null);
  return text.length <= 8000 ? value : { truncated: text.slice(0, 8000) };
}

/**
 * Creates the MCP server for workspace `ws` (connect it to a transport to serve it). `runs`
 * executes the runs agents start (`pulser_run`); by default they are left to other workers.
 *
 * @example
 * const server = createPulserMcpServer(ws, { agent: 'claude', leaseMs: 600_000 }, inProcessExecutor());
 * await server.connect(new StdioServerTransport());
 */
export function createPulserMcpServer(
  ws: Workspace,
  options: PulserMcpOptions = {},
  runs: RunExecutor = externalExecutor,
): McpServer {
  const compiled = compileMcpOptions(options);
  const server = new McpServer(
    { name: 'pulser', title: 'Pulser', version: SERVER_VERSION },
    { instructions: INSTRUCTIONS },
  );
  const agent = (): string =>
    compiled.agent ?? agentActor(server.server.getClientVersion()?.name ?? 'unknown');
  for (const def of TOOLS) {
    if (compiled.tools.has(def.name))
      register(server, { ws, leaseMs: compiled.leaseMs, runs }, def, agent);
  }
  registerResources(server, ws);
  return server;
}

function register(
  server: McpServer,
  ctx: Omit<ToolContext, 'agent'>,
  def: ToolDef,
  agent: () => string,
): void {
  const { ws } = ctx;
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: def.input,
      annotations: {
        title: def.title,
        readOnlyHint: !def.write,
        destructiveHint: false,
        idempotentHint: def.idempotent,
        openWorldHint: false,
      },
    },
    async (args: Record<string, unknown>): Promise<CallToolResult> => {
      const actor = agent();
      let result: CallToolResult;
      let outcome: { outcome: 'ok' } | { outcome: 'refused'; code: string; message: string };
      try {
        result = ok(await def.run({ ...ctx, agent: actor }, args));
        outcome = { outcome: 'ok' };
      } catch (error) {
        const r = refused(def.name, error);
        result = r.result;
        outcome = { outcome: 'refused', code: r.code, message: r.message };
      }
      if (def.write) {
        try {
          await ws.store.events.append({
            type: 'agent.call',
            actor,
            subject: null,
            data: { tool: def.name, arguments: clip(args), ...outcome },
          });
        } catch (error) {
          process.stderr.write(
            `pulser mcp: cannot record the call of ${def.name}: ${logLine(error)}\n`,
          );
        }
      }
      return result;
    },
  );
}
