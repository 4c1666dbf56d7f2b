// Live events: one EventSource per page load; subscribers get every event in seq order.
import { useEffect, useRef, useState } from 'react';
import { streamUrl } from './api';
import { parseVisible } from './text';

/** An event of the workspace's log. */
export interface LiveEvent {
  readonly seq: number;
  readonly ts: string;
  readonly type: string;
  readonly actor: string;
  readonly subject: string | null;
  readonly data: unknown;
}

type Listener = (e: LiveEvent) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;
/** `connecting` before the first answer; `reconnecting`/`offline` while the server is unreachable. */
let status: 'connecting' | 'live' | 'reconnecting' | 'offline' = 'connecting';
const statusListeners = new Set<(s: typeof status) => void>();

function setStatus(s: typeof status): void {
  status = s;
  for (const l of statusListeners) l(s);
}

/** Opens the stream (the browser resumes from Last-Event-ID after a drop). */
export function connect(): void {
  if (source !== null) return;
  source = new EventSource(streamUrl());
  source.addEventListener('ready', () => setStatus('live'));
  source.onmessage = (m: MessageEvent<string>) => {
    const e = parseVisible(m.data, m.data.includes('"type":"step.output"')) as LiveEvent;
    for (const l of listeners) l(e);
  };
  // The browser retries on its own (readyState CONNECTING): the server is down until it answers.
  source.onerror = () =>
    setStatus(source?.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting');
}

/** Closes the stream. */
export function disconnect(): void {
  source?.close();
  source = null;
}

/** Calls `fn` for each live event while the component is mounted. */
export function useLive(fn: Listener, deps: ReadonlyArray<unknown>): void {
  useEffect(() => {
    listeners.add(fn);
    return () => {
      listeners.delete(fn);
    };
  }, deps);
}

/** The stream's connection state. */
export function useLiveStatus(): typeof status {
  const [s, set] = useState(status);
  useEffect(() => {
    statusListeners.add(set);
    return () => {
      statusListeners.delete(set);
    };
  }, []);
  return s;
}

/**
 * A counter that increases when an event whose type starts with one of `prefixes` arrives, at
 * most once per `everyMs` (a burst of events causes one reload, not one per event). Output
 * events (`step.output`) count only when a prefix names them exactly.
 */
export function useRefreshOn(prefixes: ReadonlyArray<string>, everyMs = 200): number {
  const [n, setN] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  useLive(
    (e) => {
      if (e.type === 'step.output' && !prefixes.includes('step.output')) return;
      if (!prefixes.some((p) => e.type.startsWith(p))) return;
      if (timer.current !== null) return;
      timer.current = setTimeout(() => {
        timer.current = null;
        setN((x) => x + 1);
      }, everyMs);
    },
    [prefixes.join(','), everyMs],
  );
  return n;
}
