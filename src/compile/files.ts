/**
 * "Files to create/modify" lists and trees: `path - note` list items and fenced trees such as
 *
 *     NEW:
 *       crates/core/src/memory/
 *       ├── mod.rs (exports)
 *     MODIFY:
 *       crates/core/src/lib.rs (add memory module)
 */
import type { FileRef } from '../ir/index.js';
import { fileActionOf } from './patterns.js';

const PATH_RE = /^[\w.~/-][\w.~/@+-]*(?:\/[\w.@+-]*)*$/u;
const TREE_PREFIX_RE = /^[\s│|]*[├└`|+][─-]{1,3}\s*/u;
const NOTE_RE = /^(\S+)\s*(?:\((.*)\)|[-–—:]\s*(.*))?\s*$/u;

function looksLikePath(text: string): boolean {
  return PATH_RE.test(text) && (text.includes('/') || text.includes('.'));
}

function actionFromNote(note: string | undefined, fallback: FileRef['action']): FileRef['action'] {
  if (note && /^\s*(?:new|novo|nouveau|nuevo|neu)\b/iu.test(note)) return 'create';
  return fallback;
}

function ref(path: string, action: FileRef['action'], note: string | undefined): FileRef {
  const n = note?.trim();
  return { path, action, ...(n ? { note: n } : {}) };
}

/** A file named by a list item: the first code span (or first word) that looks like a path. */
export function fileFromItem(
  text: string,
  codes: readonly string[],
  action: FileRef['action'],
): FileRef | undefined {
  const path = codes.find(looksLikePath) ?? text.split(/\s+/u)[0] ?? '';
  if (!looksLikePath(path)) return undefined;
  const at = text.indexOf(path);
  const rest = text
    .slice(at + path.length)
    .replace(/^\s*[-–—:]\s*/u, '')
    .trim();
  const paren = /^\((.*)\)$/u.exec(rest);
  const note = paren ? paren[1] : rest;
  return ref(path, actionFromNote(note, action), note);
}

/** Files named by a fenced tree or path list. */
export function filesFromBlock(content: string, fallback: FileRef['action']): FileRef[] {
  const out: FileRef[] = [];
  let action = fallback;
  let dir = '';
  for (const raw of content.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (/^[\p{L} /]+:$/u.test(line)) {
      action = fileActionOf(line);
      dir = '';
      continue;
    }
    const inTree = TREE_PREFIX_RE.test(raw);
    const entry = raw.replace(TREE_PREFIX_RE, '').trim();
    const m = NOTE_RE.exec(entry);
    if (!m) continue;
    const name = m[1] ?? '';
    const note = m[2] ?? m[3];
    if (!inTree && name.endsWith('/') && note === undefined) {
      dir = name;
      continue;
    }
    const path = inTree ? `${dir}${name}` : name;
    if (looksLikePath(path)) out.push(ref(path, actionFromNote(note, action), note));
  }
  return out;
}
