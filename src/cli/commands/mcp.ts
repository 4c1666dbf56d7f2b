import type { Command } from 'commander';
import { out, outJson, withWorkspace } from '../context.js';

interface ServeOptions {
  readonly agent?: string;
  readonly tools?: string;
  readonly claimLease?: string;
  readonly readOnly?: boolean;
  readonly worker?: boolean;
}

async function serveCommand(opts: ServeOptions, command: Command): Promise<void> {
  const { parseDuration } = await import('../../workspace/runs/claim-options.js');
  const { compileMcpOptions } = await import('../../mcp/options.js');
  const { serveMcpStdio } = await import('../../mcp/stdio.js');
  const options = {
    ...(opts.agent === undefined ? {} : { agent: opts.agent }),
    ...(opts.tools === undefined ? {} : { tools: opts.tools }),
    ...(opts.claimLease === undefined
      ? {}
      : { leaseMs: parseDuration(opts.claimLease, '--claim-lease') }),
    ...(opts.readOnly === true ? { readOnly: true } : {}),
    ...(opts.worker === false ? { executeRuns: false } : {}),
  };
  compileMcpOptions(options);
  await withWorkspace(command, (ws) => serveMcpStdio(ws, options));
}

function parseArgs(text: string | undefined): Promise<Record<string, unknown>> {
  return import('../../errors/index.js').then(({ UsageError }) => {
    if (text === undefined) return {};
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`the tool arguments are not JSON: ${(error as Error).message}`, {
        hint: `give a JSON object, such as '{"path": "."}'`,
      });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UsageError('the tool arguments must be a JSON object', {
        hint: `such as '{"path": "."}'`,
      });
    }
    return value as Record<string, unknown>;
  });
}

/** Registers `pulser mcp` (the MCP server over stdio) and its client subcommands. */
export function registerMcpCommands(program: Command): void {
  const mcp = program
    .command('mcp')
    .description(
      'Serve the workspace to AI agents over MCP (stdio): read plans, claim tasks, report progress.',
    )
    .option(
      '--agent <name>',
      "agent name recorded in events as agent:<name> (default: the client's name)",
    )
    .option(
      '--tools <list>',
      'tools to offer: default | all | read | none, names (events, plan, ...), -name to remove; comma-separated',
    )
    .option(
      '--claim-lease <duration>',
      'lease of a task claim, renewed by progress reports (e.g. 30s, 10m)',
      '10m',
    )
    .option('--read-only', 'offer the read tools only')
    .option(
      '--no-worker',
      'do not execute the runs agents start (pulser_run) in this process; leave them to `pulser worker`',
    )
    .action(serveCommand);

  mcp
    .command('tools')
    .description('List the tools of an external MCP server configured in .pulser/config.json.')
    .argument('<server>', 'a name under "mcpServers"')
    .option('--json', 'print JSON')
    .action(async (server: string, opts: { json?: boolean }, command: Command) => {
      const { connectMcpServer } = await import('../../tools/mcp-client.js');
      await withWorkspace(command, async (ws) => {
        const conn = await connectMcpServer(ws.config, server, { cwd: ws.root });
        try {
          const tools = await conn.listTools();
          if (opts.json === true) outJson(tools);
          else for (const t of tools) out(`${t.name}  ${(t.description ?? '').split('\n')[0]}`);
        } finally {
          await conn.close();
        }
      });
    });

  mcp
    .command('call')
    .description('Call a tool of an external MCP server configured in .pulser/config.json.')
    .argument('<server>', 'a name under "mcpServers"')
    .argument('<tool>', 'the tool')
    .argument('[args]', 'arguments as a JSON object')
    .option('--timeout <duration>', 'give up after this long (e.g. 30s)', '60s')
    .action(
      async (
        server: string,
        tool: string,
        args: string | undefined,
        opts: { timeout: string },
        command: Command,
      ) => {
        const { callMcpTool } = await import('../../tools/mcp-client.js');
        const { parseDuration } = await import('../../workspace/runs/claim-options.js');
        const timeoutMs = parseDuration(opts.timeout, '--timeout');
        const input = await parseArgs(args);
        await withWorkspace(command, async (ws) => {
          const result = await callMcpTool(ws.config, server, tool, input, {
            timeoutMs,
            cwd: ws.root,
          });
          outJson(result);
          if (result.isError) process.exitCode = 1;
        });
      },
    );
}
