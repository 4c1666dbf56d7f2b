// The Runboard shell: sign-in, navigation, routes, live connection state.
import { useEffect, useRef, useState } from 'react';
import { ApiError, fetchSession, login, logout, setSession, type Session } from './api';
import { connect, disconnect, useLiveStatus, useRefreshOn } from './live';
import { AuditPage, NotFound, TaskHistoryPage } from './pages/history';
import { InboxPage } from './pages/inbox';
import { Shortcuts } from './shortcuts';
import { PlanPage, PlansPage } from './pages/plans';
import { RunPage } from './pages/run-detail';
import { RunsPage } from './pages/runs';
import type { Inbox } from './types';
import { Link, navigate, useApi, type Loaded } from './ui';

function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return path;
}

function Login({ onSession, error }: { onSession: (s: Session) => void; error: string | null }) {
  const [token, setToken] = useState('');
  const [msg, setMsg] = useState<string | null>(error);
  return (
    <main className="login">
      <h1>Pulser Runboard</h1>
      <p>
        Open the link <code>pulser serve</code> printed, or paste a token (
        <code>pulser token create --role viewer</code>).
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          login(token.trim()).then(onSession, (err: unknown) =>
            setMsg(
              err instanceof ApiError
                ? `${err.message}${err.hint ? ` — ${err.hint}` : ''}`
                : String(err),
            ),
          );
        }}
      >
        <label htmlFor="token">Token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <button type="submit" className="primary" disabled={token.trim() === ''}>
          Sign in
        </button>
      </form>
      {msg === null ? null : (
        <p className="error" role="alert">
          {msg}
        </p>
      )}
    </main>
  );
}

function Page({ path, inbox }: { path: string; inbox: Loaded<Inbox> }) {
  const task = /^\/plans\/([^/]+)\/tasks\/(.+)$/.exec(path);
  if (task !== null) {
    const taskId = task[2]!.split('/').map(decodeURIComponent).join('/');
    return <TaskHistoryPage key={path} planId={decodeURIComponent(task[1]!)} taskId={taskId} />;
  }
  const m = /^\/(plans|runs)\/([^/]+)$/.exec(path);
  if (m?.[1] === 'plans') return <PlanPage key={m[2]} id={decodeURIComponent(m[2]!)} />;
  if (m?.[1] === 'runs') return <RunPage key={m[2]} id={decodeURIComponent(m[2]!)} />;
  if (path === '/runs') return <RunsPage />;
  if (path === '/inbox')
    return <InboxPage inbox={inbox.data} error={inbox.error} reload={inbox.reload} />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/' || path === '/plans') return <PlansPage />;
  return <NotFound what="page" />;
}

/** Events that can add to or take from the inbox. */
const INBOX_EVENTS = [
  'step.awaiting_approval',
  'step.approved',
  'step.rejected',
  'step.quarantined',
  'step.queued',
  'step.skipped',
  'step.cancelled',
  'step.failed',
  'trust.',
  'plan.',
  'gate.',
  'criterion.',
  'approval.requested',
];

/** The live connection in words: a server that does not answer reads as such, in red. */
const LIVE_WORD = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'disconnected, reconnecting…',
  offline: 'disconnected',
} as const;

function inboxCount(d: Inbox | null): number {
  return d === null
    ? 0
    : d.approvals.length + d.quarantined.length + d.untrusted.length + d.failingGates.length;
}

function Shell({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const path = usePath();
  const live = useLiveStatus();
  useEffect(() => {
    connect();
    return disconnect;
  }, []);
  const first = useRef(true);
  useEffect(() => {
    // Move focus to the new page so keyboard and screen-reader users land on it.
    if (first.current) first.current = false;
    else document.getElementById('main')?.focus();
  }, [path]);
  const section = path.split('/')[1] || 'plans';
  const inboxRefresh = useRefreshOn(INBOX_EVENTS);
  const inbox = useApi<Inbox>('/inbox', inboxRefresh);
  const waiting = inboxCount(inbox.data);
  // The tab says how many things wait for a person, and when the server is unreachable.
  useEffect(() => {
    const count = waiting > 0 ? `(${waiting}) ` : '';
    const down = live === 'reconnecting' || live === 'offline' ? 'disconnected · ' : '';
    document.title = `${count}${down}Pulser Runboard`;
  }, [waiting, live]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Pulser</span>
        <nav aria-label="main">
          {(['plans', 'runs', 'inbox', 'audit'] as const).map((s) => (
            <Link
              key={s}
              to={`/${s}`}
              className={section === s ? 'active' : ''}
              current={section === s}
            >
              {s[0]!.toUpperCase() + s.slice(1)}
              {s === 'inbox' && waiting > 0 ? (
                <span className="badge" aria-label={`${waiting} waiting`}>
                  {waiting}
                </span>
              ) : null}
            </Link>
          ))}
        </nav>
        <span className={`live ${live}`} title={`live updates: ${LIVE_WORD[live]}`} role="status">
          ● {LIVE_WORD[live]}
        </span>
        <span className="who">
          {session.user} <span className="muted">({session.role})</span>
        </span>
        <button type="button" className="linklike" onClick={onLogout}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} inbox={inbox} />
      </main>
      <Shortcuts />
    </>
  );
}

/** The app. */
export function App() {
  const [session, set] = useState<Session | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const accept = (s: Session) => {
    setSession(s);
    set(s);
  };
  useEffect(() => {
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    if (token !== null) {
      history.replaceState(null, '', location.pathname === '/' ? '/plans' : location.pathname);
      login(token).then(accept, (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
        fetchSession().then(
          (s) => (s === null ? set(null) : accept(s)),
          () => set(null),
        );
      });
      return;
    }
    fetchSession().then(
      (s) => (s === null ? set(null) : accept(s)),
      (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
        set(null);
      },
    );
  }, []);
  if (session === undefined) return <p className="boot">Loading the Runboard…</p>;
  if (session === null) return <Login onSession={accept} error={error} />;
  return (
    <Shell
      session={session}
      onLogout={() => {
        void logout().finally(() => {
          setSession(null);
          set(null);
          navigate('/');
        });
      }}
    />
  );
}
