// A run's timeline: a Gantt of its steps (one row each, with its lane) and their spans, queued,
// blocked on dependencies, waiting for approval, running (per attempt), retry backoff and
// quarantine, at their real times. Open spans grow with the clock.
import { useEffect, useState } from 'react';
import type { RunTimeline, SpanKind, TimelineSpan } from '../types';
import { duration } from '../ui';

const WORDS: Readonly<Record<SpanKind, string>> = {
  blocked: 'waiting for dependencies',
  queued: 'queued',
  approval: 'waiting for approval',
  running: 'running',
  backoff: 'retry backoff',
  quarantine: 'quarantined',
};

function useNow(on: boolean): number {
  const [now, set] = useState(Date.now());
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => set(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}

function spanLabel(s: TimelineSpan, end: string | null): string {
  const what =
    s.kind === 'running'
      ? `attempt ${s.attempt ?? '?'} running${s.outcome === null ? '' : `, ${s.outcome.replace('_', ' ')}`}`
      : s.kind === 'backoff'
        ? `retry backoff before attempt ${s.attempt ?? '?'}`
        : WORDS[s.kind];
  const d = duration(s.from, end);
  return `${what}${d === null ? '' : `, ${d}`}${s.to === null ? ' so far' : ''}`;
}

/** The Gantt of a run. */
export function RunTimelineView({ timeline }: { timeline: RunTimeline }) {
  const open = timeline.to === null;
  const now = useNow(open);
  // The server's and the browser's clocks may differ: open spans end at the later of both.
  const end = open ? Math.max(now, Date.parse(timeline.now)) : Date.parse(timeline.to);
  const start = Date.parse(timeline.from);
  const total = Math.max(1, end - start);
  const pct = (t: number) => `${(((t - start) / total) * 100).toFixed(3)}%`;
  const width = (a: number, b: number) => `${Math.max(0.4, ((b - a) / total) * 100).toFixed(3)}%`;
  const endIso = new Date(end).toISOString();
  const kinds = new Set(timeline.steps.flatMap((s) => s.spans.map((x) => x.kind)));
  return (
    <section className="timeline" aria-labelledby="tl-h">
      <h2 id="tl-h">Timeline</h2>
      <p className="legend muted small" aria-label="legend">
        {(Object.keys(WORDS) as SpanKind[])
          .filter((k) => kinds.has(k))
          .map((k) => (
            <span key={k} className="legend-item">
              <span className={`sw k-${k}`} aria-hidden="true" /> {WORDS[k]}
            </span>
          ))}
        <span className="legend-item">
          total {duration(timeline.from, endIso)}
          {open ? ' so far' : ''}
        </span>
      </p>
      <ol className="gantt">
        {timeline.steps.map((s) => (
          <li key={s.id} className="g-row" aria-label={`on the timeline: #${s.ord} ${s.title}`}>
            <div className="g-label">
              <span className="g-title">
                #{s.ord} {s.title}
              </span>
              <span className="muted small">
                lane {s.lane} · {s.state.replace('_', ' ')}
                {s.after.length > 0 ? ` · after ${s.after.map((a) => a.title).join(', ')}` : ''}
              </span>
              {s.endedBy === null ? null : (
                <span className="muted small ended-by">
                  {s.endedBy.type} by {s.endedBy.actor}
                  {s.endedBy.reason === null ? '' : `: ${s.endedBy.reason}`}
                </span>
              )}
            </div>
            <div className="g-track">
              {s.spans.length === 0 ? <span className="muted small">not started</span> : null}
              {s.spans.map((x, i) => {
                const a = Date.parse(x.from);
                const b = x.to === null ? end : Date.parse(x.to);
                const label = spanLabel(x, x.to ?? endIso);
                return (
                  <span
                    key={i}
                    className={`g-bar k-${x.kind}${x.outcome === null ? '' : ` o-${x.outcome}`}${x.to === null ? ' open' : ''}`}
                    style={{ left: pct(a), width: width(a, b) }}
                    title={label}
                    role="img"
                    aria-label={label}
                  />
                );
              })}
            </div>
          </li>
        ))}
      </ol>
      <div className="g-axis muted small" aria-hidden="true">
        <span className="g-axis-pad" />
        <span className="g-axis-track">
          {[0, 0.25, 0.5, 0.75, 1].map((f) => (
            <span key={f} style={{ left: `${f * 100}%` }} className={f === 1 ? 'end' : ''}>
              {f === 0
                ? new Date(start).toLocaleTimeString([], { hour12: false })
                : `+${duration(timeline.from, new Date(start + total * f).toISOString()) ?? ''}`}
            </span>
          ))}
        </span>
      </div>
    </section>
  );
}
