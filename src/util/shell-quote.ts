/**
 * Quoting for commands printed for a person to paste into a POSIX shell.
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/u;

/** One argument, quoted only when it needs it: `plan.md` stays, `my plan.md` becomes `'my plan.md'`. */
export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/gu, `'\\''`)}'`;
}

/** A whole command line from its words, each quoted as needed. */
export function shellCommand(words: ReadonlyArray<string>): string {
  return words.map(shellQuote).join(' ');
}
