/**
 * Quoting for commands Pulser prints for a person to paste: POSIX single quotes, so nothing in
 * a file name or an ID (`$(…)`, backticks, spaces, quotes, newlines) is expanded by the shell.
 */

const PLAIN_RE = /^[A-Za-z0-9_@%+=:,./-]+$/u;

/**
 * One shell word: unchanged when it holds only safe characters, else in single quotes (a
 * single quote inside becomes `'\''`).
 * @example shellQuote('plan$(touch X).md') // "'plan$(touch X).md'"
 */
export function shellQuote(word: string): string {
  if (word !== '' && PLAIN_RE.test(word)) return word;
  return `'${word.replace(/'/gu, `'\\''`)}'`;
}

/** A command line of words, each quoted with {@link shellQuote}: `pulser trust 'my plan.md'`. */
export function shellCommand(...words: ReadonlyArray<string>): string {
  return words.map(shellQuote).join(' ');
}
