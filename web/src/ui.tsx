// Small shared pieces: data loading, progress bars, status pills, empty and error states.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, get } from './api';

/** State of one API GET. */
export interface Loaded<T> {
  readonly data: T | null;
  readonly error: ApiError | null;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** Loads `path` (null: nothing) and reloads when `refresh` changes. */
export function useApi<T>(path: string | null, refresh: unknown = 0): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let alive = true;
    setState((s) => ({ ...s, loading: true }));
    get<T>(path).then(
      (data) => alive && setState({ data, error: null, loading: false }),
      (error: unknown) =>
        alive &&
        setState((s) => ({
          data: s.data,
          error: error instanceof ApiError ? error : new ApiError(0, 'E_CLIENT', String(error)),
          loading: false,
        })),
    );
    return () => {
      alive = false;
    };
  }, [path, refresh, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** A labelled progress bar. */
export function Progress({
  done,
  total,
  label,
  caption,
}: {
  done: number;
  total: number;
  label?: string;
  caption?: string;
}) {
  const pct = total === 0 ? 0 : Math.round((done / total) * 100);
  return (
    <div className="progress" title={`${done} of ${total}`}>
      {caption === undefined ? null : <span className="cap">{caption}</span>}
      <div
        className="bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-label={label ?? 'progress'}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      <span className="num">
        {done}/{total}
      </span>
    </div>
  );
}

/** A status word as a coloured pill. */
export function Pill({ value }: { value: string }) {
  return (
    <span className={`pill s-${value.replace(/[^a-z_]/g, '')}`}>{value.replace(/_/g, ' ')}</span>
  );
}

/** An empty state that says what to do. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty" role="status">
      <strong>{title}</strong>
      {children === undefined ? null : <div>{children}</div>}
    </div>
  );
}

/** An API error, with its hint; 501 reads as "not available yet". */
export function ErrorBox({ error }: { error: ApiError | null }) {
  if (error === null) return null;
  if (error.status === 501) {
    return (
      <Empty title="Not available in this build yet">
        {error.message}. {error.hint ?? ''}
      </Empty>
    );
  }
  return (
    <div className="error" role="alert">
      <strong>{error.message}</strong>
      {error.hint === undefined ? null : <div className="hint">{error.hint}</div>}
    </div>
  );
}

/** Navigates without a page load. */
export function navigate(to: string): void {
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** An in-app link. */
export function Link({
  to,
  children,
  className,
}: {
  to: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <a
      href={to}
      className={className}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** A button that runs an async action, shows progress and reports failure. */
export function Action({
  label,
  run,
  kind = 'normal',
  confirm,
}: {
  label: string;
  run: () => Promise<unknown>;
  kind?: 'normal' | 'primary' | 'danger';
  confirm?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="action">
      <button
        type="button"
        className={kind}
        disabled={busy}
        onClick={() => {
          if (confirm !== undefined && !window.confirm(confirm)) return;
          setBusy(true);
          setError(null);
          run().then(
            () => setBusy(false),
            (e: unknown) => {
              setBusy(false);
              setError(e instanceof Error ? e.message : String(e));
            },
          );
        }}
      >
        {busy ? `${label}…` : label}
      </button>
      {error === null ? null : (
        <span className="action-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
