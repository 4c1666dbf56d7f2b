import type { Command } from 'commander';
import { err, globalOptions, out, outJson, untilStopSignal, withWorkspace } from '../context.js';

interface ServeOptions {
  readonly port: string;
  readonly host: string;
  readonly also?: ReadonlyArray<string>;
  /** False with `--no-worker`. */
  readonly worker: boolean;
}

function collect(value: string, previous: ReadonlyArray<string> = []): ReadonlyArray<string> {
  return [...previous, value];
}

async function serveCommand(opts: ServeOptions, command: Command): Promise<void> {
  const { UsageError } = await import('../../errors/index.js');
  const { openWorkspace } = await import('../../workspace/open.js');
  const { createLoginToken, hasAdminToken, workspaceId } =
    await import('../../workspace/access/auth.js');
  const { startServer, isLoopback } = await import('../../server/serve.js');
  const { cliActor } = await import('../../workspace/plan-file.js');
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`invalid port ${JSON.stringify(opts.port)}`, { hint: 'use 0-65535' });
  }
  const { workspace } = globalOptions(command);
  const roots = [workspace, ...(opts.also ?? [])];
  const workspaces = [];
  // The first folder becomes a workspace if it is none yet (the Runboard imports the first plan).
  for (const [i, root] of roots.entries())
    workspaces.push(
      await openWorkspace({ ...(root === undefined ? {} : { root }), create: i === 0 }),
    );
  if (!isLoopback(opts.host)) {
    for (const ws of workspaces) {
      if (!(await hasAdminToken(ws))) {
        throw new UsageError(
          `binding ${opts.host} exposes the workspace ${ws.root} to the network, and it has no admin API token`,
          {
            hint: 'create one first (`pulser token create --role admin --name <you>`), and put a TLS proxy in front',
          },
        );
      }
    }
  }
  // Until runs exist on PostgreSQL, a worker there could only fail at every poll.
  const shared = workspaces.some((ws) => ws.store.backend === 'postgres');
  const worker = opts.worker !== false && !shared;
  const { createMcpHttpHandler } = await import('../../mcp/http.js');
  const mcp = createMcpHttpHandler();
  const server = await startServer({
    workspaces,
    port,
    host: opts.host,
    mcp: (request, caller) => mcp.handle(request, caller),
    worker: !worker
      ? false
      : {
          onNotice: (n) => {
            if (n.kind === 'error' || n.kind === 'stale' || n.kind === 'lost')
              err(`pulser serve: worker: ${n.message}`);
          },
        },
  });
  const user =
    cliActor()
      .replace(/^cli:/u, '')
      .replace(/[^A-Za-z0-9._@-]/gu, '') || 'owner';
  out(`Pulser Runboard on ${server.url}`);
  for (const ws of workspaces) {
    const { secret } = await createLoginToken(ws, { role: 'admin', user, actor: cliActor() });
    const id = await workspaceId(ws);
    out(`  ${id} (${ws.root}): open ${server.url}/#token=${secret}`);
  }
  out(
    shared
      ? 'No worker in this process: runs on PostgreSQL are not available yet.'
      : opts.worker === false
        ? 'No worker in this process (--no-worker): start `pulser worker` to execute runs.'
        : 'A worker in this process executes runs (trusted or approved steps only).',
  );
  out(`MCP (streamable HTTP) on ${server.url}/mcp with Authorization: Bearer <API token>`);
  out('The login links work once and expire in 24 hours. Press Ctrl+C to stop.');
  await untilStopSignal();
  if (server.workers.length > 0) {
    process.stderr.write('pulser serve: stopping; running steps get up to 10 s to finish\n');
  }
  await server.close();
  await mcp.close();
  for (const ws of workspaces) await ws.close();
}

/** Registers `pulser serve` and `pulser token ...`. */
export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'Serve the Runboard (web UI, JSON API, live events) with a worker that executes runs, and print a one-time login link.',
    )
    .option('-p, --port <n>', 'TCP port (0: any free port)', '4400')
    .option(
      '--host <host>',
      'interface to bind; anything but loopback needs an admin API token',
      '127.0.0.1',
    )
    .option('--also <dir>', 'serve another workspace too (a separate tenant); repeatable', collect)
    .option('--no-worker', 'do not execute runs in this process (leave them to `pulser worker`)')
    .action(serveCommand);

  const token = program.command('token').description('Manage API tokens (admin).');
  token
    .command('create')
    .description('Create an API token; it is printed once and only its SHA-256 is stored.')
    .requiredOption('--role <role>', 'viewer | operator | approver | admin')
    .option('--name <name>', 'the user the token acts as (events record user:<name>)')
    .option('--label <label>', 'a label to recognise the token by')
    .option('--ttl-days <n>', 'expire after n days (default: never)')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: { role: string; name?: string; label?: string; ttlDays?: string; json?: boolean },
        command: Command,
      ) => {
        const auth = await import('../../workspace/access/auth.js');
        const { cliActor } = await import('../../workspace/plan-file.js');
        const { UsageError } = await import('../../errors/index.js');
        const role = auth.parseRole(opts.role);
        const days = opts.ttlDays === undefined ? null : Number(opts.ttlDays);
        if (days !== null && !(Number.isInteger(days) && days > 0)) {
          throw new UsageError(`invalid --ttl-days ${JSON.stringify(opts.ttlDays)}`, {
            hint: 'give a whole number of days',
          });
        }
        const user = opts.name ?? cliActor().replace(/^cli:/u, '');
        await withWorkspace(command, async (ws) => {
          const created = await auth.createToken(ws, {
            role,
            user,
            ...(opts.label === undefined ? {} : { label: opts.label }),
            ttlMs: days === null ? null : days * 24 * 3600 * 1000,
            actor: cliActor(),
          });
          if (opts.json === true) outJson(created);
          else {
            out(created.secret);
            err(
              `token ${created.credential.id} for user:${created.credential.userName} (${role}); shown once, keep it secret`,
            );
          }
        });
      },
    );
  token
    .command('list')
    .description('List API tokens (never their secrets).')
    .option('--all', 'include login tokens and browser sessions')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }, command: Command) => {
      const { listTokens } = await import('../../workspace/access/auth.js');
      await withWorkspace(command, async (ws) => {
        const tokens = await listTokens(
          ws,
          opts.all === true ? ['api', 'login', 'session'] : ['api'],
        );
        if (opts.json === true) return outJson(tokens);
        if (tokens.length === 0)
          return out('no tokens (create one with `pulser token create --role viewer`)');
        for (const t of tokens) {
          const state =
            t.revokedAt !== null
              ? 'revoked'
              : t.expiresAt !== null && Date.parse(t.expiresAt) < Date.now()
                ? 'expired'
                : 'live';
          out(
            `${t.id}  ${t.kind.padEnd(7)} ${t.role.padEnd(8)} user:${t.userName}  ${t.label}  ${state}  created ${t.createdAt}`,
          );
        }
      });
    });
  token
    .command('revoke')
    .description('Revoke a token or browser session by its ID.')
    .argument('<id>', 'token ID (tok_..., from `pulser token list`)')
    .action(async (id: string, _opts: unknown, command: Command) => {
      const { revokeToken } = await import('../../workspace/access/auth.js');
      const { cliActor } = await import('../../workspace/plan-file.js');
      await withWorkspace(command, async (ws) => {
        const t = await revokeToken(ws, id, cliActor());
        out(`revoked ${t.id} (user:${t.userName}, ${t.role})`);
      });
    });
}
