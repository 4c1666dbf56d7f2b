/**
 * Helpers of the server tests: temp workspaces (tenants) with a plan file, tokens of each role,
 * and an in-process app.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../store/auth-store.js';
import { createToken } from '../workspace/access/auth.js';
import { openWorkspace, type Workspace } from '../workspace/open.js';
import { createApp } from './app.js';
import type { Tenant } from './context.js';
import { openTenant } from './serve.js';

/** A small plan with phases, tasks, checklist, a gate criterion and a metric. */
export const PLAN_MD = `# Launch Plan

## Phase 1: Foundation (In Progress)

### Task 1.1: Set up CI @ANA (2 hours)

- [x] Add the workflow
- [ ] Cache dependencies

\`\`\`bash
echo hello from pulser
\`\`\`

### Task 1.2: Write docs @BEN (1 day)

- [ ] Quick start

**Exit criteria:**

- [ ] CI is green on main

## Phase 2: Release

### Task 2.1: Tag v1 @ANA

| Metric | Target |
| --- | --- |
| p99 latency | < 50 ms |
`;

/** A temp project with a workspace and PLAN.md. */
export interface TestWorkspace {
  readonly root: string;
  readonly ws: Workspace;
  readonly tenant: Tenant;
  /** An API token of each role. */
  readonly tokens: Readonly<Record<Role, string>>;
  done(): Promise<void>;
}

/** Creates a project folder named `name` holding PLAN.md and a workspace with one token per role. */
export async function testWorkspace(name: string): Promise<TestWorkspace> {
  const parent = mkdtempSync(join(tmpdir(), 'pulser-srv-'));
  const root = join(parent, name);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(root);
  writeFileSync(join(root, 'PLAN.md'), PLAN_MD);
  writeFileSync(join(parent, 'SECRET.md'), '# Not yours\n\n- [ ] secret task\n');
  const ws = await openWorkspace({ root, create: true, env: {} });
  const tokens = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'approver', 'admin'] as const) {
    tokens[role] = (await createToken(ws, { role, user: `${role}-user`, actor: 'test' })).secret;
  }
  const tenant = await openTenant(ws, { pollMs: 10 });
  return {
    root,
    ws,
    tenant,
    tokens,
    done: async () => {
      tenant.hub.close();
      await ws.close();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}

/** An in-process app over `tenants`, answering to Host `pulser.test`. */
export function testApp(tenants: ReadonlyArray<Tenant>) {
  return createApp({ tenants, allowedHosts: ['pulser.test'], webDir: null });
}

/** Request init with a bearer token and a JSON body. */
export function withToken(token: string | null, method = 'GET', body?: unknown): RequestInit {
  const headers: Record<string, string> = { host: 'pulser.test' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  };
}
