/**
 * Persistence of sessions, runs, step executions, leases and trust (the durable runtime).
 * Placeholder: extended by the runtime work.
 */
export interface RunStore {
  readonly _placeholder?: never;
}
