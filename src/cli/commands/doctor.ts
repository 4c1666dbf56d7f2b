import type { Command } from 'commander';
import type { DoctorReport, EventsCheck } from '../../workspace/ledger/doctor.js';
import { visible } from '../../util/visible.js';
import { out, outJson, withWorkspace } from '../context.js';
import { plural } from '../plural.js';

/** Registers `pulser doctor`. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check everything: the database file (PRAGMA integrity_check), the ledger, and the state tables against the events; say what is wrong and what to do (exit 1 when anything is).',
    )
    .option('--json', 'print JSON instead of text')
    .action(async (opts: { readonly json?: boolean }, command: Command) => {
      const { doctor, unopenable } = await import('../../workspace/ledger/doctor.js');
      const { isPulserError } = await import('../../errors/index.js');
      const print = (report: DoctorReport): void => {
        if (opts.json === true) outJson(report);
        else out(render(report));
      };
      try {
        await withWorkspace(command, async (ws) => {
          const report = await doctor(ws);
          if (!report.ok) {
            ws.holdSeal();
            process.exitCode = 1;
          }
          print(report);
        });
      } catch (error) {
        // A file too damaged to open is itself the finding.
        if (!isPulserError(error) || error.data.reason !== 'damaged') throw error;
        process.exitCode = 1;
        print(unopenable(String(error.data.file), error.message));
      }
    });
}

/** `, all in the event catalog`, or the types it does not know (an older Pulser wrote them). */
function eventsDetail(events: EventsCheck): string {
  const unknown = Object.entries(events.unknownTypes);
  if (unknown.length === 0) return ', every event matches the event catalog';
  const list = unknown.map(([type, n]) => `${visible(type)} (${n})`).join(', ');
  return `, every known event matches the event catalog; types it does not know (read as unknown, skipped by reports and checks): ${list}`;
}

function render(report: DoctorReport): string {
  const lines = [`pulser doctor: ${report.database}`];
  for (const area of report.healthy) {
    const detail =
      area === 'ledger' && report.ledger !== null
        ? `, ${plural(report.ledger.verdict.count, 'event')}, chain intact`
        : area === 'events' && report.events !== null
          ? eventsDetail(report.events)
          : '';
    lines.push(`  ${area.padEnd(8)} ok${detail}`);
  }
  for (const f of report.findings) {
    lines.push(`  ${f.area.padEnd(8)} PROBLEM: ${f.problem}`);
    lines.push(`           what to do: ${f.fix}`);
  }
  lines.push(report.ok ? 'nothing is wrong' : `${plural(report.findings.length, 'problem')} found`);
  return lines.join('\n');
}
