/**
 * Counted nouns in CLI output: "1 task", "2 tasks", "2 criteria".
 */

/** The noun for `count` things: `one` for exactly 1, otherwise `many` (default `one` + "s"). */
export function noun(count: number, one: string, many = `${one}s`): string {
  return count === 1 ? one : many;
}

/**
 * `count` and its noun: `plural(1, 'task')` is "1 task", `plural(3, 'criterion', 'criteria')`
 * is "3 criteria". `shown` formats the number (e.g. with thousands separators).
 */
export function plural(
  count: number,
  one: string,
  many = `${one}s`,
  shown: (n: number) => string = String,
): string {
  return `${shown(count)} ${noun(count, one, many)}`;
}
