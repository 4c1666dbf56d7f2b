/**
 * New events and new work of one workspace on PostgreSQL, for subscribers (`Store.subscribe`).
 * This store's commits are seen at once (with their events); other connections' and machines'
 * commits arrive by `NOTIFY` (the hint, on a dedicated `LISTEN` connection) and by a poll of the
 * log's head (the truth, in case a notification is lost or the listening connection drops).
 */
import { WORK_EVENTS, type StoredEvent } from '../events.js';
import type { StoreSubscriber, SubscribeOptions } from '../store.js';
import type { PgDb } from './database.js';
import { listenForEvents, type EventWakeups } from './notify.js';

interface Entry {
  readonly handlers: StoreSubscriber;
  readonly pollMs: number;
}

/** Fans one workspace's commits out to subscribers. */
export class PgNotifier {
  readonly #db: PgDb;
  readonly #url: string;
  readonly #subs = new Set<Entry>();
  #seen = -1;
  #timer: NodeJS.Timeout | null = null;
  #pollMs = 0;
  #listening: Promise<EventWakeups | null> | null = null;
  #unlisten: (() => void) | null = null;
  #checking = false;

  constructor(db: PgDb, url: string) {
    this.#db = db;
    this.#url = url;
  }

  /** Calls `handlers` on new events and new work until the returned function is called. */
  subscribe(handlers: StoreSubscriber, options: SubscribeOptions = {}): () => void {
    const entry: Entry = { handlers, pollMs: options.pollMs ?? 250 };
    if (this.#subs.size === 0) this.#start();
    this.#subs.add(entry);
    this.#retime();
    return () => {
      if (!this.#subs.delete(entry)) return;
      if (this.#subs.size === 0) void this.#stop();
      else this.#retime();
    };
  }

  /** Drops every subscriber (the store is closing); waits for the listening connection to end. */
  async close(): Promise<void> {
    this.#subs.clear();
    await this.#stop();
  }

  #start(): void {
    this.#unlisten = this.#db.onCommit((events) => this.#local(events));
    // Until the head is known, a poll learns it without announcing the past.
    this.#check();
    this.#listening = listenForEvents(this.#url, this.#db.workspace, (seq) => {
      if (seq > this.#seen) this.#check();
    }).catch(() => null); // without LISTEN, the poll still finds every commit
  }

  #retime(): void {
    const pollMs = Math.min(...[...this.#subs].map((s) => s.pollMs));
    if (this.#timer !== null && pollMs === this.#pollMs) return;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#pollMs = pollMs;
    this.#timer = setInterval(() => this.#check(), pollMs);
    this.#timer.unref();
  }

  async #stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#unlisten?.();
    this.#unlisten = null;
    const listening = this.#listening;
    this.#listening = null;
    const wakeups = await listening;
    await wakeups?.close();
  }

  /** This store committed `events`. */
  #local(events: ReadonlyArray<StoredEvent>): void {
    const first = events[0]!.seq;
    const last = events[events.length - 1]!.seq;
    // Events between the last seen and these were another connection's: they may be work.
    let work = this.#seen >= 0 && first > this.#seen + 1;
    if (last <= this.#seen) return;
    this.#seen = last;
    if (!work) for (const e of events) if (WORK_EVENTS.has(e.type)) work = true;
    this.#emit(last, work);
  }

  /** Reads the head; a commit nobody announced (another connection's) is announced now. */
  #check(): void {
    if (this.#checking) return;
    this.#checking = true;
    void this.#db
      .query<{ hi: string | null }>('SELECT max(seq) AS hi FROM events WHERE workspace = $1', [
        this.#db.workspace,
      ])
      .then(
        (res) => {
          const head = Number(res.rows[0]?.hi ?? 0);
          if (this.#seen < 0) this.#seen = head;
          else if (head > this.#seen && this.#subs.size > 0) {
            this.#seen = head;
            // Which types they were is not read here: any foreign commit may be work.
            this.#emit(head, true);
          }
        },
        () => undefined, // a failed poll is retried by the next one
      )
      .finally(() => {
        this.#checking = false;
      });
  }

  #emit(head: number, work: boolean): void {
    for (const { handlers } of [...this.#subs]) {
      handlers.onEvents?.(head);
      if (work) handlers.onWork?.();
    }
  }
}
