// A plan's task dependency graph: tasks in layers (a task below everything it depends on),
// wrapped to the page's width, coloured by state (done, running, waiting for a person, failed,
// blocked, ready), each a link to the task's history. The same facts as a list for screen
// readers and narrow screens.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useRefreshOn } from '../live';
import type { GraphNode, GraphState, TaskGraph } from '../types';
import { ErrorBox, Link, Pill, navigate, useApi } from '../ui';

/** Tasks above which the graph starts folded (and is loaded only when opened). */
const FOLDED_ABOVE = 150;

const STATE_WORD: Readonly<Record<GraphState, string>> = {
  done: 'done',
  running: 'running',
  waiting: 'waiting for a person',
  failed: 'failed',
  blocked: 'blocked',
  ready: 'ready',
  deferred: 'deferred',
};

const ORDER: ReadonlyArray<GraphState> = [
  'running',
  'waiting',
  'failed',
  'ready',
  'blocked',
  'done',
  'deferred',
];

/** The link to a task's history page. */
export function taskHistoryPath(planId: string, taskId: string): string {
  return `/plans/${encodeURIComponent(planId)}/tasks/${taskId.split('/').map(encodeURIComponent).join('/')}`;
}

/** Each task's layer: 0 without dependencies, else one below its deepest dependency. */
function layers(nodes: ReadonlyArray<GraphNode>): GraphNode[][] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const visit = (n: GraphNode, path: Set<string>): number => {
    const known = depth.get(n.id);
    if (known !== undefined) return known;
    if (path.has(n.id)) return 0; // a cycle: the compiler reports it; draw it flat
    path.add(n.id);
    let d = 0;
    for (const dep of n.dependsOn) {
      const m = byId.get(dep.id);
      if (m !== undefined) d = Math.max(d, visit(m, path) + 1);
    }
    path.delete(n.id);
    depth.set(n.id, d);
    return d;
  };
  const out: GraphNode[][] = [];
  for (const n of nodes) {
    const d = visit(n, new Set());
    (out[d] ??= []).push(n);
  }
  return out.filter((l) => l !== undefined);
}

function useWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [w, setW] = useState(800);
  useEffect(() => {
    const el = ref.current;
    if (el === null) return;
    setW(el.clientWidth);
    const ro = new ResizeObserver(() => setW(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}

const NODE_H = 46;
const GAP_X = 14;
const GAP_Y = 34;
/** Room on the left for edges that pass rows of other tasks. */
const GUTTER = 14;

function fit(text: string, width: number): string {
  const max = Math.max(4, Math.floor(width / 7.2));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function Graph({ graph }: { graph: TaskGraph }) {
  const [ref, width] = useWidth();
  const layout = useMemo(() => {
    const w = Math.max(260, width);
    const nodeW = Math.min(230, w - GUTTER - 8);
    const cols = Math.max(1, Math.floor((w - GUTTER + GAP_X) / (nodeW + GAP_X)));
    const pos = new Map<string, { x: number; y: number }>();
    let y = 4;
    for (const layer of layers(graph.nodes)) {
      layer.forEach((n, i) => {
        const row = Math.floor(i / cols);
        const col = i % cols;
        pos.set(n.id, { x: GUTTER + col * (nodeW + GAP_X), y: y + row * (NODE_H + GAP_Y) });
      });
      y += Math.ceil(layer.length / cols) * (NODE_H + GAP_Y);
    }
    return { pos, nodeW, height: y - GAP_Y + 8, width: w };
  }, [graph, width]);
  const { pos, nodeW } = layout;
  return (
    <div ref={ref} className="graph-wrap">
      <svg
        className="task-graph"
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="group"
        aria-label={`dependency graph of ${graph.nodes.length} tasks`}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" className="arrow" />
          </marker>
        </defs>
        {graph.nodes.flatMap((n) =>
          n.dependsOn.map((d) => {
            const a = pos.get(d.id);
            const b = pos.get(n.id);
            if (a === undefined || b === undefined) return null;
            const x1 = a.x + nodeW / 2;
            const y1 = a.y + NODE_H;
            const x2 = b.x + nodeW / 2;
            const y2 = b.y;
            const mid = (y1 + y2) / 2;
            // Across rows of other tasks, the edge goes round by the left gutter, never through
            // a task it does not connect.
            const d2 =
              y2 - y1 <= GAP_Y
                ? `M ${x1} ${y1} C ${x1} ${mid}, ${x2} ${mid}, ${x2} ${y2 - 2}`
                : `M ${a.x} ${a.y + NODE_H / 2} H 5 V ${b.y + NODE_H / 2} H ${b.x - 2}`;
            return (
              <path key={`${d.id}->${n.id}`} className="edge" d={d2} markerEnd="url(#arrow)" />
            );
          }),
        )}
        {graph.nodes.map((n) => {
          const p = pos.get(n.id)!;
          const to = taskHistoryPath(graph.planId, n.id);
          const label = `${n.title}: ${STATE_WORD[n.state]}${n.why === null ? '' : ` (${n.why})`}`;
          return (
            <a
              key={n.id}
              href={to}
              aria-label={label}
              className={`g-node gs-${n.state}`}
              onClick={(e) => {
                if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                e.preventDefault();
                navigate(to);
              }}
            >
              <title>{label}</title>
              <rect x={p.x} y={p.y} width={nodeW} height={NODE_H} rx="6" />
              <text x={p.x + 9} y={p.y + 19} className="g-node-title">
                {fit(n.title, nodeW - 18)}
              </text>
              <text x={p.x + 9} y={p.y + 36} className="g-node-state">
                {STATE_WORD[n.state]}
              </text>
            </a>
          );
        })}
      </svg>
    </div>
  );
}

function Loaded({ planId }: { planId: string }) {
  const refresh = useRefreshOn(['plan.', 'run.', 'step.', 'task.']);
  const got = useApi<TaskGraph>(`/plans/${encodeURIComponent(planId)}/graph`, refresh);
  const g = got.data;
  if (g === null)
    return got.error === null ? <p className="muted">Loading…</p> : <ErrorBox error={got.error} />;
  const counts = new Map<GraphState, number>();
  for (const n of g.nodes) counts.set(n.state, (counts.get(n.state) ?? 0) + 1);
  return (
    <>
      <p className="legend muted small" aria-label="tasks by state">
        {ORDER.filter((s) => counts.has(s)).map((s) => (
          <span key={s} className="legend-item">
            <span className={`sw gsw-${s}`} aria-hidden="true" /> {STATE_WORD[s]} {counts.get(s)}
          </span>
        ))}
      </p>
      <Graph graph={g} />
      <details className="graph-list">
        <summary>The same as a list</summary>
        <ul aria-label="tasks and their dependencies">
          {g.nodes.map((n) => (
            <li key={n.id}>
              <Link to={taskHistoryPath(g.planId, n.id)}>{n.title}</Link> <Pill value={n.state} />
              {n.dependsOn.length > 0 ? (
                <span className="muted small">
                  {' '}
                  after {n.dependsOn.map((d) => d.title).join(', ')}
                </span>
              ) : null}
              {n.why === null ? null : <span className="muted small"> — {n.why}</span>}
            </li>
          ))}
        </ul>
      </details>
    </>
  );
}

/** The dependency graph of a plan's `tasks` tasks, folded (and not loaded) when large. */
export function TaskGraphView({ planId, tasks }: { planId: string; tasks: number }) {
  const [open, setOpen] = useState(tasks <= FOLDED_ABOVE);
  return (
    <details
      className="graph"
      open={open}
      onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}
    >
      <summary>
        <h2 id="graph-h">Task dependencies</h2>
      </summary>
      {open ? <Loaded planId={planId} /> : null}
    </details>
  );
}
