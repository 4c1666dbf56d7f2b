/**
 * How many commands a shell step holds: one per command line a reader is told to run. A line
 * continued with `\` and a heredoc count once; blank lines, comments, and lines that are not
 * shell (task IDs and dispatch lines, arrows, file trees, `KEY=value` configuration) do not.
 */
import type { Step } from '../ir/index.js';

const HEREDOC_RE = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/u;
const NOT_SHELL_RE =
  /^(?:T\d{2,4}\b|Task\s*:|Task\s+[\w-]+\s+["“]|[-*]\s|\d+[.)]\s|[├└│┌┐┘┬┴┼─]|.*(?:→|⟶|=>)\s*T\d)/u;
const ASSIGNMENT_RE = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*=\S*$/u;

/** Command lines of a shell script (see the module comment). */
export function commandLines(script: string): number {
  const lines = script.split('\n');
  let count = 0;
  let continued = false;
  let quote: string | undefined;
  let heredoc: string | undefined;
  let assignments = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (heredoc !== undefined) {
      if (line === heredoc) heredoc = undefined;
      continue;
    }
    if (quote !== undefined || continued) {
      // Inside a quoted argument that spans lines (`-d '{` … `}'`) or a `\` continuation.
      quote = openQuoteAfter(line, quote);
      continued = quote === undefined && line.endsWith('\\');
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const body = line.replace(/^\$\s+/u, '');
    if (NOT_SHELL_RE.test(body)) continue;
    quote = openQuoteAfter(body, undefined);
    continued = quote === undefined && body.endsWith('\\');
    const doc = HEREDOC_RE.exec(body);
    if (doc) heredoc = doc[2];
    if (ASSIGNMENT_RE.test(body)) assignments++;
    count++;
  }
  // A block of nothing but `KEY=value` lines is configuration, not commands.
  return assignments === count ? 0 : count;
}

/**
 * The quote (`'` or `"`) still open at the end of a shell line that starts inside `open`
 * (undefined: outside quotes). A `#` outside quotes starts a comment.
 */
export function openQuoteAfter(line: string, open: string | undefined): string | undefined {
  if (open === undefined && line.indexOf("'") === -1 && line.indexOf('"') === -1) return undefined;
  let q = open;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q === undefined) {
      if (c === '\\') i++;
      else if (c === '#' && (i === 0 || /\s/u.test(line[i - 1] ?? ''))) return undefined;
      else if (c === "'" || c === '"') q = c;
    } else if (c === q) q = undefined;
    else if (q === '"' && c === '\\') i++;
  }
  return q;
}

/** Commands of a step: its shell lines, or one for a call to an MCP tool or an HTTP request. */
export function commandsOfStep(step: Step): number {
  if (step.tool !== 'shell') return 1;
  return step.language === 'inline' ? 1 : commandLines(step.input);
}

/** Programs whose invocation in a code span is a command line (`npm install`, `dotnet test`). */
const PROGRAM_RE =
  /^(?:git|npm|npx|yarn|pnpm|bun|bunx|deno|node|python3?|pip3?|uv|poetry|go|cargo|dotnet|docker|docker-compose|podman|kubectl|helm|terraform|make|cmake|mvn|gradle|\.\/gradlew|curl|wget|bash|sh|zsh|railway|heroku|vercel|netlify|flyctl|fly|supabase|firebase|aws|gcloud|az|brew|apt|apt-get|dnf|yum|composer|php|ruby|gem|bundle|rake|rails|mix|flutter|dart|swift|xcodebuild|psql|mysql|redis-cli|mongosh|sqlite3|ssh|scp|rsync|chmod|mkdir|cp|mv|ln|tar|unzip|systemctl|pytest|jest|vitest|tsc|eslint|prettier|ansible|vagrant|alembic|django-admin|uvicorn|gunicorn)$/u;
/** Words that tell the reader to run what follows, in the languages plans are written in. */
const RUN_VERB_RE =
  /(?:^|[^\p{L}])(?:run|execute|install|clone|invoke|launch|type)(?![\p{L}])|ejecut|instal|rodar|execut|ausf[üu]hr|installier|запуст|выполн|установ|运行|執行|执行|编译|運行|実行|インストール|실행|설치/iu;
/** Words after a command that say it must succeed: `executes successfully`, `无错误`, `passes`. */
const SUCCEEDS_RE =
  /^[\s:,-]*(?:(?:executes|runs|completes|exits|starts|builds)\b.*\b(?:successfully|cleanly|without errors?|with(?:out)? (?:no )?(?:errors?|warnings?)|0)\b|(?:passes|succeeds|works)\b|成功|通过|通過|无错误|无警告|無錯誤|エラーなし|成功する|funciona|pasa|passa|l[äa]uft|erfolgreich)/iu;

/** A label that names a setting, not an instruction: `Build command: \`npm run build\``. */
const CONFIG_LABEL_RE = /command\s*[:：]\s*$/iu;

/** Whether a code span's content is one command line (`npm install x`, `./deploy.sh`). */
export function isCommandSpan(code: string): boolean {
  const text = code.trim();
  if (text === '' || text.includes('\n')) return false;
  const words = text.split(/\s+/u);
  const first = words[0] ?? '';
  if (/^(?:\.{1,2}\/|~\/)?[\w./-]+\.sh$/u.test(first)) return true;
  return words.length >= 2 && PROGRAM_RE.test(first);
}

/**
 * The code spans of a line that the reader is told to run: a command line right after a run
 * verb (`Run \`npm test\``, `Install: \`npm install x\``) or after a label or parenthesis that
 * introduces it (`Railway: \`railway add redis\``, `build check (\`dotnet build\`)`), or a
 * command the line starts with and says must succeed (`\`npm test\` passes`). A span that
 * only names a setting (`Build command: …`) is not one.
 */
export function inlineCommands(text: string, codes: readonly string[]): string[] {
  const out: string[] = [];
  let from = 0;
  for (const code of codes) {
    const at = text.indexOf(code, from);
    if (at < 0) continue;
    from = at + code.length;
    if (!isCommandSpan(code)) continue;
    const before = text
      .slice(0, at)
      .replace(/^\s*\[[ xX]\]/u, '')
      .trimEnd();
    if (before === '') {
      // `\`npm test\` passes`: a check the reader runs.
      if (SUCCEEDS_RE.test(text.slice(at + code.length))) out.push(code);
      continue;
    }
    if (CONFIG_LABEL_RE.test(before)) continue;
    if (RUN_VERB_RE.test(before) || /[:：(（]$/u.test(before)) out.push(code);
  }
  return out;
}
