/**
 * Live events of one workspace for any number of subscribers. Events are always delivered in
 * `seq` order from a per-subscriber cursor, so a subscriber that starts (or resumes) after
 * `seq = n` gets every later event exactly once. New events are noticed through the store's
 * subscription (`Store.subscribe`: this process's commits at once, other processes' within a
 * few milliseconds); the log itself is the truth.
 */
import { visible } from '../util/visible.js';
import type { StoredEvent } from '../store/events.js';
import type { Store } from '../store/store.js';

/** Options of an {@link EventHub}. */
export interface EventHubOptions {
  /**
   * How often the store looks for other processes' events while someone listens, besides its
   * wake-up hints. @default 20
   */
  readonly pollMs?: number;
  /** Events kept in memory for subscribers that are slightly behind. @default 4096 */
  readonly recent?: number;
}

/** Receives batches of events in `seq` order; resolves when they are written. */
export type EventSink = (events: ReadonlyArray<StoredEvent>) => Promise<void>;

interface Subscriber {
  cursor: number;
  busy: boolean;
  closed: boolean;
  readonly sink: EventSink;
}

const PAGE = 1000;

/** Fans one workspace's event log out to live subscribers (SSE streams). */
export class EventHub {
  readonly #store: Store;
  readonly #pollMs: number;
  readonly #keep: number;
  readonly #subs = new Set<Subscriber>();
  #recent: StoredEvent[] = [];
  #head = -1;
  #polling = false;
  #again = false;
  #unlisten: (() => void) | null = null;

  constructor(store: Store, options: EventHubOptions = {}) {
    this.#store = store;
    this.#pollMs = options.pollMs ?? 20;
    this.#keep = options.recent ?? 4096;
  }

  /** The highest `seq` in the log. */
  async head(): Promise<number> {
    if (this.#head < 0) this.#head = (await this.#store.events.head()).seq;
    return this.#head;
  }

  /** Delivers every event after `after` to `sink`, then live ones, until the returned stop is called. */
  async subscribe(after: number, sink: EventSink): Promise<() => void> {
    await this.head();
    const sub: Subscriber = { cursor: after, busy: false, closed: false, sink };
    this.#subs.add(sub);
    this.#start();
    this.#pump(sub);
    return () => {
      sub.closed = true;
      this.#subs.delete(sub);
      if (this.#subs.size === 0) this.#stop();
    };
  }

  /** Stops polling and drops every subscriber. */
  close(): void {
    for (const sub of this.#subs) sub.closed = true;
    this.#subs.clear();
    this.#stop();
  }

  /** Looks for new events now (called when the store says there are new ones). */
  poke(): void {
    void this.#poll();
  }

  #start(): void {
    if (this.#unlisten !== null) return;
    this.#unlisten = this.#store.subscribe(
      { onEvents: () => queueMicrotask(() => this.poke()) },
      { pollMs: this.#pollMs },
    );
  }

  #stop(): void {
    this.#unlisten?.();
    this.#unlisten = null;
  }

  async #poll(): Promise<void> {
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.#polling = true;
    try {
      do {
        this.#again = false;
        const before = await this.head();
        for (;;) {
          const events = await this.#store.events.read({ after: this.#head, limit: PAGE });
          if (events.length === 0) break;
          this.#remember(events);
          if (events.length < PAGE) break;
        }
        if (this.#head > before) for (const sub of this.#subs) this.#pump(sub);
      } while (this.#again);
    } catch (error) {
      process.stderr.write(
        `pulser serve: event poll failed: ${visible((error as Error).message)}\n`,
      );
    } finally {
      this.#polling = false;
    }
  }

  #remember(events: ReadonlyArray<StoredEvent>): void {
    this.#recent.push(...events);
    if (this.#recent.length > this.#keep) this.#recent = this.#recent.slice(-this.#keep);
    this.#head = events[events.length - 1]!.seq;
  }

  /** Events after `cursor`, from memory when it still holds them, else from the log. */
  async #next(cursor: number): Promise<ReadonlyArray<StoredEvent>> {
    const first = this.#recent[0];
    if (first !== undefined && first.seq <= cursor + 1) {
      const i = this.#recent.findIndex((e) => e.seq > cursor);
      return i < 0 ? [] : this.#recent.slice(i, i + PAGE);
    }
    return this.#store.events.read({ after: cursor, limit: PAGE });
  }

  #pump(sub: Subscriber): void {
    if (sub.busy || sub.closed) return;
    sub.busy = true;
    void (async () => {
      try {
        while (!sub.closed && sub.cursor < this.#head) {
          const events = await this.#next(sub.cursor);
          if (events.length === 0) break;
          await sub.sink(events);
          sub.cursor = events[events.length - 1]!.seq;
        }
      } catch {
        sub.closed = true;
        this.#subs.delete(sub);
      } finally {
        sub.busy = false;
      }
      if (!sub.closed && sub.cursor < this.#head) this.#pump(sub);
    })();
  }
}
