/**
 * What every route sees: the workspaces this server serves (the tenants), their event hubs,
 * and, once authenticated, the caller.
 */
import type { Principal } from '../workspace/access/auth.js';
import type { Workspace } from '../workspace/open.js';
import type { EventHub } from './event-hub.js';

/** One served workspace: its tenant ID, the workspace and its live event hub. */
export interface Tenant {
  readonly id: string;
  readonly ws: Workspace;
  readonly hub: EventHub;
}

/** Hono variables set by the auth middleware. */
export interface AppVariables {
  tenant: Tenant;
  principal: Principal;
}

/** Hono environment of the Pulser app. */
export interface AppEnv {
  Variables: AppVariables;
}
