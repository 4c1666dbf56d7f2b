import type { Command } from 'commander';

/** Registers `pulser init` and `pulser demo` (a newcomer's first two commands). */
export function registerStartCommands(program: Command): void {
  program
    .command('init')
    .description(
      "Make the current folder a Pulser project: create .pulser/, add it to .gitignore, and adopt the folder's ROADMAP.md, PLAN.md, NEXT_STEPS.md or tasks.md (or write a starter PLAN.md). Asks on a terminal; without one, takes the default or the flags.",
    )
    .option(
      '--adopt <file>',
      'import this plan document (it is never trusted: review, then `pulser trust FILE`)',
    )
    .option('--starter', 'write the starter plan to PLAN.md and import it')
    .option('--empty', 'create the workspace only')
    .option(
      '--database <url>',
      'store the workspace in this shared PostgreSQL database (team mode): postgres://USER@HOST:PORT/DATABASE; the password is never written (use PGPASSWORD or ~/.pgpass)',
    )
    .option(
      '--tenant <name>',
      "the workspace's name in the shared database (default: the project folder's name)",
    )
    .action(
      async (
        opts: {
          readonly adopt?: string;
          readonly starter?: boolean;
          readonly empty?: boolean;
          readonly database?: string;
          readonly tenant?: string;
        },
        command: Command,
      ) => {
        const { initCommand } = await import('./start-init.js');
        await initCommand(command, opts);
      },
    );

  program
    .command('demo')
    .description(
      "A tour in a scratch folder (removed afterwards): import Pulser's bundled example plan, show its status, trust it (it is Pulser's own file) and run its first phase with live progress, check its gate, write the report.",
    )
    .option('--here', 'run the tour in the current folder (or -w DIR) instead of a scratch folder')
    .option(
      '--keep',
      'keep the scratch folder afterwards (it is removed by default, also on Ctrl-C)',
    )
    .action(
      async (opts: { readonly here?: boolean; readonly keep?: boolean }, command: Command) => {
        const { demoCommand } = await import('./start-demo.js');
        await demoCommand(command, opts);
      },
    );
}
