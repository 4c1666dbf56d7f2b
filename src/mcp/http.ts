/**
 * The Pulser MCP server over streamable HTTP, stateless: every request gets a fresh server and
 * transport bound to the caller, so that identity and role come from the request's credentials
 * (`agent:<token user>`; a viewer's token gets the read tools only), never from the client.
 * The HTTP server mounts {@link McpHttpHandler.handle} behind its bearer-token auth.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { visible } from '../util/visible.js';
import { startClaimSweeper } from '../workspace/runs/claims.js';
import type { Workspace } from '../workspace/open.js';
import { compileMcpOptions, type PulserMcpOptions } from './options.js';
import { externalExecutor, inProcessExecutor } from './run-executor.js';
import { createPulserMcpServer } from './server.js';

/** Who calls, as the HTTP layer authenticated it. */
export interface McpCaller {
  readonly ws: Workspace;
  /** The token's user: events record `agent:<user>`. */
  readonly user: string;
  /** False for roles that may not write to plans (viewers): only read tools are offered. */
  readonly canWrite: boolean;
}

/**
 * Serves MCP requests over HTTP; `close()` stops the background claim sweepers and the workers
 * executing runs agents started (their running steps are released for another worker).
 */
export interface McpHttpHandler {
  handle(request: Request, caller: McpCaller): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Creates the HTTP handler. `options.agent` is ignored: the identity is the token's user.
 *
 * @example
 * const mcp = createMcpHttpHandler({ leaseMs: 600_000 });
 * app.all('/mcp', (c) => mcp.handle(c.req.raw, { ws, user: 'ana', canWrite: true }));
 */
export function createMcpHttpHandler(
  options: Omit<PulserMcpOptions, 'agent'> = {},
): McpHttpHandler {
  const base = compileMcpOptions(options);
  const runs = base.executeRuns ? inProcessExecutor() : externalExecutor;
  const sweepers = new Map<Workspace, () => void>();
  return {
    handle: async (request, caller) => {
      if (!sweepers.has(caller.ws)) {
        sweepers.set(
          caller.ws,
          startClaimSweeper(caller.ws, base.sweepMs, (error) =>
            process.stderr.write(
              `pulser mcp: releasing expired claims failed: ${visible(String(error))}\n`,
            ),
          ),
        );
      }
      const server = createPulserMcpServer(
        caller.ws,
        {
          ...options,
          agent: caller.user,
          readOnly: options.readOnly === true || !caller.canWrite,
        },
        runs,
      );
      const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
      await server.connect(transport);
      try {
        return await transport.handleRequest(request);
      } finally {
        await server.close();
      }
    },
    close: async () => {
      for (const stop of sweepers.values()) stop();
      sweepers.clear();
      await runs.close();
    },
  };
}
