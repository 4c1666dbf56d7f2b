/**
 * Repair of mojibake: UTF-8 bytes that were once decoded as Windows-1252 (`âœ…`, `ðŸš€`),
 * Mac Roman (`‚úÖ`, `üöÄ`), Windows-1250 (`pĹ™Ă­`), -1251 (`РџР»Р°РЅ`) or -1254 (`ğŸ”„`)
 * and saved again as UTF-8. Runs of characters from the code
 * page's high half are turned back into bytes; only where those bytes form valid, plausible
 * multi-byte UTF-8 is the text replaced. Newlines are never touched, so lines are preserved.
 */
import type { Repair } from '../ir/index.js';
import {
  MAC_ROMAN,
  WINDOWS_1250,
  WINDOWS_1251,
  WINDOWS_1252,
  WINDOWS_1254,
  type CodePage,
  type MojibakeEncoding,
} from './code-tables.js';

import { lineIndexAt, lineStarts } from './lines.js';
import { utf8SequenceLength } from './utf8.js';

/** A sequence that looks like mojibake but could not be repaired (a byte was lost). */
export interface UnrepairedMojibake {
  /** 1-based line. */
  readonly line: number;
  readonly text: string;
}

/** Result of {@link repairMojibake}. */
export interface MojibakeRepair {
  readonly text: string;
  readonly repairedFrom: MojibakeEncoding | null;
  /** One entry per repaired encoding (at most one), as recorded in the IR. */
  readonly repairs: ReadonlyArray<Repair>;
  /** Mojibake-looking sequences of the chosen encoding that could not be repaired. */
  readonly unrepaired: ReadonlyArray<UnrepairedMojibake>;
  /**
   * Set when the text looks like mojibake but the repair is not unambiguous (two code pages
   * repair it differently, or repairing would not reduce it); the text is then left as it is.
   */
  readonly ambiguous: { readonly encodings: MojibakeEncoding[]; readonly lines: number[] } | null;
}

interface Fix {
  readonly start: number;
  readonly end: number;
  readonly to: string;
  readonly long: boolean;
}

interface Scan {
  readonly fixes: Fix[];
  readonly broken: number[];
  readonly longCount: number;
}

const MAX_SAMPLES = 5;

function decodeSequence(bytes: ArrayLike<number>, j: number, n: number): number {
  const b0 = bytes[j] ?? 0;
  let cp = n === 2 ? b0 & 0x1f : n === 3 ? b0 & 0x0f : b0 & 0x07;
  for (let k = 1; k < n; k++) cp = (cp << 6) | ((bytes[j + k] ?? 0) & 0x3f);
  return cp;
}

/** Whether a decoded code point is something a document plausibly contains; CJK etc. need company. */
function plausible(
  cp: number,
  n: number,
  page: CodePage,
): 'yes' | 'with-company' | 'latin-ext' | 'no' {
  if (n === 2) {
    if (cp >= 0xa0 && cp <= 0xff) return 'yes';
    // Latin Extended-A is what Central European and Turkish text is made of; Cyrillic, Russian.
    if (cp >= 0x100 && cp <= 0x17f)
      return page === WINDOWS_1250 || page === WINDOWS_1254 ? 'yes' : 'latin-ext';
    return cp >= 0x400 && cp <= 0x4ff && page === WINDOWS_1251 ? 'yes' : 'no';
  }
  if (n === 3) {
    if (cp >= 0x2000 && cp <= 0x2bff) return 'yes';
    if ((cp >= 0x2e00 && cp <= 0x2e7f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 'yes';
    if (cp >= 0xff00 && cp <= 0xffef) return 'yes';
    if ((cp >= 0x3000 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af)) return 'with-company';
    return 'no';
  }
  return cp >= 0x1f000 && cp <= 0x1fbff ? 'yes' : 'with-company';
}

/** Bytes of the run being scanned, reused from run to run (grown when a run is longer). */
let runBytes = new Uint8Array(256);

function scanRun(
  start: number,
  bytes: Uint8Array,
  m: number,
  fixes: Fix[],
  broken: number[],
  extended: Fix[],
  page: CodePage,
): number {
  const found: { start: number; end: number; to: string; long: boolean; verdict: string }[] = [];
  let j = 0;
  while (j < m) {
    const b = bytes[j] ?? 0;
    const n = b >= 0xc2 ? utf8SequenceLength(bytes, j, m) : 0;
    if (n >= 2) {
      const cp = decodeSequence(bytes, j, n);
      const verdict = plausible(cp, n, page);
      if (verdict !== 'no') {
        found.push({
          start: start + j,
          end: start + j + n,
          to: String.fromCodePoint(cp),
          long: n > 2,
          verdict,
        });
        j += n;
        continue;
      }
    } else if (
      b >= 0xe0 &&
      b <= 0xf4 &&
      j + 1 < m &&
      (bytes[j + 1] ?? 0) >= 0x80 &&
      (bytes[j + 1] ?? 0) <= 0xbf
    ) {
      broken.push(start + j);
    }
    j++;
  }
  let long = 0;
  const company = found.length > 1;
  for (const f of found) {
    if (f.verdict === 'with-company' && !company) continue;
    if (f.verdict === 'latin-ext') {
      extended.push({ start: f.start, end: f.end, to: f.to, long: false });
      continue;
    }
    fixes.push({ start: f.start, end: f.end, to: f.to, long: f.long });
    if (f.long) long++;
  }
  return long;
}

/**
 * Runs of non-ASCII code units: mojibake can only lie inside them. No `u` flag on purpose: it
 * makes V8 scan six times slower, and a run of code units is the same run either way.
 */
const NON_ASCII_RUN_RE = /[\u0080-\uffff]+/g;

/** Start and end offsets of every run of non-ASCII characters, in one native regex pass. */
function nonAsciiRuns(text: string): number[] {
  const runs: number[] = [];
  NON_ASCII_RUN_RE.lastIndex = 0;
  for (let m = NON_ASCII_RUN_RE.exec(text); m; m = NON_ASCII_RUN_RE.exec(text)) {
    runs.push(m.index, m.index + m[0].length);
  }
  return runs;
}

function scan(text: string, runs: readonly number[], page: CodePage): Scan {
  const fixes: Fix[] = [];
  const broken: number[] = [];
  const extended: Fix[] = [];
  let longCount = 0;
  const byteOf = page.byteOf;
  for (let r = 0; r < runs.length; r += 2) {
    const end = runs[r + 1] ?? 0;
    let i = runs[r] ?? 0;
    while (i < end) {
      if (byteOf[text.charCodeAt(i)] === 0) {
        i++;
        continue;
      }
      const start = i;
      if (runBytes.length < end - start) runBytes = new Uint8Array(2 * (end - start));
      const bytes = runBytes;
      let m = 0;
      for (; i < end; i++) {
        const b = byteOf[text.charCodeAt(i)] ?? 0;
        if (b === 0) break;
        bytes[m++] = b;
      }
      if (m > 1) longCount += scanRun(start, bytes, m, fixes, broken, extended, page);
    }
  }
  // Latin Extended-A results (Ā–ž) are accepted only when the text has stronger evidence.
  if (longCount > 0 && extended.length > 0) {
    fixes.push(...extended);
    fixes.sort((a, b) => a.start - b.start);
  }
  return { fixes, broken, longCount };
}

/** 1-based line of increasing offsets, counting line breaks as markdown-it does. */
function lineCounter(text: string): (offset: number) => number {
  let line = 1;
  let at = 0;
  const crFree = text.indexOf('\r') === -1;
  let starts: number[] | undefined;
  return (offset: number): number => {
    if (offset < at) {
      line = 1;
      at = 0;
    }
    if (crFree) {
      // Only `\n` breaks lines: jump from one to the next with the native search.
      for (let nl = text.indexOf('\n', at); nl !== -1 && nl < offset; nl = text.indexOf('\n', at)) {
        line++;
        at = nl + 1;
      }
      at = Math.max(at, offset);
      return line;
    }
    starts ??= lineStarts(text);
    return lineIndexAt(starts, offset) + 1;
  };
}

/**
 * Whether the evidence is strong enough. Mac Roman needs a 3- or 4-byte sequence (emoji,
 * punctuation): its 2-byte look-alikes (`√π`, `≈±`) are ordinary in proper text.
 */
function worthRepairing(s: Scan, page: CodePage): boolean {
  return s.longCount > 0 || (page !== MAC_ROMAN && s.fixes.length > 1);
}

/** The code pages tried, in order of preference when two repair the text identically. */
const PAGES: readonly CodePage[] = [
  WINDOWS_1252,
  MAC_ROMAN,
  WINDOWS_1250,
  WINDOWS_1251,
  WINDOWS_1254,
];

function sameFixes(a: readonly Fix[], b: readonly Fix[]): boolean {
  return (
    a.length === b.length &&
    a.every((f, i) => f.start === b[i]?.start && f.end === b[i]?.end && f.to === b[i]?.to)
  );
}

function applyFixes(text: string, fixes: readonly Fix[]): string {
  const parts: string[] = [];
  let last = 0;
  for (const f of fixes) {
    parts.push(text.slice(last, f.start), f.to);
    last = f.end;
  }
  parts.push(text.slice(last));
  return parts.join('');
}

/**
 * Detect and repair mojibake (UTF-8 read as Windows-1252, Mac Roman, Windows-1250, -1251 or
 * -1254). Each repaired sequence is valid UTF-8 by construction; the repair is made only when
 * it is unambiguous (see {@link MojibakeRepair.ambiguous}). Text that is not
 * mojibake comes back unchanged; newlines are never altered. `starts` (the text's
 * {@link lineStarts}, when the caller has them) saves counting lines for the report.
 *
 * @example
 * repairMojibake('# ðŸš€ Launch').text; // '# 🚀 Launch'
 */
export function repairMojibake(text: string, starts?: readonly number[]): MojibakeRepair {
  const none = { text, repairedFrom: null, repairs: [], unrepaired: [], ambiguous: null };
  const runs = nonAsciiRuns(text);
  if (runs.length === 0) return none;
  const scans = PAGES.map((page) => ({ page, scan: scan(text, runs, page) }));
  let best = scans[0]!;
  for (const c of scans) if (c.scan.fixes.length > best.scan.fixes.length) best = c;
  if (!worthRepairing(best.scan, best.page)) return none;
  const chosen = best.scan;
  const encoding = best.page.name;
  const lineOf =
    starts === undefined
      ? lineCounter(text)
      : (offset: number): number => lineIndexAt(starts, offset) + 1;
  // Unambiguous only: no other code page repairs as much text differently, and the repaired
  // text has fewer sequences of this code page's mojibake than the original.
  const rivals = scans.filter(
    (c) =>
      c !== best &&
      c.scan.fixes.length === chosen.fixes.length &&
      worthRepairing(c.scan, c.page) &&
      !sameFixes(c.scan.fixes, chosen.fixes),
  );
  // A UTF-8 byte order mark that was mis-read along with the text (`ï»¿` in Windows-1252) is
  // dropped, so that a title right after it is read as the title.
  const bom = [0xef, 0xbb, 0xbf].map((b) => best.page.high[b - 0x80]).join('');
  const fixes = text.startsWith(bom)
    ? [{ start: 0, end: bom.length, to: '', long: true }, ...chosen.fixes]
    : chosen.fixes;
  const repaired = applyFixes(text, fixes);
  const after = rivals.length === 0 ? scan(repaired, nonAsciiRuns(repaired), best.page) : chosen;
  if (rivals.length > 0 || after.fixes.length >= chosen.fixes.length) {
    const offsets = [best, ...rivals].flatMap((c) => c.scan.fixes.map((f) => f.start));
    const lines = [...new Set(offsets.sort((a, b) => a - b).map(lineOf))];
    return {
      ...none,
      ambiguous: { encodings: [best, ...rivals].map((c) => c.page.name), lines },
    };
  }
  const samples: { line: number; from: string; to: string }[] = [];
  let runFrom = -1;
  let runTo = '';
  let runEnd = -1;
  const flushSample = (): void => {
    if (runFrom >= 0 && samples.length < MAX_SAMPLES) {
      samples.push({
        line: lineOf(runFrom),
        from: text.slice(runFrom, runEnd),
        to: runTo,
      });
    }
  };
  for (const f of fixes) {
    if (f.start === runEnd) {
      runTo += f.to;
      runEnd = f.end;
    } else {
      flushSample();
      runFrom = f.start;
      runTo = f.to;
      runEnd = f.end;
    }
  }
  flushSample();
  const unrepaired = chosen.broken.map((offset) => {
    const end = Math.min(text.length, offset + 4);
    return { line: lineOf(offset), text: text.slice(offset, end) };
  });
  return {
    text: repaired,
    repairedFrom: encoding,
    repairs: [{ encoding, count: fixes.length, samples }],
    unrepaired,
    ambiguous: null,
  };
}
