import type { Store } from '../../store/store.js';

/**
 * How many events were appended after the last signed checkpoint. Cheap (two indexed reads) and
 * free of the ledger's crypto, so that read-only commands can skip loading it.
 */
export async function unsignedEvents(store: Store): Promise<number> {
  const last = await store.ledger.lastCheckpoint();
  const head = await store.events.head();
  return head.seq - (last?.seq ?? 0);
}
