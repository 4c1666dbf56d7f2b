/**
 * Helpers of the MCP tests: a temp project with a plan imported by the real CLI, and SDK
 * clients driving real `pulser mcp` processes over stdio.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { LAUNCH_PLAN } from '../workspace/test-helpers.js';

/** The `pulser` executable. */
export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/pulser.js');

/** A plan with two phases; task 1.2 holds the phase's exit criterion. */
export const PLAN_MD = LAUNCH_PLAN;

/** A temp project holding PLAN.md (`plan`, by default {@link PLAN_MD}), imported with the real CLI. */
export function mcpProject(plan: string = PLAN_MD): { root: string; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'pulser-mcp-'));
  writeFileSync(join(root, 'PLAN.md'), plan);
  const r = spawnSync(process.execPath, [BIN, 'import', 'PLAN.md', '-w', root], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`import failed: ${r.stderr}`);
  return { root, done: () => rmSync(root, { recursive: true, force: true }) };
}

/** An SDK client connected to its own `pulser mcp` process. */
export interface Agent {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  /** Calls a tool; returns the result (errors are results with `isError`). */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** Starts `pulser mcp -w root ...extra` and connects a client named `name` to it. */
export async function startAgent(
  root: string,
  name: string,
  extra: ReadonlyArray<string> = [],
): Promise<Agent> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '-w', root, ...extra],
    stderr: 'pipe',
    env: { PULSER_DEBUG: '' },
  });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    transport,
    call: async (tool, args = {}) =>
      (await client.callTool({ name: tool, arguments: args })) as CallToolResult,
    close: () => client.close(),
  };
}

/** The text of a tool result. */
export function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function until<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs the real `pulser` CLI in `root` (as a person at the command line); throws on failure. */
export function cli(root: string, args: ReadonlyArray<string>): string {
  const r = spawnSync(process.execPath, [BIN, ...args, '-w', root], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`pulser ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** The structured content of a successful tool result (throws on a tool error). */
export function data<T>(result: CallToolResult): T {
  if (result.isError === true) throw new Error(`tool error: ${text(result)}`);
  return result.structuredContent as T;
}
