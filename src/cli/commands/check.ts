import type { Command } from 'commander';
import { out, outJson, withWorkspace } from '../context.js';

interface JsonOption {
  readonly json?: boolean;
}

const JSON_HELP = 'print JSON instead of text';

/** Registers `pulser check`, `pulser signoff` and `pulser metric ...`. */
export function registerCheckCommands(program: Command): void {
  program
    .command('check')
    .description(
      'Run the verifiers of the criteria and metrics in TARGET (everything by default), decide the gates, print a verdict table and record the verdicts in the ledger. Exit 1 when a gate does not pass or a verdict fails.',
    )
    .argument('[target]', 'a plan, phase, task, criterion or metric ID')
    .option('--no-record', 'decide without recording verdicts in the ledger')
    .option('--json', JSON_HELP)
    .action(
      async (
        target: string | undefined,
        opts: JsonOption & { readonly record: boolean },
        command: Command,
      ) => {
        const { checkTarget } = await import('../../workspace/checks/check.js');
        const { renderCheck, checkFailed } = await import('./check-render.js');
        await withWorkspace(command, async (ws) => {
          const result = await checkTarget(ws, target, { record: opts.record });
          if (opts.json === true) outJson(result);
          else out(renderCheck(result));
          if (checkFailed(result)) process.exitCode = 1;
        });
      },
    );

  program
    .command('signoff')
    .description(
      'Sign off a criterion as the person running this command (recorded with the reason); decides manual criteria and quarantined (flaky) verifiers.',
    )
    .argument('<criterion>', 'criterion ID')
    .requiredOption('--reason <text>', 'what you checked (recorded)')
    .option('--reject', 'record that the criterion is NOT met')
    .option('--json', JSON_HELP)
    .action(
      async (
        id: string,
        opts: JsonOption & { readonly reason: string; readonly reject?: boolean },
        command: Command,
      ) => {
        const { signoff } = await import('../../workspace/checks/check-signoff.js');
        await withWorkspace(command, async (ws) => {
          const r = await signoff(ws, id, {
            reason: opts.reason,
            verdict: opts.reject === true ? 'fail' : 'pass',
          });
          if (opts.json === true) outJson(r);
          else
            out(
              `${r.data.criterion}: ${r.data.verdict === 'pass' ? 'signed off' : 'rejected'} by ${r.data.by} (event ${r.event.seq}); run \`pulser check\` to decide its gate`,
            );
        });
      },
    );

  const metric = program
    .command('metric')
    .description('Measured values of metrics, compared against their targets by `pulser check`.');

  metric
    .command('set')
    .description('Record a measured value of a metric (who and when are recorded).')
    .argument('<id>', 'metric ID (or a unique end of it, or a criterion that states a target)')
    .argument('<value>', 'the value: 7.5, 7.5%, 4.2/5, 120 ms, 0')
    .option('--note <text>', 'where the value comes from (recorded)')
    .option('--json', JSON_HELP)
    .action(
      async (
        id: string,
        value: string,
        opts: JsonOption & { readonly note?: string },
        command: Command,
      ) => {
        const { recordMetric } = await import('../../workspace/checks/metric.js');
        await withWorkspace(command, async (ws) => {
          const r = await recordMetric(ws, id, value, {
            ...(opts.note === undefined ? {} : { note: opts.note }),
          });
          if (opts.json === true) outJson(r);
          else
            out(
              `${r.planId}:${r.metric} = ${value}${r.target === null ? '' : ` (target ${r.target})`}, recorded as event ${r.event.seq}`,
            );
        });
      },
    );

  metric
    .command('list', { isDefault: true })
    .description('List the metrics with their targets, latest values and verdicts.')
    .option('--json', JSON_HELP)
    .action(async (opts: JsonOption, command: Command) => {
      const { checkTarget } = await import('../../workspace/checks/check.js');
      const { renderMetrics } = await import('./check-render.js');
      await withWorkspace(command, async (ws) => {
        const result = await checkTarget(ws, undefined, { record: false, commands: 'recorded' });
        const metrics = result.plans.flatMap((p) =>
          p.metrics.map((m) => ({ planId: p.planId, ...m })),
        );
        if (opts.json === true) outJson(metrics);
        else out(renderMetrics(metrics));
      });
    });
}
