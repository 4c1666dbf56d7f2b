/**
 * The `pulser` command line: parses argv and calls the same library functions the server, the
 * MCP adapter and the tests call. Command modules are imported lazily so that a command loads
 * only what it needs.
 */
import { Command, CommanderError } from 'commander';
import { formatError, isPulserError } from '../errors/index.js';
import { explainSystemError } from '../errors/system.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerMcpCommands } from './commands/mcp.js';
import { registerCheckCommands } from './commands/check.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerLedgerCommands } from './commands/ledger.js';
import { registerPlanCommands } from './commands/plan.js';
import { registerReportCommands } from './commands/report.js';
import { registerRunCommands } from './commands/run.js';
import { registerServeCommands } from './commands/serve.js';
import { visible } from '../util/visible.js';
import { registerStartCommands } from './commands/start.js';

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: ReadonlyArray<string>): Promise<number> {
  const program = new Command('pulser')
    .description('Turn a markdown plan into a mission you can run and prove.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)')
    .option(
      '-w, --workspace <dir>',
      'project folder holding .pulser/ (default: nearest, or $PULSER_WORKSPACE)',
    );

  registerStartCommands(program);
  registerPlanCommands(program);
  registerRunCommands(program);
  registerServeCommands(program);
  registerMcpCommands(program);
  registerLedgerCommands(program);
  registerCheckCommands(program);
  registerReportCommands(program);
  registerDoctorCommand(program);
  registerBackupCommands(program);

  program
    .command('schema')
    .description('Print the JSON Schema of the Pulser IR (a compiled plan).')
    .action(async () => {
      const { planJsonSchema } = await import('../ir/index.js');
      process.stdout.write(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    const known = isPulserError(error) ? error : explainSystemError(error);
    if (known !== undefined) {
      process.stderr.write(`pulser: ${visible(formatError(known))}\n`);
      if (process.env.PULSER_DEBUG && error instanceof Error && error.stack) {
        process.stderr.write(`${error.stack}\n`);
      }
      return known.code === 'E_USAGE' ? 2 : 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `pulser: unexpected error: ${visible(message)}\n  please report this at https://github.com/pulser/pulser/issues` +
        `${process.env.PULSER_DEBUG ? '' : ' (set PULSER_DEBUG=1 to see the stack trace)'}\n`,
    );
    if (process.env.PULSER_DEBUG && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    return 1;
  }
}
