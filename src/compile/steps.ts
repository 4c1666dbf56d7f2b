/**
 * Candidate steps: shell fences and inline commands. A step found in a document is untrusted:
 * it always requires approval and is never assumed idempotent.
 */
import type { SourcePos, Step } from '../ir/index.js';
import { sha256Hex } from '../util/hash.js';
import { SHELL_LANGUAGES } from './patterns.js';

/** SHA-256 of a step's tool and input (`tool + "\n" + input`): what trust binds to. */
export function stepDigest(tool: Step['tool'], input: string): string {
  return sha256Hex(`${tool}\n${input}`);
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
    digest: stepDigest('shell', fields.input),
    approval: 'required',
    idempotent: false,
  } as const;
  // `lane`, when there is one, goes before `pos`, as in the IR's key order.
  return fields.lane === undefined
    ? { ...base, pos: fields.pos }
    : { ...base, lane: fields.lane, pos: fields.pos };
}
