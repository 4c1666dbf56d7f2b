/**
 * `pulser mcp`: the Pulser MCP server over stdio, for MCP clients that start it as a child
 * process. Stdout carries only protocol messages; diagnostics go to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { visible } from '../util/visible.js';
import { startClaimSweeper } from '../workspace/runs/claims.js';
import type { Workspace } from '../workspace/open.js';
import { compileMcpOptions, type PulserMcpOptions } from './options.js';
import { externalExecutor, inProcessExecutor } from './run-executor.js';
import { createPulserMcpServer } from './server.js';

/**
 * Serves `ws` over this process's stdin and stdout until stdin closes or a SIGTERM/SIGINT
 * arrives; expired claims are released in the background meanwhile, and the runs agents start
 * are executed in this process (unless `executeRuns` is false). When it stops, steps still
 * running get a second, then are killed and released for another worker.
 *
 * @example
 * await serveMcpStdio(ws, { agent: 'claude' });
 */
export async function serveMcpStdio(ws: Workspace, options: PulserMcpOptions = {}): Promise<void> {
  const compiled = compileMcpOptions(options);
  const runs = compiled.executeRuns ? inProcessExecutor() : externalExecutor;
  const server = createPulserMcpServer(ws, options, runs);
  const stopSweeper = startClaimSweeper(ws, compiled.sweepMs, (error) =>
    process.stderr.write(
      `pulser mcp: releasing expired claims failed: ${visible(String(error))}\n`,
    ),
  );
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.stdin.off('end', stop);
      process.stdin.off('close', stop);
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    transport.onclose = stop;
    process.stdin.once('end', stop);
    process.stdin.once('close', stop);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await server.connect(transport);
  await closed;
  stopSweeper();
  await server.close();
  await runs.close({ graceMs: 1000 });
}
