// A run's output: read once, then followed live through `step.output` events (SSE).
import { useEffect, useMemo, useRef, useState } from 'react';
import { get } from '../api';
import { useLive, useLiveStatus } from '../live';
import type { LogLine, RunStep } from '../types';
import { ErrorBox, useApi } from '../ui';

const MAX_LINES = 5000;

interface Line {
  readonly key: string;
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
  return lines.length > MAX_LINES ? lines.slice(-MAX_LINES) : lines;
}

/** The log viewer of a run. */
export function RunLog({ runId, steps }: { runId: string; steps: ReadonlyArray<RunStep> }) {
  const path = `/runs/${encodeURIComponent(runId)}/logs`;
  const initial = useApi<{ lines: LogLine[] }>(path);
  const [chunks, setChunks] = useState<LogLine[]>([]);
  const [follow, setFollow] = useState(true);
  const [only, setOnly] = useState('');
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

  const ord = useMemo(() => new Map(steps.map((s) => [s.id, s.ord])), [steps]);
  const lines = useMemo(
    () => toLines(only === '' ? chunks : chunks.filter((c) => c.stepId === only)),
    [chunks, only],
  );
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);
  const running = steps.some((s) => s.state === 'running' || s.state === 'leased');
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
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
      </div>
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
              : 'No output yet. Lines appear here live as the steps print them.'}
          </span>
        ) : null}
        {lines.map((l) => (
          <div key={l.key} className={`line ${l.stream}`}>
            <span className="dim" aria-hidden="true">
              {String(ord.get(l.stepId) ?? '?').padStart(2, ' ')}│{' '}
            </span>
            {l.text}
          </div>
        ))}
      </pre>
    </section>
  );
}
