/**
 * `LISTEN/NOTIFY` as a wake-up hint: a transaction that appends events notifies the
 * `pulser_events` channel on commit (`workspace seq`), so that a waiting worker or Runboard on
 * any machine looks now instead of at its next poll. It is only a hint: a notification can be
 * lost (a dropped connection, a listener that starts late), so readers keep polling, and what
 * they read is the truth.
 */
import pg from 'pg';
import { EVENTS_CHANNEL } from './database.js';

/** A running listener. */
export interface EventWakeups {
  /** Stops listening and closes its connection. */
  close(): Promise<void>;
}

/**
 * Calls `wake(seq)` when a transaction of `workspace` commits events (seq of its last event).
 * Uses one dedicated connection; when it fails, `onError` is told and wake-ups stop (polling,
 * the truth, goes on).
 */
export async function listenForEvents(
  url: string,
  workspace: string,
  wake: (seq: number) => void,
  onError: (error: Error) => void = () => undefined,
): Promise<EventWakeups> {
  const client = new pg.Client({ connectionString: url, application_name: 'pulser-listen' });
  client.on('error', onError);
  client.on('notification', (msg) => {
    if (msg.channel !== EVENTS_CHANNEL || msg.payload === undefined) return;
    const space = msg.payload.lastIndexOf(' ');
    if (msg.payload.slice(0, space) !== workspace) return;
    const seq = Number(msg.payload.slice(space + 1));
    if (Number.isSafeInteger(seq)) wake(seq);
  });
  await client.connect();
  await client.query(`LISTEN ${EVENTS_CHANNEL}`);
  return {
    close: async () => {
      try {
        await client.end();
      } catch {
        // Already closed.
      }
    },
  };
}
