/**
 * Reports of a workspace, derived from its ledger alone, and their replay: `generateReport`
 * renders the events 1..head and records `report.generated` (format, SHA-256, through which
 * event); `replayReports` rebuilds every recorded report from the events up to its `throughSeq`
 * and proves it byte-identical.
 */
import { NotFoundError, UsageError } from '../../errors/index.js';
import {
  REPORT_FORMATS,
  buildReport,
  renderReport,
  type ReportEvent,
  type ReportFormat,
} from '../../report/index.js';
import { canonicalJson } from '../../util/canonical-json.js';
import { sha256Hex } from '../../util/hash.js';
import type { Workspace } from '../open.js';
import { cliActor } from '../plan-file.js';

/** Throws a UsageError unless `value` is a report format. */
export function parseReportFormat(value: string): ReportFormat {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/^markdown$/u, 'md');
  if ((REPORT_FORMATS as ReadonlyArray<string>).includes(v)) return v as ReportFormat;
  throw new UsageError(`invalid report format ${JSON.stringify(value)}`, {
    hint: `use one of: ${REPORT_FORMATS.join(', ')}`,
  });
}

/** The ledger's events 1..`through` (all when undefined), in order. */
async function ledgerEvents(ws: Workspace, through?: number): Promise<ReportEvent[]> {
  const events: ReportEvent[] = [];
  for await (const e of ws.store.events.scan()) {
    if (through !== undefined && e.seq > through) break;
    events.push(e);
  }
  return events;
}

/** A rendered report and what it was built from. */
export interface GeneratedReport {
  readonly format: ReportFormat;
  readonly text: string;
  readonly sha256: string;
  /** The last ledger event the report includes. */
  readonly throughSeq: number;
}

/**
 * Renders the report of the events 1..`through` (everything by default), of every plan or of
 * `planId` alone (a NotFoundError naming it when the ledger has no such plan); records nothing.
 */
export async function buildWorkspaceReport(
  ws: Workspace,
  format: ReportFormat,
  through?: number,
  planId?: string,
): Promise<GeneratedReport> {
  const events = await ledgerEvents(ws, through);
  const model = buildReport(events, planId === undefined ? {} : { planId });
  if (planId !== undefined && model.plans.length === 0) {
    throw new NotFoundError(`no plan with ID ${JSON.stringify(planId)} in the ledger`, {
      hint: 'list the plans with `pulser status`',
    });
  }
  const text = renderReport(model, format);
  return { format, text, sha256: sha256Hex(text), throughSeq: events.at(-1)?.seq ?? 0 };
}

/**
 * Renders the report of the whole ledger and records `report.generated` so that `replay` can
 * prove it later. A report of one plan (`planId`) is not recorded: `report.generated` does not
 * name a plan, so replay could not rebuild it.
 *
 * @example
 * const { text } = await generateReport(ws, 'html');
 */
export async function generateReport(
  ws: Workspace,
  format: ReportFormat,
  options: { readonly actor?: string; readonly record?: boolean; readonly planId?: string } = {},
): Promise<GeneratedReport> {
  const report = await buildWorkspaceReport(ws, format, undefined, options.planId);
  if (options.record !== false && options.planId === undefined) {
    await ws.store.events.append({
      type: 'report.generated',
      actor: options.actor ?? cliActor(),
      subject: null,
      data: {
        format,
        sha256: report.sha256,
        bytes: Buffer.byteLength(report.text),
        throughSeq: report.throughSeq,
      },
    });
  }
  return report;
}

/** One replayed report. */
export interface ReplayEntry {
  /** The `report.generated` event. */
  readonly seq: number;
  readonly format: ReportFormat;
  readonly throughSeq: number;
  readonly recorded: string;
  readonly rebuilt: string;
  readonly identical: boolean;
}

/** What {@link replayReports} found. */
export interface ReplayResult {
  readonly reports: ReadonlyArray<ReplayEntry>;
  /** Plans whose latest IR in the ledger equals the live plans table (the ledger carries them). */
  readonly plans: ReadonlyArray<{ readonly planId: string; readonly identical: boolean }>;
  readonly ok: boolean;
}

/**
 * Rebuilds every report recorded in the ledger from the events it was built from, and compares
 * digests; also checks that the ledger's latest IR of each plan equals the live one.
 *
 * @example
 * const { ok } = await replayReports(ws);
 */
export async function replayReports(ws: Workspace): Promise<ReplayResult> {
  const all = await ledgerEvents(ws);
  const reports: ReplayEntry[] = [];
  const irs = new Map<string, string>();
  for (const e of all) {
    const d = e.data as Record<string, unknown>;
    if (e.type === 'plan.imported' && typeof d['planId'] === 'string' && d['ir'] !== undefined) {
      irs.set(d['planId'], canonicalJson(d['ir']));
    }
    if (e.type !== 'report.generated') continue;
    const format = d['format'] as ReportFormat;
    const throughSeq = Number(d['throughSeq']);
    const prefix = all.filter((x) => x.seq <= throughSeq);
    const rebuilt = sha256Hex(renderReport(buildReport(prefix), format));
    reports.push({
      seq: e.seq,
      format,
      throughSeq,
      recorded: String(d['sha256']),
      rebuilt,
      identical: rebuilt === d['sha256'],
    });
  }
  const plans = (await ws.store.plans.list()).map((p) => ({
    planId: p.id,
    identical: irs.get(p.id) === canonicalJson(p.plan),
  }));
  return {
    reports,
    plans,
    ok: reports.every((r) => r.identical) && plans.every((p) => p.identical),
  };
}
