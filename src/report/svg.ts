/**
 * Inline SVG charts for the HTML report: progress by phase, burn-up over time, sparklines.
 * Deterministic (fixed number formatting), no scripts, no external references.
 */
import type { BurnupPoint, ReportGateStatus, ReportPhase } from './model.js';

/** Escapes text for HTML and SVG. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/gu, (c) => `&#${c.charCodeAt(0)};`);
}

const n = (x: number): string => (Math.round(x * 10) / 10).toString();

/** Colours of statuses, shared by the charts and the page. */
export const COLOR: Readonly<Record<string, string>> = {
  pass: '#1a7f37',
  fail: '#cf222e',
  pending: '#bf8700',
  unchecked: '#8c959f',
  none: '#afb8c1',
  waiting: '#8250df',
  skipped: '#6e7781',
  error: '#cf222e',
  not_run: '#8c959f',
  done: '#2da44e',
  scope: '#57606a',
  gates: '#8250df',
};

function cut(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** A horizontal progress bar (fills its cell). */
export function progressBar(share: number): string {
  const w = Math.max(0, Math.min(1, share)) * 300;
  return `<svg viewBox="0 0 300 14" width="100%" height="14" preserveAspectRatio="none"><rect width="300" height="14" rx="5" fill="#eaeef2"/>${w > 0 ? `<rect width="${n(w)}" height="14" rx="5" fill="${COLOR.done}"/>` : ''}</svg>`;
}

/** Horizontal bars: one row per phase, done share of tasks + checkboxes, gate dot. */
export function phaseBars(phases: ReadonlyArray<ReportPhase>): string {
  const row = 30;
  const width = 760;
  const labelW = 260;
  const barW = 330;
  const height = phases.length * row + 10;
  const parts: string[] = [];
  phases.forEach((p, i) => {
    const y = 5 + i * row;
    const total = p.tasks.total + p.checkboxes.total;
    const done = p.tasks.done + p.checkboxes.done;
    const share = total === 0 ? 0 : done / total;
    const gate: ReportGateStatus = p.gate.status;
    parts.push(
      `<text x="0" y="${y + 17}" class="lbl">${esc(cut(p.title, 38))}</text>`,
      `<rect x="${labelW}" y="${y + 5}" width="${barW}" height="16" rx="4" fill="#eaeef2"/>`,
      share > 0
        ? `<rect x="${labelW}" y="${y + 5}" width="${n(barW * share)}" height="16" rx="4" fill="${COLOR.done}"/>`
        : '',
      `<text x="${labelW + barW + 10}" y="${y + 17}" class="num">${total === 0 ? 'no items' : `${done}/${total} · ${Math.round(share * 100)}%`}</text>`,
      `<circle cx="${width - 70}" cy="${y + 13}" r="6" fill="${COLOR[gate]}"/>`,
      `<text x="${width - 58}" y="${y + 17}" class="num">${gate === 'unchecked' ? 'gate ?' : gate === 'none' ? 'no criteria' : `gate ${gate}`}</text>`,
    );
  });
  return `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="progress by phase">${parts.join('')}</svg>`;
}

function day(ts: string, spanMs: number): string {
  return spanMs > 2 * 86_400_000 ? ts.slice(0, 10) : ts.slice(5, 16).replace('T', ' ');
}

/** Burn-up: scope and done over time (step lines), gates passing as a third line. */
export function burnupChart(points: ReadonlyArray<BurnupPoint>): string {
  const width = 760;
  const height = 260;
  const left = 44;
  const right = 16;
  const top = 14;
  const bottom = 34;
  if (points.length === 0) {
    return `<svg viewBox="0 0 ${width} 60" width="100%"><text x="0" y="30" class="lbl">no plan imported yet</text></svg>`;
  }
  const times = points.map((p) => Date.parse(p.at));
  const t0 = times[0]!;
  const t1 = times.at(-1)!;
  const span = t1 - t0;
  const x = (i: number): number =>
    left +
    (span > 0 ? (times[i]! - t0) / span : points.length === 1 ? 0.5 : i / (points.length - 1)) *
      (width - left - right);
  const max = Math.max(1, ...points.map((p) => p.scope));
  const y = (v: number): number => top + (1 - v / max) * (height - top - bottom);
  const step = (pick: (p: BurnupPoint) => number): string => {
    let d = '';
    points.forEach((p, i) => {
      const px = n(x(i));
      const py = n(y(pick(p)));
      d += i === 0 ? `M${px} ${py}` : `H${px}V${py}`;
    });
    return `${d}H${n(width - right)}`;
  };
  const doneLine = step((p) => p.done);
  const area = `${doneLine}V${n(y(0))}H${n(x(0))}Z`;
  const grid: string[] = [];
  for (const v of [0, Math.round(max / 2), max]) {
    grid.push(
      `<line x1="${left}" x2="${width - right}" y1="${n(y(v))}" y2="${n(y(v))}" stroke="#d0d7de" stroke-width="1"/>`,
      `<text x="${left - 6}" y="${n(y(v) + 4)}" text-anchor="end" class="num">${v}</text>`,
    );
  }
  const ticks = span > 0 ? [0, 1, 2, 3].map((k) => t0 + (span * k) / 3) : [t0];
  for (const t of ticks) {
    const px = span > 0 ? left + ((t - t0) / span) * (width - left - right) : x(0);
    grid.push(
      `<text x="${n(px)}" y="${height - 10}" text-anchor="${t === t0 && span > 0 ? 'start' : t === t1 && span > 0 ? 'end' : 'middle'}" class="num">${esc(day(new Date(t).toISOString(), span))}</text>`,
    );
  }
  const last = points.at(-1)!;
  return [
    `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="burn-up">`,
    ...grid,
    `<path d="${area}" fill="${COLOR.done}" fill-opacity="0.18"/>`,
    `<path d="${step((p) => p.scope)}" fill="none" stroke="${COLOR.scope}" stroke-width="2" stroke-dasharray="6 4"/>`,
    `<path d="${doneLine}" fill="none" stroke="${COLOR.done}" stroke-width="2.5"/>`,
    last.gatesPassing > 0 || points.some((p) => p.gatesPassing > 0)
      ? `<path d="${step((p) => p.gatesPassing)}" fill="none" stroke="${COLOR.gates}" stroke-width="2"/>`
      : '',
    `<text x="${width - right}" y="${n(y(last.scope) - 6)}" text-anchor="end" class="num" fill="${COLOR.scope}">scope ${last.scope}</text>`,
    `<text x="${width - right}" y="${n(Math.min(y(last.done) + 16, height - bottom - 4))}" text-anchor="end" class="num" fill="${COLOR.done}">done ${last.done}</text>`,
    '</svg>',
  ].join('');
}

/** A small line of a metric's values over time; the last dot in the verdict's colour. */
export function sparkline(values: ReadonlyArray<number>, status: string): string {
  const w = 120;
  const h = 28;
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const range = hi - lo || 1;
  const px = (i: number): number =>
    values.length === 1 ? w / 2 : 4 + (i / (values.length - 1)) * (w - 8);
  const py = (v: number): number => (hi === lo ? h / 2 : 4 + (1 - (v - lo) / range) * (h - 8));
  const d = values.map((v, i) => `${i === 0 ? 'M' : 'L'}${n(px(i))} ${n(py(v))}`).join('');
  const lx = px(values.length - 1);
  const ly = py(values.at(-1)!);
  return `<svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}"><path d="${d}" fill="none" stroke="#8c959f" stroke-width="1.5"/><circle cx="${n(lx)}" cy="${n(ly)}" r="3.5" fill="${COLOR[status] ?? '#8c959f'}"/></svg>`;
}

/** A donut of done / total with the percentage in the middle. */
export function donut(done: number, total: number, color: string): string {
  const r = 26;
  const c = 2 * Math.PI * r;
  const share = total === 0 ? 0 : done / total;
  return `<svg viewBox="0 0 64 64" width="64" height="64"><circle cx="32" cy="32" r="${r}" fill="none" stroke="#eaeef2" stroke-width="8"/><circle cx="32" cy="32" r="${r}" fill="none" stroke="${color}" stroke-width="8" stroke-dasharray="${n(c * share)} ${n(c)}" transform="rotate(-90 32 32)"/><text x="32" y="37" text-anchor="middle" class="donut">${total === 0 ? '—' : `${Math.round(share * 100)}%`}</text></svg>`;
}
