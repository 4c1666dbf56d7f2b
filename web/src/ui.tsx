// Small shared pieces: data loading, progress bars, status pills, empty and error states.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
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
  current,
}: {
  to: string;
  children: ReactNode;
  className?: string;
  current?: boolean;
}) {
  return (
    <a
      href={to}
      className={className}
      aria-current={current === true ? 'page' : undefined}
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

/**
 * A button that runs an async action, shows progress and reports failure. With `confirm`, the
 * first press asks inline ("Trust 3 commands?  Yes / No") instead of acting; with `reason`
 * too, the confirmation asks for a reason (required) that `run` receives.
 */
export function Action({
  label,
  run,
  kind = 'normal',
  confirm,
  confirmLabel,
  reason,
  onDone,
}: {
  label: string;
  run: (reason: string) => Promise<unknown>;
  kind?: 'normal' | 'primary' | 'danger';
  confirm?: string;
  confirmLabel?: string;
  /** The label of the reason field (the action needs a reason). */
  reason?: string;
  onDone?: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  const [why, setWhy] = useState('');
  const [error, setError] = useState<ApiError | Error | null>(null);
  const yes = useRef<HTMLButtonElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) (reason === undefined ? yes.current : field.current)?.focus();
  }, [asking, reason]);
  const go = () => {
    setAsking(false);
    setBusy(true);
    setError(null);
    run(why.trim()).then(
      () => {
        setBusy(false);
        onDone?.();
      },
      (e: unknown) => {
        setBusy(false);
        setError(e instanceof Error ? e : new Error(String(e)));
      },
    );
  };
  return (
    <span className="action">
      {asking ? (
        <span className="confirm" role="group" aria-label={confirm}>
          <span>{confirm}</span>
          {reason === undefined ? null : (
            <input
              ref={field}
              className="reason"
              aria-label={reason}
              placeholder={reason}
              value={why}
              maxLength={2000}
              onChange={(e) => setWhy(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && why.trim() !== '') go();
              }}
            />
          )}
          <button
            ref={yes}
            type="button"
            className={kind}
            onClick={go}
            disabled={reason !== undefined && why.trim() === ''}
          >
            {confirmLabel ?? `Yes, ${label.toLowerCase()}`}
          </button>
          <button
            type="button"
            onClick={() => {
              setAsking(false);
              setTimeout(() => trigger.current?.focus(), 0);
            }}
          >
            No
          </button>
        </span>
      ) : (
        <button
          ref={trigger}
          type="button"
          className={kind}
          disabled={busy}
          aria-busy={busy}
          onClick={() => (confirm === undefined ? go() : setAsking(true))}
        >
          {busy ? `${label}…` : label}
        </button>
      )}
      {error === null ? null : (
        <span className="action-error" role="alert">
          {error.message}
          {error instanceof ApiError && error.hint !== undefined ? ` — ${error.hint}` : ''}
        </span>
      )}
    </span>
  );
}

/** "3 min ago", with the exact time as a tooltip. */
export function Ago({ iso }: { iso: string | null }) {
  if (iso === null) return <span className="muted">—</span>;
  const t = Date.parse(iso);
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  const text =
    s < 45
      ? 'just now'
      : s < 3600
        ? `${Math.round(s / 60)} min ago`
        : s < 86400
          ? `${Math.round(s / 3600)} h ago`
          : new Date(t).toLocaleDateString();
  return (
    <time dateTime={iso} title={new Date(t).toLocaleString()}>
      {text}
    </time>
  );
}

/** A duration between two times (or until now), as "1.2 s", "3 min 4 s". */
export function duration(from: string | null, to: string | null): string | null {
  if (from === null) return null;
  const ms = (to === null ? Date.now() : Date.parse(to)) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return null;
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60
    ? `${m} min ${Math.round((ms % 60_000) / 1000)} s`
    : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Re-renders every `ms` while `on` (a clock that advances between server updates). */
function useTick(on: boolean, ms = 1000): void {
  const [, set] = useState(0);
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => set((n) => n + 1), ms);
    return () => clearInterval(t);
  }, [on, ms]);
}

/** A duration from `from` to `to`, or until now, advancing every second while `to` is null. */
export function Clock({ from, to }: { from: string | null; to: string | null }) {
  useTick(from !== null && to === null);
  const text = duration(from, to);
  if (text === null) return <span className="muted">—</span>;
  return (
    <span className="clock" data-live={to === null ? 'true' : undefined}>
      {text}
    </span>
  );
}

/** A byte count as "12 KiB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
