import type { Command } from 'commander';
import { visible } from '../../util/visible.js';
import { out, outJson, withWorkspace } from '../context.js';
import { plural } from '../plural.js';

/** Registers `pulser report` and `pulser replay`. */
export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description(
      'Report derived from the ledger alone: progress per phase, gates and their evidence, metrics against targets, runs, quarantined steps, approvals, what needs a person.',
    )
    .option('--plan <id>', 'the report of this plan alone (its runs, steps and decisions)')
    .option('-f, --format <format>', 'md | json | html (one self-contained file with charts)', 'md')
    .option(
      '-o, --out <file>',
      'write to this file (the exact bytes the ledger records) instead of stdout (control characters shown as escapes)',
    )
    .action(
      async (
        opts: { readonly format: string; readonly out?: string; readonly plan?: string },
        command: Command,
      ) => {
        const { generateReport, parseReportFormat } =
          await import('../../workspace/plans/report.js');
        const format = parseReportFormat(opts.format);
        const { checkOutFile, writeOutFile } = await import('../out-file.js');
        if (opts.out !== undefined) checkOutFile(opts.out);
        await withWorkspace(command, async (ws) => {
          const report = await generateReport(
            ws,
            format,
            opts.plan === undefined ? {} : { planId: opts.plan },
          );
          if (opts.out === undefined) {
            // Control and bidi characters from the plans shown as escapes (in JSON, `\u202e` is the
            // same string); -o writes the exact bytes the ledger records.
            process.stdout.write(visible(report.text));
            return;
          }
          writeOutFile(opts.out, report.text);
          out(
            `wrote the ${format} report of ${opts.plan === undefined ? '' : `plan ${opts.plan}, `}ledger events 1..${report.throughSeq} to ${opts.out} (sha256 ${report.sha256.slice(0, 16)})${opts.plan === undefined ? '' : '; a plan report is not recorded for replay'}`,
          );
        });
      },
    );

  program
    .command('replay')
    .description(
      'Rebuild every report recorded in the ledger from the events it was built from and prove it byte-identical; exit 1 on any difference.',
    )
    .option('--json', 'print JSON instead of text')
    .action(async (opts: { readonly json?: boolean }, command: Command) => {
      const { replayReports } = await import('../../workspace/plans/report.js');
      await withWorkspace(command, async (ws) => {
        const r = await replayReports(ws);
        if (opts.json === true) outJson(r);
        else {
          for (const e of r.reports) {
            out(
              `${e.identical ? 'identical' : 'DIFFERENT'}  ${e.format.padEnd(4)} report of events 1..${e.throughSeq} (recorded at event ${e.seq}) sha256 ${e.rebuilt.slice(0, 16)}${e.identical ? '' : ` != recorded ${e.recorded.slice(0, 16)}`}`,
            );
          }
          for (const p of r.plans) {
            out(
              `${p.identical ? 'identical' : 'DIFFERENT'}  plan ${p.planId}: the ledger's IR ${p.identical ? 'equals' : 'differs from'} the live plan`,
            );
          }
          out(
            r.reports.length === 0
              ? 'no report recorded yet: run `pulser report` first'
              : r.ok
                ? `all ${plural(r.reports.length, 'report')} rebuilt byte for byte from the ledger alone`
                : 'replay FAILED: a report could not be rebuilt from the ledger',
          );
        }
        if (!r.ok) process.exitCode = 1;
      });
    });
}
