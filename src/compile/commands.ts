/**
 * How many commands a shell step holds: one per command line a reader is told to run. A line
 * continued with `\` and a heredoc count once; blank lines, comments, and lines that are not
 * shell (task IDs and dispatch lines, arrows, file trees, `KEY=value` configuration) do not.
 */
import type { Step } from '../ir/index.js';

const HEREDOC_RE = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/u;
const NOT_SHELL_RE = /^(?:T\d{2,4}\b|Task\s*:|[-*]\s|\d+[.)]\s|[├└│┌┐┘┬┴┼─]|.*(?:→|⟶|=>)\s*T\d)/u;
const ASSIGNMENT_RE = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*=\S*$/u;

/** Command lines of a shell script (see the module comment). */
export function commandLines(script: string): number {
  const lines = script.split('\n');
  let count = 0;
  let continued = false;
  let heredoc: string | undefined;
  let assignments = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (heredoc !== undefined) {
      if (line === heredoc) heredoc = undefined;
      continue;
    }
    if (continued) {
      continued = line.endsWith('\\');
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const body = line.replace(/^\$\s+/u, '');
    if (NOT_SHELL_RE.test(body)) continue;
    continued = body.endsWith('\\');
    const doc = HEREDOC_RE.exec(body);
    if (doc) heredoc = doc[2];
    if (ASSIGNMENT_RE.test(body)) assignments++;
    count++;
  }
  // A block of nothing but `KEY=value` lines is configuration, not commands.
  return assignments === count ? 0 : count;
}

/** Commands of a step: its shell lines, or one for a call to an MCP tool or an HTTP request. */
export function commandsOfStep(step: Step): number {
  if (step.tool !== 'shell') return 1;
  return step.language === 'inline' ? 1 : commandLines(step.input);
}
