// A burn-up chart in inline SVG: done (area) against scope (line) over time.

/** One point of the chart. */
export interface BurnPoint {
  readonly t: number;
  readonly done: number;
  readonly scope: number;
}

/** Renders `points` (time-ordered); an accessible summary is given as the title. */
export function BurnUp({ points }: { points: ReadonlyArray<BurnPoint> }) {
  const W = 360;
  const H = 140;
  const P = 24;
  const last = points[points.length - 1];
  if (points.length === 0 || last === undefined) return null;
  const t0 = points[0]!.t;
  const t1 = Math.max(last.t, t0 + 1);
  const max = Math.max(1, ...points.map((p) => Math.max(p.scope, p.done)));
  const x = (t: number) => P + ((t - t0) / (t1 - t0)) * (W - 2 * P);
  const y = (v: number) => H - P - (v / max) * (H - 2 * P);
  const single = points.length === 1;
  const done = single
    ? `M${P},${y(last.done)} L${W - P},${y(last.done)}`
    : points
        .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.done).toFixed(1)}`)
        .join(' ');
  const area = `${done} L${single ? W - P : x(last.t).toFixed(1)},${H - P} L${P},${H - P} Z`;
  const scope = single
    ? `M${P},${y(last.scope)} L${W - P},${y(last.scope)}`
    : points
        .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.scope).toFixed(1)}`)
        .join(' ');
  const summary = `Burn-up: ${last.done} of ${last.scope} done`;
  return (
    <figure className="burnup">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <title>{summary}</title>
        <line x1={P} y1={H - P} x2={W - P} y2={H - P} className="axis" />
        <line x1={P} y1={P} x2={P} y2={H - P} className="axis" />
        <path d={area} className="done-area" />
        <path d={done} className="done-line" />
        <path d={scope} className="scope-line" />
        <text x={P} y={H - 6} className="tick">
          {new Date(t0).toLocaleDateString()}
        </text>
        <text x={W - P} y={H - 6} className="tick" textAnchor="end">
          now
        </text>
        <text x={P + 4} y={y(last.scope) - 4} className="tick">
          scope {last.scope}
        </text>
      </svg>
      <figcaption className="muted small">
        {summary}. Done moves with write-backs recorded by Pulser.
      </figcaption>
    </figure>
  );
}
