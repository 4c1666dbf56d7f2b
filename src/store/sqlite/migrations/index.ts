import { core } from './001-core.js';
import { plans } from './002-plans.js';
import { runtime } from './003-runtime.js';
import { server } from './004-server.js';
import { agents } from './005-agents.js';
import { eventMacs } from './006-event-macs.js';
import type { Migration } from './types.js';

export type { Migration } from './types.js';

/** Every migration, in version order. Append new ones; never edit a released one. */
export const migrations: ReadonlyArray<Migration> = [
  core,
  plans,
  runtime,
  server,
  agents,
  eventMacs,
];
