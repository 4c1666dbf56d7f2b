// The reader's edge cases, generated from one plan written for them: the same plan with CRLF
// line endings, with a UTF-8 byte order mark, as UTF-16LE, and as mojibake (its UTF-8 bytes
// decoded as Windows-1252 and saved again as UTF-8, as an editor that guessed wrong does).
// `node scripts/edge-examples.js` rewrites examples/edge/; src/cli/examples.test.ts checks
// that the committed files are exactly what this script writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The plan every edge case is made from: accents, typographic punctuation and emoji. */
export const EDGE_PLAN = `# Café Opening — Edge Cases ✅

Every file in this folder is this plan, saved differently.

## Phase 1: Fit-out ✅

### Task 1.1: Order the espresso machine @zoë (2 hours) ✅

- [x] Compare “La Marzocco” and “Rancilio”
- [x] Pay the 30 % deposit

### Task 1.2: Paint the walls @andré (1 day)

- [ ] Choose the crème colour
- [ ] Book the painters — weekend only 🚀

## Phase 2: Soft opening

### Task 2.1: Invite the neighbours @zoë (1 hour)

- [ ] Print 200 flyers
- [ ] Hand them out on Rue de l’Église

**Exit criteria:**

- [ ] Twenty guests served before noon ☕
`;

/** Windows-1252's 0x80..0x9F; the five unassigned bytes stay C1 controls, as in WHATWG. */
const HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * Decodes bytes as Windows-1252. Written out because Node's TextDecoder('windows-1252')
 * decodes ISO-8859-1 instead (0x80 stays U+0080, not the euro sign).
 */
function windows1252(bytes) {
  let text = '';
  for (const b of bytes) text += b >= 0x80 && b <= 0x9f ? HIGH[b - 0x80] : String.fromCharCode(b);
  return text;
}

/** Every edge-case file: name and exact bytes. */
export function edgeExamples() {
  const lf = EDGE_PLAN;
  const utf16 = Buffer.from(`\ufeff${lf}`, 'utf16le');
  return new Map([
    ['crlf.md', Buffer.from(lf.replace(/\n/gu, '\r\n'), 'utf8')],
    ['bom.md', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lf, 'utf8')])],
    ['utf16.md', utf16],
    ['mojibake.md', Buffer.from(windows1252(Buffer.from(lf, 'utf8')), 'utf8')],
  ]);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'edge');
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of edgeExamples()) writeFileSync(join(dir, name), bytes);
  console.log(`wrote ${[...edgeExamples().keys()].join(', ')} to ${dir}`);
}
