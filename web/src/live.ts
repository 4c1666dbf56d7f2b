// Live events: one EventSource per page load; subscribers get every event in seq order.
import { useEffect, useState } from 'react';
import { streamUrl } from './api';

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
let status: 'connecting' | 'live' | 'offline' = 'connecting';
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
    const e = JSON.parse(m.data) as LiveEvent;
    for (const l of listeners) l(e);
  };
  source.onerror = () =>
    setStatus(source?.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
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

/** A counter that increases (debounced) when an event whose type starts with a prefix arrives. */
export function useRefreshOn(prefixes: ReadonlyArray<string>): number {
  const [n, setN] = useState(0);
  useLive(
    (e) => {
      if (prefixes.some((p) => e.type.startsWith(p))) setN((x) => x + 1);
    },
    [prefixes.join(',')],
  );
  return n;
}
