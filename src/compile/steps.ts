/**
 * Candidate steps: shell fences, inline commands and `mcp` fences. A step found in a document is
 * untrusted: it always requires approval and is never assumed idempotent.
 */
import { commandDigest } from '../ir/digest.js';
import type { SourcePos, Step } from '../ir/index.js';
import { SHELL_LANGUAGES } from './patterns.js';

/** SHA-256 of a step's tool, interpreter (fence language) and input: what trust binds to. */
export function stepDigest(tool: Step['tool'], language: string, input: string): string {
  return commandDigest(tool, language, input);
}

const DIAGRAM_RE =
  /[\u2500-\u259f\u2190-\u21ff\u27f0-\u27ff\u2b00-\u2bff]|<-|<--|-->|==>|^\s*[|+][-=]/u;
const COMMAND_RE =
  /^(?:\$\s+)?(?:sudo\s+)?(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:\.{0,2}\/|~\/)?[a-z_][a-z0-9_.+-]*(?:\/[\w.+-]+)*(?=\s|$)/u;
const NOT_COMMAND_RE = /^[a-z_][\w.+-]*:(?:\s|$)|:\s*$/u;

/** Whether every non-blank line of an unlabeled fence looks like a command line (not a diagram, tree or prose). */
export function looksLikeCommands(content: string): boolean {
  let commands = 0;
  let continued = false;
  for (const raw of content.split('\n')) {
    const line = raw.trim();
    if (line === '') {
      continued = false;
      continue;
    }
    if (DIAGRAM_RE.test(raw)) return false;
    if (continued || line.startsWith('#')) {
      continued = line.endsWith('\\');
      continue;
    }
    if (!COMMAND_RE.test(line) || NOT_COMMAND_RE.test(line)) return false;
    commands++;
    continued = line.endsWith('\\');
  }
  return commands > 0;
}

/** Whether a fence language is a shell. */
export function isShellLanguage(language: string): boolean {
  return SHELL_LANGUAGES.has(language);
}

/** The script of a shell fence: transcripts (`$ cmd` lines) keep only their commands, prompts stripped. */
export function scriptOf(content: string): string {
  const lines = content.split('\n');
  if (!lines.some((l) => /^\s*\$\s/u.test(l))) return content;
  const commands = lines.filter((l) => /^\s*\$\s/u.test(l)).map((l) => l.replace(/^\s*\$\s/u, ''));
  return `${commands.join('\n')}\n`;
}

/** A step that runs `input` in a shell. */
export function shellStep(fields: {
  id: string;
  title: string;
  input: string;
  language: string;
  lane: string | undefined;
  pos: SourcePos;
}): Step {
  const base = {
    kind: 'step',
    id: fields.id,
    title: fields.title,
    tool: 'shell',
    input: fields.input,
    language: fields.language,
    digest: stepDigest('shell', fields.language, fields.input),
    approval: 'required',
    idempotent: false,
  } as const;
  // `lane`, when there is one, goes before `pos`, as in the IR's key order.
  return fields.lane === undefined
    ? { ...base, pos: fields.pos }
    : { ...base, lane: fields.lane, pos: fields.pos };
}

/** What an `mcp` fence holds: `{"server": "fs", "tool": "read_text_file", "arguments": {...}}`. */
export interface McpFence {
  readonly server: string;
  readonly tool: string;
  readonly timeoutMs?: number;
}

const MCP_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u;

/**
 * Reads an `mcp` fence: its server and tool, or what is wrong with it (the runtime checks the
 * arguments against the tool's schema when it calls the tool).
 */
export function readMcpFence(content: string): McpFence | { readonly problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    return { problem: `it is not JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: 'it is not a JSON object' };
  }
  const o = value as Record<string, unknown>;
  if (typeof o.server !== 'string' || !MCP_NAME_RE.test(o.server)) {
    return { problem: '"server" must name a server of mcpServers' };
  }
  if (typeof o.tool !== 'string' || o.tool === '') return { problem: '"tool" must be a tool name' };
  const args = o.arguments;
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    return { problem: '"arguments" must be a JSON object' };
  }
  const t = o.timeoutMs;
  if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t <= 0)) {
    return { problem: '"timeoutMs" must be a positive integer' };
  }
  return { server: o.server, tool: o.tool, ...(t === undefined ? {} : { timeoutMs: t }) };
}

/** A step that calls a tool of an external MCP server; `input` is the fence's JSON as written. */
export function mcpStep(fields: {
  id: string;
  title: string;
  input: string;
  timeoutMs: number | undefined;
  lane: string | undefined;
  pos: SourcePos;
}): Step {
  return {
    kind: 'step',
    id: fields.id,
    title: fields.title,
    tool: 'mcp',
    input: fields.input,
    language: 'mcp',
    digest: stepDigest('mcp', 'mcp', fields.input),
    ...(fields.timeoutMs !== undefined ? { timeoutMs: fields.timeoutMs } : {}),
    approval: 'required',
    idempotent: false,
    ...(fields.lane !== undefined ? { lane: fields.lane } : {}),
    pos: fields.pos,
  };
}
