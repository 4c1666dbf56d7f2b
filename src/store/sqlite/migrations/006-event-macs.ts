import type { Migration } from './types.js';

/**
 * A keyed MAC per event (HMAC-SHA-256 of its hash under the workspace's chain key): NULL for
 * events written before the workspace had a chain key.
 */
export const eventMacs: Migration = {
  version: 6,
  name: 'event-macs',
  sql: `
    ALTER TABLE events ADD COLUMN mac TEXT;
  `,
};
