import type { Command } from 'commander';
import { out, outJson, withWorkspace } from '../context.js';

interface JsonOption {
  readonly json?: boolean;
}

const JSON_HELP = 'print JSON instead of text';

/** Registers the plan commands (import, status, next, show, write-back, summary). */
export function registerPlanCommands(program: Command): void {
  program
    .command('import')
    .description(
      'Compile a markdown plan and store it in the workspace (creates .pulser/ if needed); on re-import, print what changed.',
    )
    .argument('<file>', 'the markdown plan')
    .option('--json', JSON_HELP)
    .action(async (file: string, opts: JsonOption, command: Command) => {
      const { runImport, preflight } = await import('./plan-import.js');
      preflight(file);
      await withWorkspace(command, (ws) => runImport(ws, file, opts.json === true), true);
    });

  program
    .command('status')
    .description('Show every imported plan as a tree of phases with progress bars.')
    .option('--json', JSON_HELP)
    .action(async (opts: JsonOption, command: Command) => {
      const { planStatus } = await import('../../workspace/plans/status.js');
      const { renderStatus } = await import('./plan-status.js');
      await withWorkspace(command, async (ws) => {
        const report = await planStatus(ws);
        if (opts.json === true) outJson(report);
        else out(renderStatus(report));
      });
    });

  program
    .command('next')
    .description('List the tasks ready to start: not done, deferred or blocked, dependencies done.')
    .option('--json', JSON_HELP)
    .option('-n, --limit <n>', 'show at most n tasks (0: all)', '10')
    .action(async (opts: JsonOption & { readonly limit: string }, command: Command) => {
      const { nextTasks } = await import('../../workspace/plans/status.js');
      const { renderNext, parseLimit } = await import('./plan-status.js');
      const limit = parseLimit(opts.limit);
      await withWorkspace(command, async (ws) => {
        const tasks = await nextTasks(ws);
        const { completions } = await import('../../workspace/runs/completion.js');
        // Tasks whose steps succeeded and whose criteria pass come first: one command each.
        const ready = ws.config.completion === 'off' ? [] : await completions(ws);
        if (opts.json === true) outJson(limit === 0 ? tasks : tasks.slice(0, limit));
        else {
          for (const c of ready) out(`ready to mark done: ${c.taskId}  ${c.title}  → ${c.command}`);
          out(renderNext(tasks, limit));
        }
      });
    });

  program
    .command('show')
    .description(
      'Show one node: a phase, task, checklist item, criterion, step, metric or decision.',
    )
    .argument('<id>', 'node ID (or planId:nodeId, or a task label such as T-022)')
    .option('--json', JSON_HELP)
    .action(async (id: string, opts: JsonOption, command: Command) => {
      const { showNode } = await import('../../workspace/plans/show.js');
      const { renderShow } = await import('./plan-show.js');
      await withWorkspace(command, async (ws) => {
        const result = await showNode(ws, id);
        if (opts.json === true) outJson(result);
        else out(renderShow(result));
      });
    });

  for (const [name, checked] of [
    ['check-item', true],
    ['uncheck-item', false],
  ] as const) {
    program
      .command(name)
      .description(
        `${checked ? 'Check' : 'Uncheck'} a checklist item in the plan's markdown file, then re-import it.`,
      )
      .argument('<id>', 'checklist item ID')
      .option('--json', JSON_HELP)
      .action(async (id: string, opts: JsonOption, command: Command) => {
        const { runWrite } = await import('./plan-write.js');
        await withWorkspace(command, (ws) =>
          runWrite(ws, opts.json === true, (wb) =>
            checked ? wb.checkItem(ws, id) : wb.uncheckItem(ws, id),
          ),
        );
      });
  }

  program
    .command('set-status')
    .description("Set a task's (or phase's) status in the plan's markdown file, then re-import it.")
    .argument('<id>', 'task or phase ID')
    .argument('<status>', 'open | in_progress | done | blocked | deferred')
    .option('--force', 'mark a phase done even though its gate does not pass (recorded as forced)')
    .option('--reason <text>', 'why the promotion is forced (recorded)')
    .option('--json', JSON_HELP)
    .action(
      async (
        id: string,
        status: string,
        opts: JsonOption & { readonly force?: boolean; readonly reason?: string },
        command: Command,
      ) => {
        const { runWrite } = await import('./plan-write.js');
        const { parseTaskStatus } = await import('../../workspace/plans/write-back.js');
        const { cliActor } = await import('../../workspace/plan-file.js');
        const parsed = parseTaskStatus(status);
        const promotion = {
          ...(opts.force === true ? { force: true } : {}),
          ...(opts.reason === undefined ? {} : { reason: opts.reason }),
        };
        await withWorkspace(command, (ws) =>
          runWrite(ws, opts.json === true, (wb) =>
            wb.setStatus(ws, id, parsed, cliActor(), promotion),
          ),
        );
      },
    );

  program
    .command('summary')
    .description('Compile a plan and print its summary, without touching any workspace.')
    .argument('<file>', 'the markdown plan')
    .option('--json', JSON_HELP)
    .option(
      '--explain',
      'say why each heading is or is not a phase, and where each status came from',
    )
    .action(async (file: string, opts: JsonOption & { explain?: boolean }) => {
      const { runSummary } = await import('./plan-summary.js');
      runSummary(file, opts.json === true, opts.explain === true);
    });
}
