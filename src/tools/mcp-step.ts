/**
 * The input of an `mcp` step: the JSON of an `mcp` fence (or of an ad-hoc step),
 * `{"server": "fs", "tool": "read_text_file", "arguments": {...}, "timeoutMs": 30000}`, and
 * the text a tool's answer is recorded as.
 */
import { InputError } from '../errors/index.js';
import type { McpToolResult } from './mcp-client.js';

/** What an `mcp` step calls. */
export interface McpStepInput {
  /** A server name under `mcpServers` in `.pulser/config.json`. */
  readonly server: string;
  readonly tool: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  /** Deadline of the call. @default the server's `timeoutMs`, else 60000 */
  readonly timeoutMs?: number;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u;
const HINT = 'an mcp step is {"server": "NAME", "tool": "TOOL", "arguments": {...}}';

function bad(message: string): InputError {
  return new InputError(`invalid mcp step: ${message}`, { hint: HINT });
}

/**
 * Parses an `mcp` step's input; throws an InputError saying what is wrong.
 * @example parseMcpStepInput('{"server": "fs", "tool": "list_directory", "arguments": {"path": "."}}')
 */
export function parseMcpStepInput(input: string): McpStepInput {
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch (error) {
    throw bad(`not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad('not a JSON object');
  }
  const o = value as Record<string, unknown>;
  if (typeof o.server !== 'string' || !NAME_RE.test(o.server)) {
    throw bad('"server" must name a server of mcpServers');
  }
  if (typeof o.tool !== 'string' || o.tool === '') throw bad('"tool" must be a tool name');
  const args = o.arguments ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw bad('"arguments" must be a JSON object');
  }
  const t = o.timeoutMs;
  if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t <= 0)) {
    throw bad('"timeoutMs" must be a positive integer');
  }
  return {
    server: o.server,
    tool: o.tool,
    arguments: args as Record<string, unknown>,
    ...(t === undefined ? {} : { timeoutMs: t }),
  };
}

function item(c: Readonly<Record<string, unknown>>): string {
  if (c.type === 'text' && typeof c.text === 'string') return c.text;
  if (c.type === 'resource' && typeof c.resource === 'object' && c.resource !== null) {
    const r = c.resource as Record<string, unknown>;
    if (typeof r.text === 'string') return r.text;
    const mime = typeof r.mimeType === 'string' ? r.mimeType : 'binary';
    return `[resource ${String(r.uri)} (${mime})]`;
  }
  if ((c.type === 'image' || c.type === 'audio') && typeof c.data === 'string') {
    return `[${c.type} ${String(c.mimeType)}, ${Math.floor((c.data.length * 3) / 4)} bytes]`;
  }
  if (c.type === 'resource_link') return `[resource link ${String(c.uri)}]`;
  return JSON.stringify(c);
}

/**
 * The text an answer is recorded as (the step's stdout): its text content as written, other
 * content described in one line each; the structured content as JSON when there is no text.
 */
export function mcpResultText(result: McpToolResult): string {
  const parts = result.content.map(item);
  if (parts.length === 0 && result.structuredContent !== null) {
    parts.push(JSON.stringify(result.structuredContent));
  }
  return parts.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
}
