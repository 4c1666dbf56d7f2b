// Plans: every imported plan with progress; one plan's phases, tasks, gates, metrics, burn-up.
import { useState } from 'react';
import { can, post } from '../api';
import { BurnUp, type BurnPoint } from '../burn-up';
import { useRefreshOn, type LiveEvent } from '../live';
import type { PlanGates } from '../types';
import { TaskGraphView, taskHistoryPath } from './task-graph';
import { Action, Empty, ErrorBox, Link, Pill, Progress, navigate, useApi } from '../ui';
import { GatePanel, MetricsTable } from './gates';
import { NotFound } from './history';

interface Boxes {
  readonly checked: number;
  readonly total: number;
}
interface TaskCounts {
  readonly total: number;
  readonly done: number;
}
interface PlanEntry {
  readonly id: string;
  readonly title: string;
  readonly path: string;
  readonly version: number;
  readonly importedAt: string;
  readonly phases: ReadonlyArray<{
    id: string;
    title: string;
    status: string;
    checkboxes: Boxes;
    tasks: TaskCounts;
  }>;
  readonly totals: { checkboxes: Boxes; tasks: TaskCounts };
}
interface Item {
  readonly id: string;
  readonly text: string;
  readonly checked: boolean;
  readonly children: ReadonlyArray<Item>;
}
interface Criterion {
  readonly id: string;
  readonly text: string;
  readonly section: string;
  readonly checked?: boolean;
}
interface Task {
  readonly id: string;
  readonly title: string;
  readonly label?: string;
  readonly status: string;
  readonly owners: ReadonlyArray<string>;
  readonly estimate?: { text: string };
  readonly priority?: string;
  readonly lane?: string;
  readonly checklist: ReadonlyArray<Item>;
  readonly steps: ReadonlyArray<{ id: string }>;
}
interface Phase {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly goal?: string;
  readonly owners: ReadonlyArray<string>;
  readonly tasks: ReadonlyArray<Task>;
  readonly criteria: ReadonlyArray<Criterion>;
  readonly metrics: ReadonlyArray<string>;
  readonly gate: { criteria: ReadonlyArray<string>; metrics: ReadonlyArray<string> };
}
interface Metric {
  readonly id: string;
  readonly name: string;
  readonly target: string;
  readonly baseline?: string;
  readonly passRule?: string;
}
interface StoredPlan {
  readonly id: string;
  readonly path: string;
  readonly sha256: string;
  readonly version: number;
  readonly plan: {
    title: string;
    phases: ReadonlyArray<Phase>;
    tasks: ReadonlyArray<Task>;
    metrics: ReadonlyArray<Metric>;
  };
  readonly status: PlanEntry;
}

function ImportForm({ onDone }: { onDone: () => void }) {
  const files = useApi<{ files: string[] }>('/files');
  const [path, setPath] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  if (!can('plan.import')) return null;
  return (
    <form
      className="import"
      onSubmit={(e) => {
        e.preventDefault();
      }}
    >
      <label htmlFor="import-path">Import a plan</label>
      <input
        id="import-path"
        list="plan-files"
        placeholder="docs/NEXT_STEPS.md"
        value={path}
        onChange={(e) => setPath(e.target.value)}
      />
      <datalist id="plan-files">
        {(files.data?.files ?? []).map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      <Action
        label="Import"
        kind="primary"
        run={async () => {
          const r = await post<{ plan: PlanEntry; changed: boolean }>('/plans/import', {
            path: path.trim(),
          });
          setMsg(
            r.changed
              ? `Imported ${r.plan.title} (version ${r.plan.version})`
              : 'No changes since the last import',
          );
          onDone();
        }}
      />
      {msg === null ? null : (
        <span className="ok" role="status">
          {msg}
        </span>
      )}
    </form>
  );
}

/** The empty workspace: the markdown files of the project folder, each one click from import. */
function FirstImport({ onDone }: { onDone: () => void }) {
  const files = useApi<{ files: string[] }>('/files');
  const found = (files.data?.files ?? []).slice(0, 8);
  return (
    <Empty title="No plans yet: import your first one">
      {!can('plan.import') ? (
        <p>
          Ask an operator to import a plan, or run <code>pulser import PLAN.md</code> in the project
          folder.
        </p>
      ) : found.length === 0 ? (
        <p>
          This folder holds no markdown file yet. Write a plan (or run <code>pulser init</code> for
          a starter <code>PLAN.md</code>), then import it above.
        </p>
      ) : (
        <>
          <p>Markdown files in this project folder (nothing runs until a person trusts a plan):</p>
          <ul className="first-import">
            {found.map((f) => (
              <li key={f}>
                <code>{f}</code>{' '}
                <Action
                  label={`Import ${f}`}
                  kind="primary"
                  run={async () => {
                    await post('/plans/import', { path: f });
                    onDone();
                  }}
                />
              </li>
            ))}
          </ul>
        </>
      )}
    </Empty>
  );
}

/** The list of plans. */
export function PlansPage() {
  const refresh = useRefreshOn(['plan.']);
  const plans = useApi<{ plans: PlanEntry[] }>('/plans', refresh);
  return (
    <section aria-labelledby="plans-h">
      <h1 id="plans-h">Plans</h1>
      <ImportForm onDone={plans.reload} />
      <ErrorBox error={plans.error} />
      {plans.data !== null && plans.data.plans.length === 0 ? (
        <FirstImport onDone={plans.reload} />
      ) : null}
      <ul className="cards">
        {(plans.data?.plans ?? []).map((p) => (
          <li key={p.id} className="card">
            <Link to={`/plans/${encodeURIComponent(p.id)}`} className="card-title">
              {p.title}
            </Link>
            <div className="muted">
              {p.path} · version {p.version} · {plural(p.phases.length, 'phase')}
            </div>
            <Progress
              done={p.totals.tasks.done}
              total={p.totals.tasks.total}
              label="tasks done"
              caption="Tasks done"
            />
            <Progress
              done={p.totals.checkboxes.checked}
              total={p.totals.checkboxes.total}
              label="checkboxes"
              caption="Checklist items"
            />
          </li>
        ))}
      </ul>
    </section>
  );
}

function flatItems(items: ReadonlyArray<Item>): Item[] {
  return items.flatMap((i) => [i, ...flatItems(i.children)]);
}

const TASK_STATUSES = ['open', 'in_progress', 'done', 'blocked', 'deferred'] as const;

/** The API path of a write-back on a node (`/nodes/plan:phase-1/task-2/status`). */
function nodeWrite(planId: string, nodeId: string, action: string): string {
  return `/nodes/${encodeURIComponent(planId)}:${nodeId.split('/').map(encodeURIComponent).join('/')}/${action}`;
}

/** A task's status: a pill, or for people who may write the plan, a choice written back. */
function TaskStatus({ task, planId }: { task: Task; planId: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!can('plan.write')) return <Pill value={task.status} />;
  return (
    <>
      <select
        className={`status-select s-${task.status}`}
        aria-label={`status of ${task.title}`}
        value={task.status}
        disabled={busy}
        onChange={(e) => {
          setBusy(true);
          setError(null);
          post(nodeWrite(planId, task.id, 'status'), { status: e.target.value }).then(
            () => setBusy(false),
            (err: unknown) => {
              setBusy(false);
              setError(err instanceof Error ? err.message : String(err));
            },
          );
        }}
      >
        {TASK_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s.replace('_', ' ')}
          </option>
        ))}
      </select>
      {error === null ? null : (
        <div className="action-error" role="alert">
          {error}
        </div>
      )}
    </>
  );
}

/** A task's checklist: ticks written back to the markdown (for people who may write it). */
function Checklist({ task, planId }: { task: Task; planId: string }) {
  const items = flatItems(task.checklist);
  const [error, setError] = useState<string | null>(null);
  // A tick shows at once; the plan's reload (live) confirms it, a refusal undoes it.
  const [ticked, setTicked] = useState<Readonly<Record<string, boolean>>>({});
  const isChecked = (i: Item) => ticked[i.id] ?? i.checked;
  const done = items.filter(isChecked).length;
  if (items.length === 0) return <span className="muted">—</span>;
  return (
    <details className="checklist">
      <summary>
        <Progress done={done} total={items.length} label={`checklist of ${task.title}`} />
      </summary>
      <ul>
        {items.map((i) => (
          <li key={i.id}>
            <label>
              <input
                type="checkbox"
                checked={isChecked(i)}
                disabled={!can('plan.write')}
                onChange={(e) => {
                  const checked = e.target.checked;
                  setError(null);
                  setTicked((x) => ({ ...x, [i.id]: checked }));
                  post(nodeWrite(planId, i.id, 'check'), { checked }).catch((err: unknown) => {
                    setTicked((x) => {
                      const rest = { ...x };
                      delete rest[i.id];
                      return rest;
                    });
                    setError(err instanceof Error ? err.message : String(err));
                  });
                }}
              />{' '}
              {i.text}
            </label>
          </li>
        ))}
      </ul>
      {error === null ? null : (
        <div className="action-error" role="alert">
          {error}
        </div>
      )}
    </details>
  );
}

function TaskRow({ task, planId }: { task: Task; planId: string }) {
  return (
    <tr>
      <td>
        <span className="task-title">{task.title}</span>
        <div className="muted small">
          {task.label ?? task.id}
          {task.lane === undefined ? '' : ` · lane ${task.lane}`}
          {task.steps.length === 0
            ? ''
            : ` · ${task.steps.length} step${task.steps.length === 1 ? '' : 's'}`}
          {' · '}
          <Link to={taskHistoryPath(planId, task.id)}>History</Link>
          {task.steps.length > 0 && can('run.start') ? (
            <>
              {' · '}
              <Link to={`/runs?start=${encodeURIComponent(`${planId}:${task.id}`)}`}>Run…</Link>
            </>
          ) : null}
        </div>
      </td>
      <td>
        <TaskStatus task={task} planId={planId} />
      </td>
      <td className="hide-narrow">
        {task.owners.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          task.owners.map((o) => (o.startsWith('@') ? o : `@${o}`)).join(' ')
        )}
      </td>
      <td className="hide-narrow">{task.estimate?.text ?? <span className="muted">—</span>}</td>
      <td>
        <Checklist task={task} planId={planId} />
      </td>
    </tr>
  );
}

interface Completion {
  readonly planId: string;
  readonly taskId: string;
  readonly title: string;
  readonly runId: string;
  readonly steps: ReadonlyArray<string>;
  readonly criteria: ReadonlyArray<string>;
}

/** Tasks whose steps succeeded and whose criteria pass, offered to be marked done in one click. */
function Completions({ planId }: { planId: string }) {
  const refresh = useRefreshOn(['plan.', 'run.', 'verdict.', 'gate.', 'task.']);
  const got = useApi<{ policy: string; completions: Completion[] }>(
    `/completions?plan=${encodeURIComponent(planId)}`,
    refresh,
  );
  const list = got.data?.completions ?? [];
  if (list.length === 0 || got.data?.policy === 'off') return null;
  return (
    <section className="callout done-ready" aria-labelledby="ready-h">
      <h2 id="ready-h">Ready to mark done ({plural(list.length, 'task')})</h2>
      <p className="muted small">
        Their steps succeeded and their criteria pass. Marking one done writes it into the plan
        file, with the run as evidence.
      </p>
      <ul>
        {list.map((c) => (
          <li key={c.taskId} aria-label={`ready: ${c.title}`}>
            <strong>{c.title}</strong>{' '}
            <span className="muted small">
              {c.steps.length === 1 ? 'its step' : `its ${c.steps.length} steps`} succeeded in{' '}
              <Link to={`/runs/${encodeURIComponent(c.runId)}`}>{c.runId}</Link>
              {c.criteria.length === 0
                ? ''
                : ` · ${c.criteria.length} ${c.criteria.length === 1 ? 'criterion passes' : 'criteria pass'}`}
            </span>{' '}
            {can('plan.write') ? (
              <Action
                label="Mark done"
                kind="primary"
                run={() => post(nodeWrite(c.planId, c.taskId, 'complete'))}
                onDone={got.reload}
              />
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** "1 task", "3 tasks". */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function TaskTable({
  tasks,
  planId,
  label,
}: {
  tasks: ReadonlyArray<Task>;
  planId: string;
  label: string;
}) {
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Status</th>
            <th scope="col" className="hide-narrow">
              Owners
            </th>
            <th scope="col" className="hide-narrow">
              Estimate
            </th>
            <th scope="col">Checklist</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <TaskRow key={t.id} task={t} planId={planId} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Reconstructs done-over-time from write-back events, backwards from today's count. */
function burnUp(events: ReadonlyArray<LiveEvent>, doneNow: number, scope: number): BurnPoint[] {
  const points: BurnPoint[] = [{ t: Date.now(), done: doneNow, scope }];
  let done = doneNow;
  for (const e of [...events].reverse()) {
    const d = e.data as { action?: string; statusAfter?: string; statusBefore?: string };
    const t = Date.parse(e.ts);
    if (e.type === 'plan.written') {
      const delta =
        d.action === 'check-item'
          ? 1
          : d.action === 'uncheck-item'
            ? -1
            : d.statusAfter === 'done'
              ? 1
              : d.statusBefore === 'done'
                ? -1
                : 0;
      points.push({ t, done, scope });
      done -= delta;
      points.push({ t: t - 1, done: Math.max(0, done), scope });
    } else if (e.type === 'plan.imported') {
      points.push({ t, done: Math.max(0, done), scope });
    }
  }
  return points.reverse();
}

/** One plan in detail. */
export function PlanPage({ id }: { id: string }) {
  const refresh = useRefreshOn(['plan.', 'metric.', 'gate.', 'verdict.', 'criterion.']);
  const plan = useApi<StoredPlan>(`/plans/${encodeURIComponent(id)}`, refresh);
  const history = useApi<{ events: LiveEvent[] }>(
    `/events?types=plan.imported,plan.written&subject=${encodeURIComponent(id)}&limit=1000`,
    refresh,
  );
  const gates = useApi<{ plans: PlanGates[] }>(`/gates?plan=${encodeURIComponent(id)}`, refresh);
  const pg = gates.data?.plans[0] ?? null;
  const reloadGates = gates.reload;
  const gateOf = (phaseId: string) => pg?.gates.find((g) => g.phaseId === phaseId);
  if (plan.error !== null && plan.data === null) return <NotFound what="plan" error={plan.error} />;
  if (plan.data === null) return <p className="muted">Loading plan…</p>;
  const { plan: ir, status, id: planId } = plan.data;
  const scope = status.totals.tasks.total + status.totals.checkboxes.total;
  const doneNow = status.totals.tasks.done + status.totals.checkboxes.checked;
  return (
    <section aria-labelledby="plan-h">
      <p>
        <Link to="/plans">← Plans</Link>
      </p>
      <h1 id="plan-h">{ir.title}</h1>
      <div className="muted">
        {plan.data.path} · version {plan.data.version} · sha256 {plan.data.sha256.slice(0, 12)}
      </div>
      <div className="grid2">
        <div>
          <h2>Progress</h2>
          <Progress
            done={status.totals.tasks.done}
            total={status.totals.tasks.total}
            label="tasks done"
            caption="Tasks done"
          />
          <Progress
            done={status.totals.checkboxes.checked}
            total={status.totals.checkboxes.total}
            label="checkboxes"
            caption="Checklist items"
          />
        </div>
        <div>
          <h2>Burn-up</h2>
          <BurnUp points={burnUp(history.data?.events ?? [], doneNow, scope)} />
        </div>
      </div>
      {ir.metrics.length === 0 ? null : (
        <>
          <h2>Metrics</h2>
          <ErrorBox error={gates.error} />
          {pg === null ? (
            <p className="muted">Loading metrics…</p>
          ) : (
            <MetricsTable planId={planId} metrics={pg.metrics} onChange={reloadGates} />
          )}
        </>
      )}
      <Completions planId={planId} />
      {ir.tasks.length + ir.phases.reduce((n, ph) => n + ph.tasks.length, 0) === 0 ? null : (
        <TaskGraphView
          planId={planId}
          tasks={ir.tasks.length + ir.phases.reduce((n, ph) => n + ph.tasks.length, 0)}
        />
      )}
      {ir.tasks.length === 0 ? null : (
        <section aria-labelledby="loose-h">
          <h2 id="loose-h">
            {ir.phases.length === 0 ? 'Tasks' : 'Tasks outside any phase'}{' '}
            <span className="muted small">({plural(ir.tasks.length, 'task')})</span>
          </h2>
          <TaskTable
            tasks={ir.tasks}
            planId={planId}
            label={ir.phases.length === 0 ? 'tasks' : 'tasks outside any phase'}
          />
        </section>
      )}
      {ir.phases.length === 0 ? null : <h2>Phases</h2>}
      {ir.phases.length === 0 && ir.tasks.length === 0 ? (
        <Empty title="This plan has no phases and no tasks" />
      ) : null}
      {ir.phases.map((ph) => {
        const st = status.phases.find((p) => p.id === ph.id);
        return (
          <details key={ph.id} className="phase" open={ph.status !== 'done'}>
            <summary>
              <span className="phase-title">{ph.title}</span> <Pill value={ph.status} />
              {st === undefined ? null : (
                <Progress done={st.tasks.done} total={st.tasks.total} label={`${ph.title} tasks`} />
              )}
            </summary>
            {ph.goal === undefined ? null : <p>{ph.goal}</p>}
            {ph.tasks.length === 0 ? (
              <p className="muted">No tasks in this phase.</p>
            ) : (
              <TaskTable tasks={ph.tasks} planId={planId} label={`tasks of ${ph.title}`} />
            )}
            {gateOf(ph.id) === undefined ? null : (
              <GatePanel
                gate={gateOf(ph.id)!}
                criteria={pg?.criteria ?? []}
                metrics={pg?.metrics ?? []}
                onChange={reloadGates}
              />
            )}
          </details>
        );
      })}
      <p>
        <button type="button" className="linklike" onClick={() => navigate('/runs')}>
          See runs →
        </button>
      </p>
    </section>
  );
}
