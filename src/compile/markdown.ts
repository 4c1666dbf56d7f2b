/**
 * The one markdown-it instance of the compiler. Its inline parser is off: inline content is
 * read by `readInline`, which is all the compiler needs and costs far less.
 */
import { createRequire } from 'node:module';
import type MarkdownItClass from 'markdown-it';
import { doubledCr } from '../source/index.js';
import { readInline, type InlineLine } from './inline-text.js';
import type { Token } from './token.js';

export { collectMentions, type InlineLine } from './inline-text.js';

/**
 * markdown-it's CommonJS build: one file (and one per dependency) where its ES module build is
 * 77 modules, which a command starting up spends more time loading than parsing a plan. Same
 * package, same version, same code.
 */
const MarkdownIt = createRequire(import.meta.url)('markdown-it') as typeof MarkdownItClass;
type MarkdownIt = MarkdownItClass;

let instance: MarkdownIt | undefined;

/**
 * markdown-it's `normalize` core rule, minus its cost on text that needs none: it rewrites
 * `\r\n` and lone `\r` to `\n` and NUL to U+FFFD, but its unconditional regex replace
 * rebuilds the whole text (an eighth of the parse). Same result, a native search first; one
 * difference: `\r\r\n` (a CRLF file converted to CRLF again) is one line end, not two, when
 * `doubledCr` says so, as `lineStarts` counts it (else every line would be followed by a blank
 * one and tables would break).
 */
function normalize(state: { src: string; env: unknown }): void {
  if ((state.env as MarkdownEnv | undefined)?.normalized === true) return;
  let src = state.src;
  if (src.indexOf('\r') !== -1)
    src = src.replace(doubledCr(src) ? /\r\r\n|\r\n?/gu : /\r\n?/gu, '\n');
  if (src.indexOf('\u0000') !== -1) src = src.replaceAll('\u0000', '\ufffd');
  state.src = src;
}

/** What the compiler tells its markdown-it instance about the text it parses. */
export interface MarkdownEnv {
  /** The text has no `\r` and no NUL: markdown-it's normalization would change nothing. */
  readonly normalized?: boolean;
}

/** markdown-it, created on first use: block rules of the default preset, HTML blocks recognised. */
export function markdown(): MarkdownIt {
  if (instance) return instance;
  const md = new MarkdownIt('default', { html: true }).disable([
    'inline',
    'linkify',
    'replacements',
    'smartquotes',
    'text_join',
  ]);
  md.core.ruler.at('normalize', normalize);
  instance = md;
  return md;
}

/** Nesting depth at which markdown-it stops parsing (its `maxNesting` option). */
export function maxNesting(): number {
  return (markdown().options as { maxNesting?: number }).maxNesting ?? 100;
}

/** Split an inline token into plain-text lines; mentions in prose go to `mentions`. */
export function inlineLines(token: Token, mentions: Set<string>): InlineLine[] {
  return readInline(token.content, mentions);
}
