/**
 * The `mcp` tool runner: a step that calls a tool of an external MCP server configured in
 * `mcpServers`. The call gets the step's deadline and cancellation; a failure's retryability is
 * the MCP client's classification (`McpCallError.retryable`: a crashed, unreachable or slow
 * server is retried, an unknown tool or bad arguments are not), so the worker retries with
 * backoff and quarantines when no retry is left. The tool's answer is the step's stdout; what
 * happened is logged on its stderr.
 */
import { isPulserError } from '../errors/index.js';
import type * as McpClient from '../tools/mcp-client.js';
import type { McpCallOptions, McpClientConfig, McpToolResult } from '../tools/mcp-client.js';
import { mcpResultText, parseMcpStepInput } from '../tools/mcp-step.js';
import type { ToolContext, ToolResult, ToolRunner } from './tool.js';

/** How a runner calls a tool (the real client by default; a test may wrap it). */
export type McpCaller = (
  config: McpClientConfig,
  server: string,
  tool: string,
  args: Readonly<Record<string, unknown>>,
  options: McpCallOptions,
) => Promise<McpToolResult>;

let client: Promise<typeof McpClient> | undefined;
/** The MCP client (and its SDK) load on the first MCP step, not with every worker. */
const loadClient = (): Promise<typeof McpClient> => (client ??= import('../tools/mcp-client.js'));

const realCall: McpCaller = async (...args) => (await loadClient()).callMcpTool(...args);

function failed(error: string, retryable: boolean): ToolResult {
  return { kind: 'failed', exitCode: null, signal: null, error, retryable };
}

/**
 * A runner for `mcp` steps calling the servers of `config` (the workspace's `mcpServers`).
 * @example startWorker(ws, { tools: { mcp: createMcpTool(ws.config) } })
 */
export function createMcpTool(config: McpClientConfig, call: McpCaller = realCall): ToolRunner {
  return {
    async run(ctx: ToolContext): Promise<ToolResult> {
      const log = (line: string): void => ctx.onOutput('stderr', `mcp: ${line}\n`);
      let input;
      try {
        input = parseMcpStepInput(ctx.spec.input);
      } catch (error) {
        const message = (error as Error).message;
        log(message);
        return failed(message, false);
      }
      const name = `${input.server} ${input.tool}`;
      const timeoutMs = ctx.spec.timeoutMs ?? input.timeoutMs;
      log(`calling ${name} (attempt ${ctx.lease.attempt})`);
      let result: McpToolResult;
      try {
        result = await call(config, input.server, input.tool, input.arguments, {
          signal: ctx.signal,
          cwd: ctx.cwd,
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        });
      } catch (error) {
        if (ctx.signal.aborted) return { kind: 'aborted' };
        const { McpCallError } = await loadClient();
        if (!(error instanceof McpCallError)) {
          const message = (error as Error).message;
          const hint = isPulserError(error) ? error.data.hint : undefined;
          log(`${message}${hint === undefined ? '' : ` (${String(hint)})`}`);
          return failed(message, isPulserError(error) ? error.retryable : false);
        }
        const e = error;
        const stderr = e.data.stderr;
        if (typeof stderr === 'string')
          log(`server stderr: ${stderr.split('\n').slice(-5).join(' | ')}`);
        log(`${e.reason}${e.retryable ? ' (retryable)' : ''}: ${e.message}`);
        if (e.reason === 'timeout') {
          return {
            kind: 'timed_out',
            exitCode: null,
            signal: null,
            error: e.message,
            retryable: true,
          };
        }
        return failed(`${e.reason}: ${e.message}`, e.retryable);
      }
      const text = mcpResultText(result);
      if (text !== '') ctx.onOutput('stdout', text);
      if (result.isError) {
        const first = text.split('\n')[0] ?? '';
        log(`${name} answered with an error`);
        return failed(`tool ${name} reported an error: ${first.slice(0, 300)}`, false);
      }
      log(`${name} answered (${Buffer.byteLength(text)} bytes)`);
      return { kind: 'succeeded', exitCode: null };
    },
  };
}
