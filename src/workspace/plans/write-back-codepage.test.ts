import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { importPlan } from './import-plan.js';
import { setStatus } from './write-back.js';
import { tempWorkspace } from '../test-helpers.js';

it('a status mark written into Windows-1251 mojibake is written as that mojibake', async () => {
  const misread = (t: string): string =>
    new TextDecoder('windows-1251').decode(new TextEncoder().encode(t));
  const text =
    '# План переезда\n\n## Этап 1: Сборы ⏳\n- Собрать коробки\n\n## Этап 2: Дорога ⏳\n- Заказать машину\n';
  const bytes = Buffer.from(misread(text), 'utf8');
  const { ws, root, done } = await tempWorkspace();
  try {
    const file = join(root, 'move.md');
    writeFileSync(file, bytes);
    const { stored } = await importPlan(ws, file, 'test');
    assert.equal(stored.plan.repairedFrom, 'windows-1251');
    const phase = stored.plan.phases[0];
    assert.equal(phase?.status, 'in_progress');
    await setStatus(ws, phase.id, 'done', 'test');
    const after = readFileSync(file, 'utf8');
    assert.equal(after, misread(text.replace('Сборы ⏳', 'Сборы ✅')));
  } finally {
    await done();
  }
});
