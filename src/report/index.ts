/** Reports derived from the ledger alone: a model folded from events, rendered three ways. */
import { renderHtml } from './html.js';
import { renderJson, renderMarkdown } from './markdown.js';
import type { ReportModel } from './model.js';

export {
  buildReport,
  durationText,
  type BurnupPoint,
  type ReportApproval,
  type ReportEvent,
  type ReportGateStatus,
  type ReportMetric,
  type ReportModel,
  type ReportNeed,
  type ReportPhase,
  type ReportPlan,
  type ReportRun,
  type ReportStep,
  type ReportVerdict,
} from './model.js';
export { renderHtml } from './html.js';
export { renderJson, renderMarkdown } from './markdown.js';

/** The formats a report renders to. */
export const REPORT_FORMATS = ['md', 'json', 'html'] as const;

/** A report format. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Renders the model in `format`. */
export function renderReport(model: ReportModel, format: ReportFormat): string {
  switch (format) {
    case 'md':
      return renderMarkdown(model);
    case 'json':
      return renderJson(model);
    case 'html':
      return renderHtml(model);
    default: {
      const never: never = format;
      return never;
    }
  }
}
