/**
 * Attaching candidate steps (shell fences, inline commands, `mcp` fences) to the task or phase
 * they stand in.
 */
import type { Builder } from './builder.js';
import { slugOrHash } from './drafts.js';
import { filesFromBlock } from './files.js';
import {
  isShellLanguage,
  looksLikeCommands,
  mcpStep,
  readMcpFence,
  scriptOf,
  shellStep,
} from './steps.js';
import type { Token } from './token.js';
import { treeTasks } from './work-items.js';

const TITLE_MAX = 80;

function firstCommand(input: string): string {
  for (let start = 0; start < input.length;) {
    const nl = input.indexOf('\n', start);
    const end = nl === -1 ? input.length : nl;
    const t = input.slice(start, end).trim();
    if (t !== '' && !t.startsWith('#')) return t;
    start = end + 1;
  }
  return input.trim();
}

function title(b: Builder, input: string): string {
  const t = b.lastText.trim() || input;
  return t.length > TITLE_MAX ? `${t.slice(0, TITLE_MAX - 1)}…` : t;
}

function addStep(
  b: Builder,
  input: string,
  language: string,
  line0: number,
  needle: string,
  endLine0?: number,
): void {
  const owner = b.owner(true);
  const id = b.ids.claim(`${b.scope(owner)}/step/${slugOrHash(firstCommand(input), 32)}`);
  const step = shellStep({
    id,
    title: title(b, firstCommand(input)),
    input,
    language,
    lane: b.frame.lane,
    pos: b.pos(line0, needle, endLine0),
  });
  (owner ? owner.steps : b.planSteps).push(step);
}

/** Steps from inline code spans listed under "Execution commands" and the like. */
export function addInlineSteps(b: Builder, codes: readonly string[], line0: number): void {
  for (const code of codes)
    if (code.trim() !== '' && !isPaletteName(code)) addStep(b, code, 'inline', line0, `\`${code}`);
}

/**
 * A span that names an editor or palette command, not a shell line: `AHK: Install Packages`,
 * `Show Package Usage` (capitalized words only, or a `Scope: Title` name).
 */
export function isPaletteName(code: string): boolean {
  const text = code.trim();
  return /^[A-Z][\w-]*:\s+[A-Z]/u.test(text) || /^[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)+$/u.test(text);
}

function terminated(b: Builder, token: Token): boolean {
  const [start, end] = token.map ?? [0, 0];
  if (end - 1 <= start) return false;
  const closing = b.line(end - 1).trim();
  const mark = token.markup;
  return closing.startsWith(mark) && /^[`~]+$/u.test(closing) && closing[0] === mark[0];
}

/** A fenced code block: a step when it is shell, files when under a "Files" label, else nothing. */
export function onFence(b: Builder, token: Token): void {
  const line0 = token.map?.[0] ?? 0;
  if (!terminated(b, token)) {
    b.diag(
      'compile/unterminated-fence',
      'warning',
      `The code block opened here is never closed, so everything after it was read as code; add a closing ${token.markup} line.`,
      b.pos(line0, token.markup),
    );
    return;
  }
  const info = token.info.trim();
  const language = info === '' ? '' : (info.split(/\s+/u)[0] ?? '').toLowerCase();
  const section = b.section;
  if (section?.kind === 'files') {
    const task = b.task(false);
    if (task) task.files.push(...filesFromBlock(token.content, section.action));
    return;
  }
  if (language === 'mcp') {
    addMcpStep(b, token, line0);
    return;
  }
  if (addTreeTasks(b, token.content, line0)) return;
  const shell = isShellLanguage(language) || (language === '' && looksLikeCommands(token.content));
  if (!shell) return;
  addStep(b, scriptOf(token.content), language || 'unlabeled', line0, token.markup, token.map?.[1]);
}

/**
 * A task tree drawn in a code block (`├── [ ] …`) inside a phase's work: one task per
 * first-level entry, its status from its `[ ]` / `[x]` marker. The block is no script.
 */
function addTreeTasks(b: Builder, content: string, line0: number): boolean {
  const phase = b.frame.phase;
  if (!phase || b.frame.nonWork) return false;
  const entries = treeTasks(content);
  if (entries.length === 0) return false;
  if (b.task(false)) return true;
  for (const e of entries) {
    const task = b.addTask(phase, { title: e.text, pos: b.pos(line0 + 1 + e.index) });
    task.status = e.checked ? 'done' : 'open';
    task.statusText = e.checked ? '[x]' : '[ ]';
  }
  return true;
}

/** An `mcp` fence: a step calling a tool of an external MCP server, or a warning saying why not. */
function addMcpStep(b: Builder, token: Token, line0: number): void {
  const fence = readMcpFence(token.content);
  if ('problem' in fence) {
    b.diag(
      'compile/invalid-mcp-step',
      'warning',
      `This mcp block is not a step: ${fence.problem}. Write {"server": "NAME", "tool": "TOOL", "arguments": {...}}.`,
      b.pos(line0, token.markup),
    );
    return;
  }
  const owner = b.owner(true);
  const call = `${fence.server} ${fence.tool}`;
  const id = b.ids.claim(`${b.scope(owner)}/step/${slugOrHash(`mcp ${call}`, 32)}`);
  const step = mcpStep({
    id,
    title: title(b, `mcp ${call}`),
    input: token.content,
    timeoutMs: fence.timeoutMs,
    lane: b.frame.lane,
    pos: b.pos(line0, token.markup, token.map?.[1]),
  });
  (owner ? owner.steps : b.planSteps).push(step);
}
