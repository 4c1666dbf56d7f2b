/**
 * Harness of the trust-boundary tests: a temp project driven by real `pulser` processes, a real
 * `pulser serve` with role tokens, and a real `pulser mcp` process with an SDK client. Nothing
 * here is faked: every action goes through the same entry point a person or an agent uses.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The `pulser` executable. */
export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/pulser.js');

/** What a `pulser` process printed and how it ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temp project folder with a workspace. */
export interface Project {
  readonly dir: string;
  /** Runs `pulser ARGS` in the project and waits for it. */
  pulser(...args: string[]): CliResult;
  write(file: string, text: string): void;
  read(file: string): string;
  exists(file: string): boolean;
  done(): void;
}

/** A temp project holding `files`; each `.md` file in `imports` is imported with the real CLI. */
export function project(files: Record<string, string>, imports: ReadonlyArray<string>): Project {
  const dir = mkdtempSync(join(tmpdir(), 'pulser-boundary-'));
  const p: Project = {
    dir,
    pulser: (...args) => {
      const r = spawnSync(process.execPath, [BIN, ...args], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PULSER_WORKSPACE: dir, PULSER_DEBUG: '' },
        timeout: 60_000,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    write: (file, text) => writeFileSync(join(dir, file), text),
    read: (file) => readFileSync(join(dir, file), 'utf8'),
    exists: (file) => existsSync(join(dir, file)),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
  for (const [file, text] of Object.entries(files)) p.write(file, text);
  for (const file of imports) {
    const r = p.pulser('import', file);
    if (r.code !== 0) throw new Error(`import ${file} failed: ${r.stderr}`);
  }
  return p;
}

/** The steps of a run as `pulser runs RUN --json` shows them. */
export interface StepView {
  readonly id: string;
  readonly state: string;
  readonly authority: string;
  readonly approvalReason: string | null;
}

/** A run's steps, read with the real CLI. */
export function runSteps(p: Project, runId: string): StepView[] {
  const r = p.pulser('runs', runId, '--json');
  if (r.code !== 0) throw new Error(`pulser runs ${runId}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { run: { steps: StepView[] } }).run.steps;
}

/** The run ID in a CLI output. */
export function runIdIn(text: string): string {
  const m = /(run-[0-9a-f]{8})/u.exec(text);
  if (m === null) throw new Error(`no run ID in: ${text}`);
  return m[1]!;
}

/** A real `pulser serve` on 127.0.0.1 with an operator and an approver token. */
export interface Server {
  readonly url: string;
  readonly tokens: { readonly operator: string; readonly approver: string };
  /** Calls `/api/w/<workspace><path>` with `token`; returns status and JSON body. */
  api(
    token: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/** Starts `pulser serve --port 0` (with its embedded worker unless `worker` is false). */
export async function server(p: Project, worker = true): Promise<Server> {
  const token = (role: string): string => {
    const r = p.pulser('token', 'create', '--role', role, '--name', `${role}-person`);
    if (r.code !== 0) throw new Error(`token create: ${r.stderr}`);
    return r.stdout.trim();
  };
  const tokens = { operator: token('operator'), approver: token('approver') };
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', ...(worker ? [] : ['--no-worker'])],
    { cwd: p.dir, env: { ...process.env, PULSER_DEBUG: '' } },
  );
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/u.exec(out);
      if (m !== null && out.includes('Ctrl+C')) ok(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`pulser serve exited with ${code}`)));
  });
  const headers = (t: string): Record<string, string> => ({
    authorization: `Bearer ${t}`,
    'content-type': 'application/json',
  });
  const session = (await (
    await fetch(`${url}/api/session`, { headers: headers(tokens.operator) })
  ).json()) as { workspace: string };
  return {
    url,
    tokens,
    api: async (t, method, path, body) => {
      const res = await fetch(`${url}/api/w/${session.workspace}${path}`, {
        method,
        headers: headers(t),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    stop: async () => {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** An SDK client talking to its own `pulser mcp` process (an agent). */
export interface Agent {
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** Starts `pulser mcp` in the project and connects an agent named `name`. */
export async function agent(p: Project, name: string): Promise<Agent> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '-w', p.dir],
    stderr: 'pipe',
    env: { PULSER_DEBUG: '' },
  });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return {
    call: async (tool, args = {}) =>
      (await client.callTool({ name: tool, arguments: args })) as CallToolResult,
    close: () => client.close(),
  };
}

/** The text of an MCP tool result. */
export function toolText(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}
