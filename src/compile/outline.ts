/**
 * The outline of a document: its headings, each with its level, text, 0-based line, parent
 * and what its own span holds (list items, checkboxes, table rows, code blocks), built in one
 * pass over markdown-it's tokens. The reading rules ({@link ./phase-plan.ts}) look at the whole
 * outline before the token pass decides what each heading is.
 */
import { readInline } from './inline-text.js';
import { labelKindOf } from './patterns.js';
import type { Token } from './token.js';

/** What a heading's own span (up to the next heading of any level) holds. */
export interface SpanCounts {
  /** Top-level list items (nested ones are details). */
  items: number;
  /** GFM checkboxes at any depth. */
  checkboxes: number;
  /** Body rows of tables. */
  rows: number;
  /** Fenced code blocks. */
  fences: number;
  /** Paragraphs outside lists. */
  paragraphs: number;
  /** Task metadata lines outside lists: `Dependencies:`, `Priority:`, `Estimate:`, `Owner:`. */
  meta: number;
}

/** One heading of the outline. */
export interface OutlineHeading {
  /** Index in {@link Outline.headings}. */
  readonly index: number;
  readonly level: number;
  /** Plain text of the heading (markdown marks removed). */
  readonly text: string;
  /** 0-based line of the heading. */
  readonly line: number;
  /** Index of the enclosing heading, -1 at the top. */
  readonly parent: number;
  readonly children: number[];
  /** What its own span holds. */
  readonly own: SpanCounts;
  /** What its whole subtree holds (filled in after the pass). */
  readonly all: SpanCounts;
}

/** The outline of a document. */
export interface Outline {
  readonly headings: readonly OutlineHeading[];
}

function zero(): SpanCounts {
  return { items: 0, checkboxes: 0, rows: 0, fences: 0, paragraphs: 0, meta: 0 };
}

const NO_MENTIONS = new Set<string>();
const CHECKBOX_START_RE = /^\[[ xX]\]\s/u;

/** Build the outline of a token stream (linear in the number of tokens). */
export function buildOutline(tokens: readonly Token[]): Outline {
  const headings: OutlineHeading[] = [];
  const stack: number[] = [];
  let current: SpanCounts = zero();
  let listDepth = 0;
  let itemOpen = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    switch (t.type) {
      case 'heading_open': {
        const level = Number(t.tag.slice(1)) || 1;
        const inline = tokens[i + 1];
        const lines = inline?.type === 'inline' ? readInline(inline.content, NO_MENTIONS) : [];
        const text = lines
          .map((l) => l.text)
          .join(' ')
          .trim();
        while (
          stack.length > 0 &&
          (headings[stack[stack.length - 1] as number]?.level ?? 0) >= level
        )
          stack.pop();
        const parent = stack.length > 0 ? (stack[stack.length - 1] as number) : -1;
        const h: OutlineHeading = {
          index: headings.length,
          level,
          text,
          line: t.map?.[0] ?? 0,
          parent,
          children: [],
          own: zero(),
          all: zero(),
        };
        if (parent >= 0) headings[parent]?.children.push(h.index);
        headings.push(h);
        stack.push(h.index);
        current = h.own;
        i += 1;
        break;
      }
      case 'bullet_list_open':
      case 'ordered_list_open':
        listDepth++;
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        listDepth--;
        break;
      case 'list_item_open':
        if (listDepth === 1) current.items++;
        itemOpen = true;
        break;
      case 'inline':
        if (itemOpen) {
          itemOpen = false;
          if (CHECKBOX_START_RE.test(t.content)) current.checkboxes++;
        } else if (listDepth === 0 && tokens[i - 1]?.type === 'paragraph_open')
          current.meta += metaLines(t.content);
        break;
      case 'paragraph_open':
        if (listDepth === 0) current.paragraphs++;
        break;
      case 'tr_open':
        current.rows++;
        break;
      case 'thead_open':
        current.rows--;
        break;
      case 'fence':
        current.fences++;
        break;
      default:
        break;
    }
  }
  for (let k = headings.length - 1; k >= 0; k--) {
    const h = headings[k] as OutlineHeading;
    add(h.all, h.own);
    if (h.parent >= 0) add((headings[h.parent] as OutlineHeading).all, h.all);
  }
  return { headings };
}

/** A line that starts with a label: `**Dependencies:** 22.1`, `Priority: high`. */
const LABEL_START_RE = /^[*_]{0,2}([^:：*_\n]{2,30}?)[*_]{0,2}\s*[:：]/u;
const META_KINDS: ReadonlySet<string> = new Set(['owner', 'estimate', 'priority', 'depends']);

/** How many lines of a paragraph are task metadata (an owner, estimate, priority, dependency). */
export function metaLines(content: string): number {
  if (content.indexOf(':') === -1 && content.indexOf('：') === -1) return 0;
  let n = 0;
  for (const line of content.split('\n')) {
    const label = LABEL_START_RE.exec(line)?.[1];
    const kind = label === undefined ? undefined : labelKindOf(label.trim())?.kind;
    if (kind !== undefined && META_KINDS.has(kind)) n++;
  }
  return n;
}

function add(into: SpanCounts, from: SpanCounts): void {
  into.items += from.items;
  into.checkboxes += from.checkboxes;
  into.rows += from.rows;
  into.fences += from.fences;
  into.paragraphs += from.paragraphs;
  into.meta += from.meta;
}

/** How much listed work a span holds: items, checkboxes and table rows. */
export function workIn(c: SpanCounts): number {
  return c.items + c.rows;
}
