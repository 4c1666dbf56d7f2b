/**
 * The report as one self-contained HTML file: inline CSS and SVG, no script, no external URL.
 */
import type { ReportModel, ReportNeed, ReportPhase, ReportPlan, ReportVerdict } from './model.js';
import { COLOR, burnupChart, donut, esc, progressBar, sparkline } from './svg.js';

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f6f8fa;color:#1f2328;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:28px 24px 48px}
header h1{font-size:24px;margin:0 0 4px}
.sub{color:#57606a;font-size:12.5px}
.mono,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.tiles{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:20px 0}
.tile{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:12px 14px;display:flex;gap:12px;align-items:center}
.tile .big{font-size:22px;font-weight:650}
.tile .cap{color:#57606a;font-size:12px}
section{background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:16px 18px;margin:14px 0}
section h2{font-size:16px;margin:0 0 10px}
section h3{font-size:14px;margin:14px 0 6px}
svg .lbl{font-size:13px;fill:#1f2328}
svg .num{font-size:12px;fill:#57606a}
svg .donut{font-size:14px;font-weight:650;fill:#1f2328}
.legend{display:flex;gap:16px;color:#57606a;font-size:12px;margin-top:4px}
.legend i{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:5px}
table{border-collapse:collapse;width:100%;font-size:13px}
th{text-align:left;color:#57606a;font-weight:600;border-bottom:1px solid #d0d7de;padding:6px 8px}
td{border-bottom:1px solid #eaeef2;padding:6px 8px;vertical-align:top}
.pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:11.5px;font-weight:600;color:#fff;white-space:nowrap}
.need{display:flex;justify-content:space-between;gap:12px;padding:7px 0;border-bottom:1px solid #eaeef2}
.need:last-child{border-bottom:0}
.need code{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:1px 6px;white-space:nowrap}
.rows{display:grid;grid-template-columns:minmax(180px,2.2fr) 3fr auto auto;gap:8px 14px;align-items:center}
.rows .t{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.rows .c{color:#57606a;font-size:12.5px;white-space:nowrap;text-align:right}
.group{margin:6px 0 12px}
.group .head{display:flex;justify-content:space-between;gap:12px;align-items:center;margin-bottom:4px}
.group ul{margin:0;padding-left:20px}
.group li{margin:2px 0}
.group li .mono{color:#57606a;margin-left:6px}
.count{font-size:28px;font-weight:700;color:#bf8700;width:64px;text-align:center}
.gate{border-left:4px solid #8c959f;padding:2px 0 2px 12px;margin:12px 0}
.muted{color:#57606a}
footer{color:#57606a;font-size:12px;margin-top:18px}
`;

function pill(status: string, text = status.replace('_', ' ')): string {
  return `<span class="pill" style="background:${COLOR[status] ?? '#8c959f'}">${esc(text)}</span>`;
}

/** `2026-01-08T14:00:00.000Z` → `2026-01-08 14:00 UTC` (deterministic, from the ledger). */
function when(ts: string | null): string {
  if (ts === null) return '—';
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d/u.test(ts) ? `${ts.slice(0, 10)} ${ts.slice(11, 16)} UTC` : ts;
}

function phaseRows(phases: ReadonlyArray<ReportPhase>): string {
  const rows = phases.map((ph) => {
    const total = ph.tasks.total + ph.checkboxes.total;
    const done = ph.tasks.done + ph.checkboxes.done;
    const count =
      total === 0
        ? ph.status === 'done'
          ? 'phase done'
          : 'no tasks'
        : `${done}/${total} · ${Math.round((100 * done) / total)}%`;
    const share = total === 0 ? (ph.status === 'done' ? 1 : 0) : done / total;
    return `<div class="t" title="${esc(ph.title)}">${esc(ph.title)}</div><div>${progressBar(share)}</div><div class="c">${esc(count)}</div><div>${pill(ph.gate.status, ph.gate.status === 'unchecked' ? 'not checked' : ph.gate.status === 'none' ? 'no criteria' : `gate ${ph.gate.status}`)}</div>`;
  });
  return `<div class="rows">${rows.join('')}</div>`;
}

const NEED_TITLES: Readonly<Record<ReportNeed['kind'], [string, string]>> = {
  approval: ['steps wait for an approval', 'pulser approve STEP'],
  quarantine: ['steps are quarantined', 'pulser retry STEP'],
  failing_gate: ['gates fail', 'pulser check PHASE'],
  flaky: ['verifiers are flaky (quarantined)', 'pulser signoff CRITERION --reason "..."'],
  signoff: ['criteria need a signoff', 'pulser signoff CRITERION --reason "..."'],
  measurement: ['metrics are not measured', 'pulser metric set METRIC VALUE'],
};

function needGroups(needs: ReadonlyArray<ReportNeed>): string {
  if (needs.length === 0) return '<div class="muted">nothing is waiting for a person</div>';
  const out: string[] = [];
  for (const kind of Object.keys(NEED_TITLES) as Array<ReportNeed['kind']>) {
    const list = needs.filter((x) => x.kind === kind);
    if (list.length === 0) continue;
    const [title, command] = NEED_TITLES[kind];
    const urgent = kind === 'failing_gate' || kind === 'flaky' || kind === 'quarantine';
    const items = list
      .slice(0, 12)
      .map((x) => `<li>${esc(x.label)}<span class="mono">${esc(x.subject)}</span></li>`)
      .join('');
    out.push(
      `<div class="group"><div class="head"><span>${pill(urgent ? 'fail' : 'pending', String(list.length))} ${esc(title)}</span><code>${esc(command)}</code></div><ul>${items}${list.length > 12 ? `<li class="muted">and ${list.length - 12} more (JSON report)</li>` : ''}</ul></div>`,
    );
  }
  return out.join('');
}

function tile(svg: string, big: string, cap: string): string {
  return `<div class="tile">${svg}<div><div class="big">${esc(big)}</div><div class="cap">${esc(cap)}</div></div></div>`;
}

function verdictRows(verdicts: ReadonlyArray<ReportVerdict>): string {
  return verdicts
    .map(
      (v) =>
        `<tr><td>${pill(v.flaky && v.status === 'error' ? 'fail' : v.status, v.flaky ? 'flaky' : v.status.replace('_', ' '))}</td><td>${esc(v.text)}<div class="mono muted">${esc(v.id)}</div></td><td>${esc(v.verifier)}</td><td>${esc(v.reason)}${v.seq === null ? '' : `<div class="muted">checked by ${esc(v.by ?? '')} · ${esc(when(v.decidedAt))} · event ${v.seq}</div>`}</td></tr>`,
    )
    .join('');
}

function planSection(p: ReportPlan): string {
  const gates = p.phases
    .filter((ph) => ph.gate.verdicts.length > 0 || ph.forced.length > 0)
    .map((ph) => {
      const forced = ph.forced
        .map(
          (f) =>
            `<div class="muted">${pill('pending', 'forced')} promotion forced by ${esc(f.by)} on ${esc(when(f.at))}${f.reason === null ? '' : `: ${esc(f.reason)}`} (event ${f.seq})</div>`,
        )
        .join('');
      const artifacts = ph.gate.artifacts
        .map((a) => `<div class="mono muted">artifact ${esc(a.name)} sha256 ${esc(a.sha256)}</div>`)
        .join('');
      const decided =
        ph.gate.decidedAt === null
          ? '<div class="muted">not checked yet: run <code>pulser check</code></div>'
          : `<div class="muted">decided ${esc(when(ph.gate.decidedAt))} · event ${ph.gate.seq}${ph.gate.stale ? ' · on an older version of the plan' : ''}</div>`;
      const table =
        ph.gate.verdicts.length === 0
          ? ''
          : `<table><tr><th>verdict</th><th>criterion</th><th>verifier</th><th>evidence</th></tr>${verdictRows(ph.gate.verdicts)}</table>`;
      return `<div class="gate" style="border-color:${COLOR[ph.gate.status]}"><h3>${esc(ph.title)} ${pill(ph.gate.status, `gate ${ph.gate.status}`)}</h3>${decided}${forced}${table}${artifacts}</div>`;
    })
    .join('');
  const metrics =
    p.metrics.length === 0
      ? ''
      : `<h3>Metrics against targets</h3><table><tr><th>metric</th><th>target</th><th>latest</th><th>trend</th><th>verdict</th></tr>${p.metrics
          .map(
            (m) =>
              `<tr><td>${esc(m.name)}<div class="mono muted">${esc(m.id)}</div></td><td>${esc(m.target)}</td><td>${
                m.latest === null
                  ? '<span class="muted">not measured</span>'
                  : `<b>${esc(m.latest.raw)}</b><div class="muted">${esc(m.latest.by)} · ${esc(when(m.latest.at))}</div>`
              }</td><td>${sparkline(
                m.history.map((h) => h.value),
                m.status,
              )}</td><td>${pill(m.status)}</td></tr>`,
          )
          .join('')}</table>`;
  return `<section><h2>${esc(p.title)}</h2><div class="sub"><span class="mono">${esc(p.path)}</span> · version ${p.version} · sha256 <span class="mono">${esc(p.sha256.slice(0, 16))}</span> · imported ${esc(when(p.importedAt))}</div><h3>Progress by phase</h3>${phaseRows(p.phases)}${gates === '' ? '' : `<h3>Gates and their evidence</h3>${gates}`}${metrics}</section>`;
}

const RUNS_SHOWN = 20;
/** Run statuses to colours: waiting (for a person) and running never share one. */
const RUN_COLOR: Readonly<Record<string, string>> = {
  succeeded: 'pass',
  failed: 'fail',
  running: 'pending',
  waiting: 'waiting',
  skipped: 'skipped',
  cancelled: 'unchecked',
  queued: 'unchecked',
};
const APPROVALS_SHOWN = 30;

function runsSection(m: ReportModel): string {
  if (m.runs.length === 0) return '<div class="muted">no runs recorded yet</div>';
  const byStatus = new Map<string, number>();
  for (const r of m.runs) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  const color = (status: string): string => RUN_COLOR[status] ?? 'unchecked';
  const summary = [...byStatus]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${pill(color(k), `${v} ${k}`)}`)
    .join(' ');
  const latest = m.runs.slice(-RUNS_SHOWN).reverse();
  const rows = latest
    .map(
      (r) =>
        `<tr><td class="mono">${esc(r.id)}</td><td>${pill(color(r.status), r.status)}</td><td>${esc(when(r.createdAt))}</td><td>${esc(when(r.endedAt))}</td><td>${esc(
          Object.entries(r.steps)
            .map(([k, v]) => `${k.replace('_', ' ')} ${v}`)
            .join(', ') || '—',
        )}</td></tr>`,
    )
    .join('');
  const more =
    m.runs.length > RUNS_SHOWN
      ? `<div class="muted">the latest ${RUNS_SHOWN} of ${m.runs.length} runs; all are in the JSON report</div>`
      : '';
  return `<div class="group">${m.runs.length} runs: ${summary}</div><table><tr><th>run</th><th>status</th><th>created</th><th>ended</th><th>steps</th></tr>${rows}</table>${more}`;
}

/** The report as a self-contained HTML page. */
export function renderHtml(m: ReportModel): string {
  const title = m.plans.map((p) => p.title).join(', ') || 'Pulser report';
  const t = m.totals;
  const items = {
    done: t.tasks.done + t.checkboxes.done,
    total: t.tasks.total + t.checkboxes.total,
  };
  const gatesTotal = t.gates.pass + t.gates.fail + t.gates.pending + t.gates.unchecked;
  const verdictsTotal = Object.values(t.verdicts).reduce((a, b) => a + b, 0);
  const waiting = [...m.quarantined, ...m.awaitingApproval];
  const steps =
    waiting.length === 0
      ? ''
      : `<h3>Quarantined and waiting steps</h3><table><tr><th>step</th><th>state</th><th>since</th><th>why</th></tr>${waiting
          .map(
            (s) =>
              `<tr><td class="mono">${esc(s.id)}</td><td>${pill(s.state === 'quarantined' ? 'fail' : 'pending', s.state.replace('_', ' '))}</td><td>${esc(when(s.since))}</td><td>${esc(s.reason ?? '')}</td></tr>`,
          )
          .join('')}</table>`;
  const approvals =
    m.approvals.length === 0
      ? '<div class="muted">no approvals or signoffs yet</div>'
      : `<table><tr><th>decision</th><th>subject</th><th>by</th><th>when</th><th>reason</th></tr>${m.approvals
          .slice(-APPROVALS_SHOWN)
          .reverse()
          .map(
            (a) =>
              `<tr><td>${pill(a.kind === 'rejected' || a.kind === 'signoff_rejected' ? 'fail' : a.kind === 'forced' || a.kind === 'skipped' ? 'pending' : 'pass', a.kind.replace('_', ' '))}</td><td class="mono">${esc(a.subject)}</td><td>${esc(a.by)}</td><td>${esc(when(a.at))}</td><td>${esc(a.reason ?? '')}</td></tr>`,
          )
          .join(
            '',
          )}</table>${m.approvals.length > APPROVALS_SHOWN ? `<div class="muted">the latest ${APPROVALS_SHOWN} of ${m.approvals.length}; all are in the JSON report</div>` : ''}`;
  const needsTile = `<div class="tile"><div class="count" style="color:${m.needs.length === 0 ? COLOR.pass : COLOR.pending}">${m.needs.length}</div><div><div class="cap">${m.needs.length === 0 ? 'nothing waits for a person' : 'things wait for a person: approvals, signoffs, quarantines, failing gates'}</div></div></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Pulser report</title><style>${CSS}</style></head>
<body><main>
<header><h1>${esc(title)}</h1><div class="sub">As of ledger event ${m.ledger.head.seq} · ${esc(when(m.ledger.last))} · head <span class="mono">${esc(m.ledger.head.hash.slice(0, 16))}</span></div></header>
<div class="tiles">
${tile(donut(items.done, items.total, COLOR.done!), `${items.done}/${items.total}`, 'tasks and checkboxes done')}
${tile(donut(t.gates.pass, gatesTotal, COLOR.pass!), `${t.gates.pass}/${gatesTotal}`, `gates pass · ${t.gates.fail} fail`)}
${tile(donut(t.verdicts.pass, verdictsTotal, COLOR.pass!), `${t.verdicts.pass}/${verdictsTotal}`, `verdicts pass · ${t.verdicts.fail} fail`)}
${needsTile}
</div>
<section><h2>Burn-up</h2>${burnupChart(m.burnup)}<div class="legend"><span><i style="background:${COLOR.scope}"></i>scope (tasks + checkboxes)</span><span><i style="background:${COLOR.done}"></i>done</span><span><i style="background:${COLOR.gates}"></i>gates passing</span></div></section>
<section><h2>Needs a person</h2>${needGroups(m.needs)}</section>
${m.plans.map(planSection).join('\n')}
<section><h2>Runs</h2>${runsSection(m)}${steps}</section>
<section><h2>Approvals and signoffs</h2>${approvals}</section>
<footer>Derived from the ledger alone: ${m.ledger.events} events, ${esc(when(m.ledger.first))} to ${esc(when(m.ledger.last))}, head <span class="mono">${esc(m.ledger.head.hash)}</span>. Rebuild and compare with <code>pulser replay</code>; verify the ledger with <code>pulser ledger verify</code>.</footer>
</main></body></html>
`;
}
