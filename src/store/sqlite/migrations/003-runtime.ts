import type { Migration } from './types.js';

/** Sessions, runs, step executions, leases, trust. Placeholder: filled in by the runtime work. */
export const runtime: Migration = {
  version: 3,
  name: 'runtime',
  sql: `SELECT 1;`,
};
