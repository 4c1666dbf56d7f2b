import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { allItems } from '../../ir/index.js';
import { importPlan } from './import-plan.js';
import { checkItem, uncheckItem } from './write-back.js';
import { tempWorkspace } from '../test-helpers.js';

it('a \\r\\r\\n file: the edit lands on the line an editor shows, and every other byte is kept', async () => {
  const text =
    '# Bake bread\n\n## Phase 1: Dough\n- [x] Mix flour\n- [ ] Knead\n\n## Phase 2: Oven\n- [ ] Preheat\n';
  const bytes = Buffer.from(text.replace(/\n/gu, '\r\r\n'), 'utf8');
  const { ws, root, done } = await tempWorkspace();
  try {
    const file = join(root, 'bread.md');
    writeFileSync(file, bytes);
    const { stored } = await importPlan(ws, file, 'test');
    const item = [...allItems(stored.plan)].find((i) => i.text === 'Preheat');
    assert.equal(item?.pos.line, 8);
    if (item === undefined) return assert.fail('no Preheat item');
    const result = await checkItem(ws, item.id, 'test');
    assert.equal(result.edits[0]?.line, 8);
    const after = readFileSync(file);
    assert.equal(
      after.toString('utf8'),
      bytes.toString('utf8').replace('- [ ] Preheat', '- [x] Preheat'),
    );
    await uncheckItem(ws, item.id, 'test');
    assert.deepEqual(readFileSync(file), bytes);
  } finally {
    await done();
  }
});
