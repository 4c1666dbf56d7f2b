import type { Migration } from './types.js';

/** Task claims by agents (leased). Placeholder: filled in by the MCP work. */
export const agents: Migration = {
  version: 5,
  name: 'agents',
  sql: `SELECT 1;`,
};
