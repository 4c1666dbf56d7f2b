/**
 * The report as Markdown (and as JSON). Deterministic: the model in, the same text out.
 */
import type { ReportModel, ReportVerdict } from './model.js';
import type { Count } from './progress.js';

/** Rows of the runs and approvals tables (the JSON report has all). */
const SHOWN = 20;

const pct = (c: Count): string =>
  c.total === 0 ? '—' : `${Math.round((100 * c.done) / c.total)}%`;
const frac = (c: Count): string => `${c.done}/${c.total}`;
const cell = (s: string): string => s.replace(/\|/gu, '\\|').replace(/\r?\n/gu, ' ');

const MARK: Readonly<Record<string, string>> = {
  pass: '✅ pass',
  fail: '❌ fail',
  pending: '⏳ pending',
  unchecked: '· not checked',
  none: '— no criteria',
  error: '⚠️ error',
  not_run: '⏸ not run',
};

function verdictRow(v: ReportVerdict): string {
  const when = v.decidedAt === null ? '' : ` (${v.by ?? '?'}, ${v.decidedAt}, event ${v.seq})`;
  return `| ${MARK[v.status]}${v.flaky ? ' (flaky)' : ''} | \`${v.id}\` | ${cell(v.verifier)} | ${cell(v.reason)}${cell(when)} |`;
}

/** The report as a Markdown document. */
export function renderMarkdown(m: ReportModel): string {
  const out: string[] = [];
  const titles = m.plans.map((p) => p.title).join(', ');
  out.push(`# Pulser report${titles === '' ? '' : `: ${titles}`}`, '');
  out.push(
    `As of ledger event ${m.ledger.head.seq} (${m.ledger.last ?? 'empty'}), head \`${m.ledger.head.hash.slice(0, 16)}\`; ` +
      `derived from the ledger alone (${m.ledger.events} events). Rebuild it with \`pulser replay\`.`,
    '',
  );
  const g = m.totals.gates;
  out.push('## Summary', '');
  out.push(`- Tasks done: ${frac(m.totals.tasks)} (${pct(m.totals.tasks)})`);
  out.push(`- Checkboxes checked: ${frac(m.totals.checkboxes)} (${pct(m.totals.checkboxes)})`);
  out.push(
    `- Gates: ${g.pass} pass, ${g.fail} fail, ${g.pending} pending, ${g.unchecked} not checked, ${g.none} without criteria`,
  );
  out.push(
    `- Runs: ${m.runs.length}; quarantined steps: ${m.quarantined.length}; waiting for approval: ${m.awaitingApproval.length}`,
  );
  out.push(`- Needs a person: ${m.needs.length}`, '');
  if (m.needs.length > 0) {
    out.push('## Needs a person', '');
    for (const n of m.needs) out.push(`- ${n.what}: \`${n.command}\``);
    out.push('');
  }
  for (const p of m.plans) {
    out.push(`## ${p.title}`, '');
    out.push(
      `\`${p.path}\` version ${p.version}, sha256 \`${p.sha256.slice(0, 16)}\`, imported ${p.importedAt}`,
      '',
    );
    out.push('| phase | status | tasks | checkboxes | gate |', '| --- | --- | --- | --- | --- |');
    for (const ph of p.phases) {
      const forced = ph.forced.length > 0 ? ' (promotion forced)' : '';
      out.push(
        `| ${cell(ph.title)} | ${ph.status} | ${frac(ph.tasks)} (${pct(ph.tasks)}) | ${frac(ph.checkboxes)} (${pct(ph.checkboxes)}) | ${MARK[ph.gate.status]}${ph.gate.stale ? ' (older plan version)' : ''}${forced} |`,
      );
    }
    out.push('');
    for (const ph of p.phases) {
      if (ph.gate.verdicts.length === 0 && ph.forced.length === 0) continue;
      out.push(`### Gate of ${ph.title}: ${MARK[ph.gate.status]}`, '');
      if (ph.gate.decidedAt !== null)
        out.push(`Decided ${ph.gate.decidedAt} (event ${ph.gate.seq}).`, '');
      for (const f of ph.forced) {
        out.push(
          `Promotion forced by ${f.by} at ${f.at} (event ${f.seq})${f.reason === null ? '' : `: ${f.reason}`}.`,
          '',
        );
      }
      if (ph.gate.verdicts.length > 0) {
        out.push('| verdict | criterion | verifier | evidence |', '| --- | --- | --- | --- |');
        for (const v of ph.gate.verdicts) out.push(verdictRow(v));
        out.push('');
      }
      for (const a of ph.gate.artifacts)
        out.push(`- artifact \`${a.name}\` sha256 \`${a.sha256}\``);
      if (ph.gate.artifacts.length > 0) out.push('');
    }
    if (p.metrics.length > 0) {
      out.push(
        `### Metrics of ${p.title}`,
        '',
        '| metric | target | latest | verdict |',
        '| --- | --- | --- | --- |',
      );
      for (const x of p.metrics) {
        const latest = x.latest === null ? '—' : `${x.latest.raw} (${x.latest.by}, ${x.latest.at})`;
        out.push(`| ${cell(x.name)} | ${cell(x.target)} | ${cell(latest)} | ${MARK[x.status]} |`);
      }
      out.push('');
    }
  }
  if (m.runs.length > 0) {
    out.push(
      '## Runs',
      '',
      '| run | status | created | ended | steps |',
      '| --- | --- | --- | --- | --- |',
    );
    const byStatus = new Map<string, number>();
    for (const r of m.runs) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    out.splice(
      out.length - 2,
      0,
      `${m.runs.length} runs: ${[...byStatus]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${v} ${k}`)
        .join(
          ', ',
        )}${m.runs.length > SHOWN ? `; the latest ${SHOWN} below, all in the JSON report` : ''}.`,
      '',
    );
    for (const r of m.runs.slice(-SHOWN).reverse()) {
      const steps = Object.entries(r.steps)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      out.push(
        `| \`${r.id}\` | ${r.status} | ${r.createdAt} | ${r.endedAt ?? '—'} | ${steps || '—'} |`,
      );
    }
    out.push('');
  }
  if (m.quarantined.length + m.awaitingApproval.length > 0) {
    out.push('## Steps waiting for a person', '');
    for (const s of [...m.quarantined, ...m.awaitingApproval]) {
      out.push(
        `- \`${s.id}\` ${s.state} since ${s.since}${s.reason === null ? '' : `: ${s.reason}`}`,
      );
    }
    out.push('');
  }
  if (m.approvals.length > 0) {
    out.push(
      '## Approvals and signoffs',
      '',
      '| decision | subject | by | at | reason |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const a of m.approvals.slice(-SHOWN).reverse()) {
      out.push(
        `| ${a.kind} | \`${a.subject}\` | ${cell(a.by)} | ${a.at} | ${cell(a.reason ?? '')} |`,
      );
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The report model as pretty JSON. */
export function renderJson(m: ReportModel): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
