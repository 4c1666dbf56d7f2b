import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../errors/index.js';
import { withWorkspace } from '../context.js';

const JSON_HELP = 'print JSON instead of text';

function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive integer`);
    return n;
  };
}

/** Registers the runtime commands (run, runs, logs, retry, approve, trust, worker, ...). */
export function registerRunCommands(program: Command): void {
  program
    .command('run')
    .description(
      'Run a plan, phase, task or step: live progress until it ends (exit 0 succeeded, 1 failed or cancelled, 3 waiting for a person).',
    )
    .argument('[target]', 'plan ID, phase, task (ID or label) or step ID; default: the only plan')
    .option('--lane <lane>', 'lane of the run (steps without a lane use it)', 'main')
    .option('--session <id>', 'add the run to this session (default: the current session)')
    .option('--new-session <title>', 'start a new session for this run')
    .option('--title <text>', "the run's title (default: the target's title)")
    .option('--intent <text>', 'why this run (shown with it, searchable)')
    .option('--detach', 'only enqueue the run; `pulser worker` processes execute it')
    .option('--resume <run>', 'execute an existing run until it ends (after approving or trusting)')
    .option('--concurrency <n>', 'steps executed at once', positiveInt('--concurrency'))
    .option('--ignore-deps', 'start even if a task depends on one outside the run that is not done')
    .option('--json', 'stream events as JSON lines')
    .addOption(
      new Option(
        '--trust-unsafely',
        'DANGER: run commands from a document nobody trusted, without approval',
      ),
    )
    .action(async (target: string | undefined, opts: Record<string, unknown>, command: Command) => {
      const { runCommand } = await import('./run-run.js');
      await withWorkspace(command, (ws) => runCommand(ws, target, opts));
    });

  program
    .command('runs')
    .description('List runs (newest first), or show one run with its steps.')
    .argument('[run]', 'a run ID (or unique prefix): show it with its steps')
    .option('--status <status>', 'queued | running | waiting | succeeded | failed | cancelled')
    .option('--lane <lane>', 'only this lane')
    .option('--session <id>', 'only this session')
    .option('--search <text>', 'text in the ID, title, intent or target')
    .option('--archived', 'include runs of archived sessions')
    .option('-n, --limit <n>', 'at most n runs', positiveInt('--limit'), 30)
    .option('--json', JSON_HELP)
    .option('--no-color', 'no colour even on a terminal (also NO_COLOR=1)')
    .action(async (run: string | undefined, opts: Record<string, unknown>, command: Command) => {
      const { runsCommand } = await import('./run-list.js');
      await withWorkspace(command, (ws) => runsCommand(ws, run, opts));
    });

  program
    .command('logs')
    .description("Show a run's output (stdout and stderr of its steps).")
    .argument('<run>', 'run ID (or unique prefix)')
    .option('-f, --follow', 'keep printing new output until the run ends')
    .option('--step <step>', 'only this step: its number in the run (2) or its ID (RUN.2)')
    .option(
      '--raw',
      "print the steps' output as written (control characters are escaped otherwise)",
    )
    .option('--json', 'print JSON lines')
    .action(async (run: string, opts: Record<string, unknown>, command: Command) => {
      const { logsCommand } = await import('./run-list.js');
      await withWorkspace(command, (ws) => logsCommand(ws, run, opts));
    });

  program
    .command('retry')
    .description(
      'Retry a run (its failed, cancelled and quarantined steps) or one step; reopens a finished run.',
    )
    .argument('<id>', 'run ID or step ID (RUN.N)')
    .option('--json', JSON_HELP)
    .action(async (id: string, opts: Record<string, unknown>, command: Command) => {
      const { act } = await import('./run-act.js');
      await withWorkspace(command, (ws) => act(ws, 'retry', id, opts));
    });

  program
    .command('approve')
    .description('Approve one execution of a step waiting for approval.')
    .argument('<step>', 'step ID (RUN.N)')
    .option('--note <text>', 'recorded with the approval')
    .option('--json', JSON_HELP)
    .action(async (id: string, opts: Record<string, unknown>, command: Command) => {
      const { act } = await import('./run-act.js');
      await withWorkspace(command, (ws) => act(ws, 'approve', id, opts));
    });

  program
    .command('reject')
    .description('Reject a step waiting for approval: it fails, and its run fails.')
    .argument('<step>', 'step ID (RUN.N)')
    .option('--reason <text>', 'recorded with the rejection')
    .option('--json', JSON_HELP)
    .action(async (id: string, opts: Record<string, unknown>, command: Command) => {
      const { act } = await import('./run-act.js');
      await withWorkspace(command, (ws) => act(ws, 'reject', id, opts));
    });

  program
    .command('resolve')
    .description('Resolve a quarantined step: retry it, skip it, or abort it (and its run).')
    .argument('<step>', 'step ID (RUN.N)')
    .argument('<action>', 'retry | skip | abort')
    .option('--reason <text>', 'why (required to skip: recorded with your name)')
    .option('--json', JSON_HELP)
    .action(async (id: string, action: string, opts: Record<string, unknown>, command: Command) => {
      const { act } = await import('./run-act.js');
      await withWorkspace(command, (ws) => act(ws, 'resolve', id, { ...opts, action }));
    });

  program
    .command('cancel')
    .description('Cancel a run (or one step): running steps are killed, with their process group.')
    .argument('<id>', 'run ID or step ID (RUN.N)')
    .option('--json', JSON_HELP)
    .action(async (id: string, opts: Record<string, unknown>, command: Command) => {
      const { act } = await import('./run-act.js');
      await withWorkspace(command, (ws) => act(ws, 'cancel', id, opts));
    });

  program
    .command('sessions')
    .description('List sessions (archived ones are hidden unless --archived).')
    .option('--archived', 'include archived sessions')
    .option('--json', JSON_HELP)
    .action(async (opts: Record<string, unknown>, command: Command) => {
      const { sessionsCommand } = await import('./run-list.js');
      await withWorkspace(command, (ws) => sessionsCommand(ws, opts));
    });

  const session = program.command('session').description('Archive or unarchive a session.');
  for (const [name, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    session
      .command(name)
      .description(
        archived ? 'Archive a session: hide it and its runs.' : 'Show an archived session again.',
      )
      .argument('<id>', 'session ID')
      .option('--json', JSON_HELP)
      .action(async (id: string, opts: Record<string, unknown>, command: Command) => {
        const { act } = await import('./run-act.js');
        await withWorkspace(command, (ws) => act(ws, archived ? 'archive' : 'unarchive', id, opts));
      });
  }

  program
    .command('trust')
    .description(
      "Trust a plan's commands as they are now (bound to the file's hash; an edit revokes trust for what changed), or --show what is trusted.",
    )
    .argument('[file]', 'the markdown plan (imported)')
    .option('--show', 'list every plan with each of its commands and their trust')
    .option(
      '--commands <sha256>',
      'trust only if the commands are still those --show listed with this digest',
    )
    .option('--json', JSON_HELP)
    .action(async (file: string | undefined, opts: Record<string, unknown>, command: Command) => {
      const { trustCommand } = await import('./run-trust.js');
      await withWorkspace(command, (ws) => trustCommand(ws, file, opts));
    });

  program
    .command('untrust')
    .description("Revoke trust in a plan's commands; queued steps go back to awaiting approval.")
    .argument('<plan>', 'plan file or plan ID')
    .option('--json', JSON_HELP)
    .action(async (plan: string, opts: Record<string, unknown>, command: Command) => {
      const { untrustCommand } = await import('./run-trust.js');
      await withWorkspace(command, (ws) => untrustCommand(ws, plan, opts));
    });

  program
    .command('worker')
    .description(
      'Run a worker: execute queued steps of every run until stopped (Ctrl-C). Any number may share a workspace.',
    )
    .option('--lane <lane...>', 'only these lanes')
    .option('--concurrency <n>', 'steps executed at once (default 4)', positiveInt('--concurrency'))
    .option('--id <id>', 'worker ID recorded in events (default: host-pid-random)')
    .option(
      '--lease-ms <ms>',
      'lease length without heartbeat (default 30000)',
      positiveInt('--lease-ms'),
    )
    .option('--json', 'print notices as JSON lines')
    .action(async (opts: Record<string, unknown>, command: Command) => {
      const { workerCommand } = await import('./run-worker.js');
      await withWorkspace(command, (ws) => workerCommand(ws, opts));
    });
}
