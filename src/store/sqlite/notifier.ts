/**
 * New events and new work of one SQLite file, for subscribers (`Store.subscribe`). This
 * connection's commits are seen at once (with their events); other connections' and processes'
 * commits are noticed by a watch on the database's folder (a write to `<file>-wal` is the hint)
 * and by a poll of the log's head (the truth, in case a hint is lost).
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { WORK_EVENTS, type StoredEvent } from '../events.js';
import type { StoreSubscriber, SubscribeOptions } from '../store.js';
import type { Statement } from 'better-sqlite3';
import type { SqliteDb } from './database.js';

interface Entry {
  readonly handlers: StoreSubscriber;
  readonly pollMs: number;
}

/** Fans commits of one SQLite file out to subscribers. */
export class SqliteNotifier {
  readonly #db: SqliteDb;
  readonly #subs = new Set<Entry>();
  #seen = -1;
  #timer: NodeJS.Timeout | null = null;
  #pollMs = 0;
  #watcher: FSWatcher | null = null;
  #unlisten: (() => void) | null = null;
  #checking = false;
  #workStmt: Statement | null = null;
  /** Follow-up checks left after a hint (see `#hint`), and their timer. */
  #followUps = 0;
  #followUp: NodeJS.Timeout | null = null;

  constructor(db: SqliteDb) {
    this.#db = db;
  }

  /** Calls `handlers` on new events and new work until the returned function is called. */
  subscribe(handlers: StoreSubscriber, options: SubscribeOptions = {}): () => void {
    const entry: Entry = { handlers, pollMs: options.pollMs ?? 50 };
    if (this.#subs.size === 0) this.#start();
    this.#subs.add(entry);
    this.#retime();
    return () => {
      if (!this.#subs.delete(entry)) return;
      if (this.#subs.size === 0) this.#stop();
      else this.#retime();
    };
  }

  #start(): void {
    if (this.#seen < 0) this.#seen = this.#db.headNow().seq;
    this.#unlisten = this.#db.onCommit((events) => this.#local(events));
    const file = basename(this.#db.path);
    const names = new Set([file, `${file}-wal`]);
    try {
      this.#watcher = watch(dirname(this.#db.path), { persistent: false }, (_kind, name) => {
        if (name === null || names.has(name)) this.#hint();
      });
      this.#watcher.on('error', () => {
        this.#watcher?.close();
        this.#watcher = null; // the poll still finds every commit
      });
    } catch {
      this.#watcher = null;
    }
  }

  /** Drops every subscriber (the store is closing). */
  close(): void {
    this.#subs.clear();
    this.#stop();
  }

  #retime(): void {
    const pollMs = Math.min(...[...this.#subs].map((s) => s.pollMs));
    if (this.#timer !== null && pollMs === this.#pollMs) return;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#pollMs = pollMs;
    this.#timer = setInterval(() => this.#check(), pollMs);
    this.#timer.unref();
  }

  #stop(): void {
    if (this.#followUp !== null) clearTimeout(this.#followUp);
    this.#followUp = null;
    this.#followUps = 0;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#watcher?.close();
    this.#watcher = null;
    this.#unlisten?.();
    this.#unlisten = null;
  }

  /** This connection committed `events`. */
  #local(events: ReadonlyArray<StoredEvent>): void {
    const first = events[0]!.seq;
    const last = events[events.length - 1]!.seq;
    // Events between the last seen and these were another connection's: they may be work.
    let work = first > this.#seen + 1;
    if (last <= this.#seen) return;
    this.#seen = last;
    if (!work) for (const e of events) if (WORK_EVENTS.has(e.type)) work = true;
    this.#emit(last, work);
  }

  /**
   * The write-ahead log changed. A writer appends its frames before it publishes the commit
   * (in shared memory, which no watch sees), so a check right away may be early: when it finds
   * nothing, it looks again after 1, 2, 4, 8 and 16 ms.
   */
  #hint(): void {
    this.#followUps = 5;
    this.#check();
  }

  #again(): void {
    if (this.#followUps <= 0 || this.#followUp !== null) return;
    const delay = 2 ** (5 - this.#followUps);
    this.#followUps--;
    this.#followUp = setTimeout(() => {
      this.#followUp = null;
      this.#check();
    }, delay);
    this.#followUp.unref();
  }

  /** Reads the head; a commit nobody announced (another connection's) is announced now. */
  #check(): void {
    if (this.#checking || !this.#db.db.open) return;
    this.#checking = true;
    setImmediate(() => {
      this.#checking = false;
      if (this.#subs.size === 0 || !this.#db.db.open) return;
      if (!this.#db.free) {
        this.#again();
        return;
      }
      let head: number;
      try {
        head = this.#db.headNow().seq;
      } catch {
        this.#again(); // busy: look again shortly (the poll also does)
        return;
      }
      if (head <= this.#seen) {
        this.#again();
        return;
      }
      this.#followUps = 0;
      const work = this.#workBetween(this.#seen, head);
      this.#seen = head;
      this.#emit(head, work);
    });
  }

  /** Whether events `after < seq <= upTo` (another connection's) may have made work. */
  #workBetween(after: number, upTo: number): boolean {
    if (![...this.#subs].some((s) => s.handlers.onWork !== undefined)) return false;
    const types = [...WORK_EVENTS];
    this.#workStmt ??= this.#db.db.prepare(
      `SELECT 1 FROM events WHERE seq > ? AND seq <= ? AND type IN (${types.map(() => '?').join(', ')}) LIMIT 1`,
    );
    try {
      return this.#workStmt.get(after, upTo, ...types) !== undefined;
    } catch {
      return true; // when in doubt, a claimer looks
    }
  }

  #emit(head: number, work: boolean): void {
    for (const { handlers } of this.#subs) {
      try {
        handlers.onEvents?.(head);
        if (work) handlers.onWork?.();
      } catch (error) {
        process.stderr.write(`pulser: a store subscriber failed: ${(error as Error).message}\n`);
      }
    }
  }
}
