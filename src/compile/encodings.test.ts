import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allTasks } from '../ir/index.js';
import { compileText, planOf } from './test-helpers.js';

const PLAN = `# Garden shed

## Phase 1: Foundation ✅
| Task | Status |
|---|---|
| Level the ground | done |
| Pour the slab | done |

## Phase 2: Walls
- [x] Cut the studs
- [ ] Raise the frame

## Phase 3: Roof
- [ ] Fit the rafters
`;

test('\\r\\r\\n line ends read like \\n: tables hold, lines are where an editor shows them', () => {
  const lf = planOf(PLAN);
  const doubled = planOf(PLAN.replace(/\n/gu, '\r\r\n'));
  const shape = (p: typeof lf): unknown => ({
    title: p.title,
    phases: p.phases.map((ph) => [ph.title, ph.status, ph.pos.line, ph.tasks.length]),
    tasks: [...allTasks(p)].map((t) => [t.title, t.status, t.pos.line, t.pos.column]),
  });
  assert.deepEqual(shape(doubled), shape(lf));
  assert.equal(lf.phases[0]?.tasks.length, 2, 'the table rows are tasks');
  assert.equal(doubled.phases[1]?.pos.line, 9);
});

test('ambiguous mojibake is left as it is, with one warning naming every line', () => {
  const latin1 = new TextDecoder('windows-1252').decode(new TextEncoder().encode('Crème'));
  const central = new TextDecoder('windows-1250').decode(new TextEncoder().encode('świat'));
  const { plan, diagnostics } = compileText(
    `# ${latin1} plan\n\n- [ ] ${central}\n- [ ] ${latin1}\n- [ ] ${central}\n`,
  );
  assert.equal(plan?.title, `${latin1} plan`);
  assert.equal(plan?.repairedFrom, null);
  const warning = diagnostics.filter((d) => d.code === 'source/mojibake-ambiguous');
  assert.equal(warning.length, 1);
  assert.match(warning[0]?.message ?? '', /lines 1, 3, 4, 5 /u);
});

test('a byte order mark before a mojibake title still gives the repaired title', () => {
  const title = 'Plán přestavby dílny';
  const body = `# ${title}\n\n## Fáze 1: Příprava\n- [ ] Zajistit povolení a rozpočet\n`;
  const utf8 = new TextEncoder().encode(body);
  const garbled = new TextDecoder('windows-1250').decode(utf8);
  // A real BOM, then text that was mis-read once and saved as UTF-8 again.
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(garbled)]);
  const a = planOf(withBom);
  assert.equal(a.title, title);
  assert.equal(a.repairedFrom, 'windows-1250');
  assert.equal(a.source.bom, true);
  // The BOM mis-read along with the text (it became `ďťż` in Windows-1250).
  const misreadBom = new TextDecoder('windows-1250').decode(
    new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]),
  );
  const b = planOf(misreadBom);
  assert.equal(b.title, title);
  assert.equal(b.phases[0]?.title, a.phases[0]?.title);
  assert.match(b.phases[0]?.title ?? '', /Příprava/u);
  assert.deepEqual(b.phases[0]?.pos, a.phases[0]?.pos);
  assert.equal(b.phases[0]?.tasks[0]?.pos.line, 4);
});
