/**
 * Colour in human output: only status words (succeeded green, failed red, waiting yellow), only
 * when stdout is a terminal, never in JSON. `NO_COLOR` (https://no-color.org) and `--no-color`
 * turn it off; `FORCE_COLOR` (not `0`) turns it on even when piped.
 */

const GREEN = new Set(['succeeded', 'pass']);
const RED = new Set(['failed', 'timed_out', 'fail']);
const YELLOW = new Set(['waiting', 'awaiting_approval', 'quarantined']);

/** Whether to colour stdout, given the `--no-color` flag (commander's `color: false`). */
export function colorWanted(flag: boolean | undefined, env = process.env): boolean {
  if (flag === false) return false;
  if ((env['NO_COLOR'] ?? '') !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return process.stdout.isTTY === true;
}

/** `word` wrapped in its colour when it is a status word that has one; otherwise as it is. */
export function paintStatus(word: string): string {
  const code = GREEN.has(word) ? 32 : RED.has(word) ? 31 : YELLOW.has(word) ? 33 : null;
  return code === null ? word : `\u001b[${code}m${word}\u001b[39m`;
}

/**
 * Colours the status word that follows a run or step ID at the start of a line (the `pulser runs`
 * table, the head line and step lines of `pulser runs RUN`). Apply it to text already made
 * visible: it adds the only escape codes the output holds.
 */
export function paintRunStatuses(text: string): string {
  return text.replace(
    /^( {0,2}run-[0-9a-f]{8}(?:\.\d+)? +)([a-z_]+)(?= )/gmu,
    (_, lead: string, word: string) => `${lead}${paintStatus(word)}`,
  );
}
