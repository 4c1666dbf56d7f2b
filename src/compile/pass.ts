/**
 * The single linear pass over markdown-it's token stream.
 */
import { itemFrame, type Builder } from './builder.js';
import { onItem, onParagraph } from './blocks.js';
import { onHeading } from './headings.js';
import { inlineLines } from './markdown.js';
import { onFence } from './steps-attach.js';
import { onTable } from './tables.js';
import type { Token } from './token.js';

const scratch = new Set<string>();
const NONE: readonly string[] = [];

/** Walk `tokens` once; returns the deepest nesting level seen and the first line that reached it. */
export function runPass(
  b: Builder,
  tokens: readonly Token[],
): { maxLevel: number; maxLevelLine: number } {
  let maxLevel = 0;
  let maxLevelLine = 0;
  let lastLine = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.map) lastLine = t.map[0];
    if (t.level > maxLevel) {
      maxLevel = t.level;
      maxLevelLine = lastLine;
    }
    switch (t.type) {
      case 'heading_open': {
        const inline = tokens[i + 1];
        if (inline?.type !== 'inline') break;
        if (scratch.size > 0) scratch.clear();
        const lines = inlineLines(inline, scratch);
        const text =
          lines.length === 1
            ? (lines[0]?.text ?? '')
            : lines
                .map((l) => l.text)
                .join(' ')
                .trim();
        for (const m of scratch) b.mentions.add(m);
        const level = Number(t.tag.slice(1)) || 1;
        onHeading(b, level, text, t.map?.[0] ?? lastLine, scratch.size > 0 ? [...scratch] : NONE);
        i += 1;
        break;
      }
      case 'list_item_open':
        b.items.push(itemFrame(t.map?.[0] ?? -1));
        break;
      case 'list_item_close':
        b.items.pop();
        break;
      case 'inline': {
        const line0 = t.map?.[0] ?? lastLine;
        const item = b.items[b.items.length - 1];
        if (item && !item.seen && line0 === item.line) {
          item.seen = true;
          if (scratch.size > 0) scratch.clear();
          const lines = inlineLines(t, scratch);
          for (const m of scratch) b.mentions.add(m);
          onItem(
            b,
            item,
            b.items[b.items.length - 2],
            lines,
            scratch.size > 0 ? [...scratch] : NONE,
            line0,
          );
        } else onParagraph(b, inlineLines(t, b.mentions), line0);
        break;
      }
      case 'fence':
        onFence(b, t);
        break;
      case 'table_open':
        i = onTable(b, tokens, i);
        break;
      default:
        break;
    }
  }
  return { maxLevel, maxLevelLine };
}
