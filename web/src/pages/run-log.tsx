// A run's output: read once, then followed live through `step.output` events (SSE). Colours
// rendered from SGR codes (styles computed here, never HTML from the output), timestamps,
// attempt separators, a filter by step, search, download, and a link to each line (#L12).
import { Fragment, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { get, workspacePath } from '../api';
import { useLive, useLiveStatus } from '../live';
import { ansiRuns, PLAIN_STYLE, type Styled } from '../text';
import type { AttemptMark, LogLine, RunStep } from '../types';
import { ErrorBox, useApi } from '../ui';

const MAX_LINES = 5000;

interface Line {
  readonly key: string;
  /** 1-based, over the whole run's output in order: what `#L<n>` links to. */
  n: number;
  readonly seq: number;
  readonly ts: string;
  readonly stepId: string;
  readonly stream: 'stdout' | 'stderr';
  text: string;
  open: boolean;
}

/** Output chunks (in seq order) as lines: a chunk that ends mid-line continues in the next one. */
function toLines(chunks: ReadonlyArray<LogLine>): Line[] {
  const lines: Line[] = [];
  const open = new Map<string, Line>();
  for (const c of chunks) {
    const k = `${c.stepId} ${c.stream}`;
    const parts = c.text.split('\n');
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      if (last && part === '') {
        open.delete(k);
        return;
      }
      const pending = i === 0 ? open.get(k) : undefined;
      if (pending !== undefined) {
        pending.text += part;
        pending.open = last;
        if (!last) open.delete(k);
        return;
      }
      const line: Line = {
        key: `${c.seq}:${i}`,
        n: lines.length + 1,
        seq: c.seq,
        ts: c.ts,
        stepId: c.stepId,
        stream: c.stream,
        text: part,
        open: last,
      };
      lines.push(line);
      if (last) open.set(k, line);
      else open.delete(k);
    });
  }
  return lines;
}

/** Each line's styled runs; a colour left on at a line's end goes on in its step's next line. */
function styleLines(lines: ReadonlyArray<Line>): Map<string, Styled[]> {
  const out = new Map<string, Styled[]>();
  const carry = new Map<string, typeof PLAIN_STYLE>();
  for (const l of lines) {
    const k = `${l.stepId} ${l.stream}`;
    const { runs, end } = ansiRuns(l.text, carry.get(k) ?? PLAIN_STYLE);
    carry.set(k, end);
    out.set(l.key, runs);
  }
  return out;
}

function plain(runs: ReadonlyArray<Styled>): string {
  return runs.map((r) => r.text).join('');
}

/** `text` with each case-insensitive occurrence of `q` marked. */
function highlight(text: string, q: string): ReactNode {
  if (q === '') return text;
  const lower = text.toLowerCase();
  const parts: ReactNode[] = [];
  let at = 0;
  for (let i = lower.indexOf(q); i !== -1; i = lower.indexOf(q, at)) {
    if (i > at) parts.push(text.slice(at, i));
    parts.push(<mark key={i}>{text.slice(i, i + q.length)}</mark>);
    at = i + q.length;
  }
  parts.push(text.slice(at));
  return parts;
}

function Runs({ runs, q }: { runs: ReadonlyArray<Styled>; q: string }) {
  return (
    <>
      {runs.map((r, i) => {
        const plainRun =
          r.fg === null && r.bg === null && !r.bold && !r.dim && !r.italic && !r.underline;
        if (plainRun) return <Fragment key={i}>{highlight(r.text, q)}</Fragment>;
        return (
          <span
            key={i}
            className="ansi"
            style={{
              color: r.fg ?? undefined,
              backgroundColor: r.bg ?? undefined,
              fontWeight: r.bold ? 700 : undefined,
              opacity: r.dim ? 0.7 : undefined,
              fontStyle: r.italic ? 'italic' : undefined,
              textDecoration: r.underline ? 'underline' : undefined,
            }}
          >
            {highlight(r.text, q)}
          </span>
        );
      })}
    </>
  );
}

function clockTime(iso: string): string {
  const d = new Date(iso);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** The line a `#L<n>` fragment names, or null. */
function targetLine(): number | null {
  const m = /^#L(\d+)$/u.exec(location.hash);
  return m === null ? null : Number(m[1]);
}

/** The log viewer of a run. */
export function RunLog({
  runId,
  steps,
  attempts,
}: {
  runId: string;
  steps: ReadonlyArray<RunStep>;
  attempts: ReadonlyArray<AttemptMark>;
}) {
  const path = `/runs/${encodeURIComponent(runId)}/logs`;
  const initial = useApi<{ lines: LogLine[] }>(path);
  const [chunks, setChunks] = useState<LogLine[]>([]);
  const [target, setTarget] = useState<number | null>(targetLine);
  const [follow, setFollow] = useState(target === null);
  const [only, setOnly] = useState('');
  const [search, setSearch] = useState('');
  const [times, setTimes] = useState(true);
  const box = useRef<HTMLPreElement>(null);
  const seen = useRef(new Set<number>());
  const live = useLiveStatus();

  const merge = (more: ReadonlyArray<LogLine>) => {
    const fresh = more.filter((l) => !seen.current.has(l.seq));
    if (fresh.length === 0) return;
    for (const l of fresh) seen.current.add(l.seq);
    setChunks((cs) => {
      const all = [...cs, ...fresh];
      return cs.length > 0 && fresh[0]!.seq < cs[cs.length - 1]!.seq
        ? all.sort((x, y) => x.seq - y.seq)
        : all;
    });
  };

  useEffect(() => {
    if (initial.data !== null) merge(initial.data.lines);
  }, [initial.data]);

  // Catch up on output written while the live stream was not connected: the first read was
  // made before the stream was live, or the stream dropped and reconnected since.
  const readWhileLive = useRef(live === 'live');
  const previous = useRef(live);
  useEffect(() => {
    const was = previous.current;
    previous.current = live;
    if (live !== 'live' || initial.data === null) return;
    if (was === 'live' && readWhileLive.current) return;
    readWhileLive.current = true;
    const last = Math.max(0, ...seen.current);
    get<{ lines: LogLine[] }>(`${path}?after=${last}`).then(
      (r) => merge(r.lines),
      () => undefined,
    );
  }, [live, initial.data !== null]);

  useLive(
    (e) => {
      if (e.type !== 'step.output') return;
      const d = e.data as Partial<LogLine> & { runId?: string };
      if (d.runId !== runId || typeof d.text !== 'string') return;
      merge([
        {
          seq: e.seq,
          ts: e.ts,
          stepId: d.stepId ?? e.subject ?? '',
          stream: d.stream === 'stderr' ? 'stderr' : 'stdout',
          text: d.text,
        },
      ]);
    },
    [runId],
  );

  useEffect(() => {
    const on = () => {
      const n = targetLine();
      setTarget(n);
      if (n !== null) setFollow(false);
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);

  const byId = useMemo(() => new Map(steps.map((s) => [s.id, s])), [steps]);
  const all = useMemo(() => toLines(chunks), [chunks]);
  const styled = useMemo(() => styleLines(all), [all]);
  const q = search.trim().toLowerCase();
  const lines = useMemo(() => {
    let ls = only === '' ? all : all.filter((l) => l.stepId === only);
    if (q !== '')
      ls = ls.filter((l) =>
        plain(styled.get(l.key) ?? [])
          .toLowerCase()
          .includes(q),
      );
    return ls.length > MAX_LINES ? ls.slice(-MAX_LINES) : ls;
  }, [all, styled, only, q]);
  // The attempt each line starts, where an attempt's first output line is.
  const separators = useMemo(() => {
    const marks = new Map<string, AttemptMark[]>();
    for (const a of [...attempts].sort((x, y) => x.seq - y.seq)) {
      marks.set(a.stepId, [...(marks.get(a.stepId) ?? []), a]);
    }
    const shown = new Map<string, AttemptMark>();
    const out = new Map<string, AttemptMark>();
    for (const l of all) {
      const latest = marks.get(l.stepId)?.findLast((a) => a.seq < l.seq);
      if (latest === undefined || shown.get(l.stepId) === latest) continue;
      shown.set(l.stepId, latest);
      out.set(l.key, latest);
    }
    return out;
  }, [all, attempts]);

  useEffect(() => {
    if (target !== null) {
      const el = document.getElementById(`L${target}`);
      if (el !== null) {
        el.scrollIntoView({ block: 'center' });
        return;
      }
    }
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow, target]);
  const running = steps.some((s) => s.state === 'running' || s.state === 'leased');
  const download = workspacePath(
    `/runs/${encodeURIComponent(runId)}/log.txt${only === '' ? '' : `?step=${encodeURIComponent(only)}`}`,
  );
  return (
    <section className="log" aria-labelledby="log-h">
      <div className="log-head">
        <h2 id="log-h">Output</h2>
        <span className={`live-dot ${running && live === 'live' ? 'on' : ''}`}>
          {running ? (live === 'live' ? 'following live' : `live updates ${live}`) : ''}
        </span>
        <label className="inline">
          <span className="sr-only">Show output of</span>
          <select value={only} onChange={(e) => setOnly(e.target.value)}>
            <option value="">All steps</option>
            {steps.map((s) => (
              <option key={s.id} value={s.id}>
                #{s.ord} {s.title}
              </option>
            ))}
          </select>
        </label>
        <label className="inline log-search">
          <span className="sr-only">Search the output</span>
          <input
            type="search"
            placeholder="Search output"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={times} onChange={(e) => setTimes(e.target.checked)} />
          Times
        </label>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        <a href={download} download>
          Download
        </a>
      </div>
      {q === '' ? null : (
        <p className="muted small" role="status">
          {lines.length} line{lines.length === 1 ? '' : 's'} match “{search.trim()}”
        </p>
      )}
      <ErrorBox error={initial.error} />
      <pre
        ref={box}
        className="log-box"
        tabIndex={0}
        aria-label="run output"
        aria-live="polite"
        data-testid="run-log"
      >
        {lines.length === 0 ? (
          <span className="dim">
            {initial.data === null
              ? 'Loading output…'
              : q !== ''
                ? 'No line matches the search.'
                : 'No output yet. Lines appear here live as the steps print them.'}
          </span>
        ) : null}
        {lines.map((l) => {
          const sep = separators.get(l.key);
          const step = byId.get(l.stepId);
          return (
            <Fragment key={l.key}>
              {sep === undefined ? null : (
                <div className="attempt-sep" role="separator">
                  ── #{step?.ord ?? '?'} {step?.title ?? l.stepId} · attempt {sep.attempt} · started{' '}
                  {clockTime(sep.ts)} ──
                </div>
              )}
              <div
                id={`L${l.n}`}
                className={`line ${l.stream}${target === l.n ? ' target' : ''}`}
                data-step={step?.ord}
              >
                <a className="ln" href={`#L${l.n}`} aria-label={`line ${l.n}`}>
                  {l.n}
                </a>
                {times ? (
                  <time className="dim ts" dateTime={l.ts}>
                    {clockTime(l.ts)}{' '}
                  </time>
                ) : null}
                <span className="dim" aria-hidden="true">
                  {String(step?.ord ?? '?').padStart(2, ' ')}│{' '}
                </span>
                <Runs runs={styled.get(l.key) ?? []} q={q} />
              </div>
            </Fragment>
          );
        })}
      </pre>
    </section>
  );
}
