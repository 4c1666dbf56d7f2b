/**
 * The one markdown-it instance of the compiler. Its inline parser is off: inline content is
 * read by `readInline`, which is all the compiler needs and costs far less.
 */
import MarkdownIt from 'markdown-it';
import { readInline, type InlineLine } from './inline-text.js';
import type { Token } from './token.js';

export { collectMentions, type InlineLine } from './inline-text.js';

let instance: MarkdownIt | undefined;

/** markdown-it, created on first use: block rules of the default preset, HTML blocks recognised. */
export function markdown(): MarkdownIt {
  instance ??= new MarkdownIt('default', { html: true }).disable([
    'inline',
    'linkify',
    'replacements',
    'smartquotes',
    'text_join',
  ]);
  return instance;
}

/** Nesting depth at which markdown-it stops parsing (its `maxNesting` option). */
export function maxNesting(): number {
  return (markdown().options as { maxNesting?: number }).maxNesting ?? 100;
}

/** Split an inline token into plain-text lines; mentions in prose go to `mentions`. */
export function inlineLines(token: Token, mentions: Set<string>): InlineLine[] {
  return readInline(token.content, mentions);
}
