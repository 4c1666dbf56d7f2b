import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { ConflictError, UsageError } from '../../errors/index.js';
import type { ChecklistItem, Plan } from '../../ir/index.js';
import { allItems, allTasks, flattenItems } from '../../ir/index.js';
import { importPlan } from './import-plan.js';
import { checkItem, setStatus, uncheckItem } from './write-back.js';
import { examplePath, skipWithoutShared } from '../../util/test-helpers.js';
import { exampleFiles, seedFiles, tempWorkspace } from '../test-helpers.js';

/** Byte ranges where `a` and `b` differ: [start, endInA, endInB] after common prefix/suffix. */
function changedSpan(a: Uint8Array, b: Uint8Array): { prefix: number; aMid: number; bMid: number } {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  )
    suffix++;
  return { prefix, aMid: a.length - prefix - suffix, bMid: b.length - prefix - suffix };
}

function importCopy(source: string, root: string, name = basename(source)): { file: string } {
  const file = join(root, name);
  copyFileSync(source, file);
  return { file };
}

/** The first unchecked checklist item. */
function firstItem(plan: Plan): ChecklistItem | null {
  return [...allItems(plan)].find((i) => !i.checked) ?? null;
}

function roundTrips(files: ReadonlyArray<string>): void {
  for (const seed of files) {
    it(`${basename(seed)}: flip then flip back every 7th item changes one byte and restores the file`, async () => {
      const { ws, root, done } = await tempWorkspace();
      try {
        const { file } = importCopy(seed, root);
        const original = readFileSync(file);
        const { stored } = await importPlan(ws, file, 'test');
        const items = [...allItems(stored.plan)].filter((_, i) => i % 7 === 0);
        for (const item of items) {
          const [flip, back] = item.checked ? [uncheckItem, checkItem] : [checkItem, uncheckItem];
          const flipped = await flip(ws, `${stored.id}:${item.id}`, 'test');
          assert.equal(flipped.changed, true, item.id);
          const after = readFileSync(file);
          const span = changedSpan(original, after);
          assert.deepEqual([span.aMid, span.bMid], [1, 1], `${item.id}: one byte changed`);
          assert.equal(String.fromCharCode(after[span.prefix] ?? 0), item.checked ? ' ' : 'x');
          assert.equal(String.fromCharCode(after[span.prefix - 1] ?? 0), '[');
          const reimported = await ws.store.plans.get(stored.id);
          const now = [...allItems(reimported!.plan)].find((i) => i.id === item.id);
          assert.equal(now?.checked, !item.checked, `${item.id} is flipped after re-import`);
          await back(ws, item.id, 'test');
          assert.deepEqual(
            readFileSync(file),
            original,
            `${item.id}: flipping back restores every byte`,
          );
        }
      } finally {
        await done();
      }
    });

    it(`${basename(seed)}: set-status done then back on tasks changes only the status text`, async () => {
      const { ws, root, done } = await tempWorkspace();
      try {
        const { file } = importCopy(seed, root);
        const original = readFileSync(file);
        const { stored } = await importPlan(ws, file, 'test');
        const tasks = [...allTasks(stored.plan)].filter((t) => t.status === 'open').slice(0, 6);
        const closedTasks = [...allTasks(stored.plan)]
          .filter((t) => t.status === 'done')
          .slice(0, 2);
        for (const task of [...tasks, ...closedTasks]) {
          const target = task.status === 'done' ? 'open' : 'done';
          const result = await setStatus(ws, task.id, target, 'test');
          assert.equal(result.changed, true, task.id);
          const after = readFileSync(file);
          const span = changedSpan(original, after);
          const line = original
            .subarray(0, span.prefix)
            .toString('latin1')
            .split(/\r\n|\r|\n/u).length;
          assert.equal(line, result.edits[0]?.line, `${task.id}: the edit is on the reported line`);
          assert.ok(
            span.aMid <= 12 && span.bMid <= 16,
            `${task.id}: small edit (${span.aMid}→${span.bMid})`,
          );
          const now = [...allTasks((await ws.store.plans.get(stored.id))!.plan)].find(
            (t) => t.id === task.id,
          );
          assert.equal(now?.status, target, `${task.id} reads back as ${target}`);
          await setStatus(ws, task.id, task.status, 'test');
          assert.deepEqual(
            readFileSync(file),
            original,
            `${task.id}: setting it back restores every byte`,
          );
        }
      } finally {
        await done();
      }
    });
  }
}

// UTF-16 files are round-tripped by 'keeps encoding' below (this one looks at single bytes).
describe('write-back on every example', () =>
  roundTrips(exampleFiles().filter((f) => !f.endsWith('utf16.md'))));

describe('write-back on every seed', { skip: skipWithoutShared('seeds') }, () =>
  roundTrips(seedFiles()),
);

function variants(text: string): Array<[string, Buffer]> {
  const crlf = text.replace(/\r\n|\r|\n/gu, '\r\n');
  const le = Buffer.from(`\ufeff${text}`, 'utf16le');
  const be = Buffer.from(le);
  be.swap16();
  return [
    ['crlf', Buffer.from(crlf, 'utf8')],
    ['cr', Buffer.from(text.replace(/\r\n|\n/gu, '\r'), 'utf8')],
    ['crcrlf', Buffer.from(text.replace(/\r\n|\r|\n/gu, '\r\r\n'), 'utf8')],
    ['utf8-bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(crlf, 'utf8')])],
    ['utf16le-bom', le],
    ['utf16be-bom', be],
  ];
}

function keepsEncoding(files: ReadonlyArray<string>): void {
  for (const seed of files) {
    for (const [name, bytes] of variants(readFileSync(seed, 'utf8'))) {
      it(`${basename(seed)} as ${name}: check, uncheck and set-status round-trip byte for byte`, async () => {
        const { ws, root, done } = await tempWorkspace();
        try {
          const file = join(root, 'plan.md');
          writeFileSync(file, bytes);
          const { stored } = await importPlan(ws, file, 'test');
          const item = [...allItems(stored.plan)].find((i) => !i.checked);
          if (item !== undefined) {
            await checkItem(ws, item.id, 'test');
            const after = readFileSync(file);
            const span = changedSpan(bytes, after);
            assert.equal(span.aMid, span.bMid, 'same length');
            assert.ok(span.aMid <= 2, 'one character (two bytes in UTF-16)');
            await uncheckItem(ws, item.id, 'test');
            assert.deepEqual(readFileSync(file), bytes);
          }
          const task = [...allTasks(stored.plan)].find((t) => t.status === 'open');
          if (task !== undefined) {
            await setStatus(ws, task.id, 'done', 'test');
            assert.notDeepEqual(readFileSync(file), bytes);
            await setStatus(ws, task.id, 'open', 'test');
            assert.deepEqual(readFileSync(file), bytes);
          }
        } finally {
          await done();
        }
      });
    }
  }
}

describe('write-back keeps encoding, BOM and line endings', () =>
  keepsEncoding([examplePath('launch.md'), examplePath('roadmap.md')]));

describe(
  'write-back keeps encoding, BOM and line endings of seeds',
  { skip: skipWithoutShared('seeds') },
  () => keepsEncoding(seedFiles().filter((f) => /00[124]_/u.test(basename(f)))),
);

describe('write-back safety', () => {
  const seed = examplePath('roadmap.md');

  it('refuses to write a file changed on disk since import, and leaves it untouched', async () => {
    const { ws, root, done } = await tempWorkspace();
    try {
      const { file } = importCopy(seed, root);
      const { stored } = await importPlan(ws, file, 'test');
      const edited = Buffer.concat([readFileSync(file), Buffer.from('\n- [ ] my new item\n')]);
      writeFileSync(file, edited);
      const item = firstItem(stored.plan)!;
      await assert.rejects(checkItem(ws, item.id, 'test'), (e: unknown) => {
        assert.ok(e instanceof ConflictError);
        assert.match(e.message, /changed on disk since it was imported/u);
        assert.match(String(e.data.hint), /pulser import/u);
        return true;
      });
      assert.deepEqual(readFileSync(file), edited);
      const task = [...allTasks(stored.plan)][0]!;
      await assert.rejects(setStatus(ws, task.id, 'done', 'test'), ConflictError);
      assert.deepEqual(readFileSync(file), edited);
    } finally {
      await done();
    }
  });

  it('keeps the file mode and records plan.written then plan.imported', async () => {
    const { ws, root, done } = await tempWorkspace();
    try {
      const { file } = importCopy(seed, root);
      chmodSync(file, 0o640);
      const { stored } = await importPlan(ws, file, 'test');
      const item = firstItem(stored.plan)!;
      await checkItem(ws, item.id, 'tester');
      assert.equal(statSync(file).mode & 0o777, 0o640);
      const events = await ws.store.events.read({ types: ['plan.*'] });
      assert.deepEqual(
        events.map((e) => e.type),
        ['plan.imported', 'plan.written', 'plan.imported'],
      );
      const written = events[1]!.data as {
        nodeId: string;
        edits: Array<{ from: string; to: string }>;
      };
      assert.equal(written.nodeId, item.id);
      assert.deepEqual(
        written.edits.map((e) => [e.from, e.to]),
        [[' ', 'x']],
      );
      assert.equal(events[1]!.actor, 'tester');
    } finally {
      await done();
    }
  });

  it('checking an item already checked writes nothing', async () => {
    const { ws, root, done } = await tempWorkspace();
    try {
      const { file } = importCopy(seed, root);
      const { stored } = await importPlan(ws, file, 'test');
      const item = firstItem(stored.plan)!;
      await checkItem(ws, item.id, 'test');
      const once = readFileSync(file);
      const again = await checkItem(ws, item.id, 'test');
      assert.equal(again.changed, false);
      assert.deepEqual(readFileSync(file), once);
    } finally {
      await done();
    }
  });

  it('refuses check-item on a phase and set-status on an item, with usage errors', async () => {
    const { ws, root, done } = await tempWorkspace();
    try {
      const { file } = importCopy(seed, root);
      const { stored } = await importPlan(ws, file, 'test');
      await assert.rejects(checkItem(ws, stored.plan.phases[0]!.id, 'test'), UsageError);
      await assert.rejects(setStatus(ws, firstItem(stored.plan)!.id, 'done', 'test'), UsageError);
    } finally {
      await done();
    }
  });

  it('writes a status mark in the mojibake encoding the document uses', async () => {
    const { ws, root, done } = await tempWorkspace();
    try {
      const { file } = importCopy(examplePath('edge', 'mojibake.md'), root);
      const { stored } = await importPlan(ws, file, 'test');
      assert.equal(stored.plan.repairedFrom, 'windows-1252');
      const task = [...allTasks(stored.plan)].find((t) => t.id === 'phase-1/task-1-2')!;
      const before = readFileSync(file, 'utf8').split('\n')[task.pos.line - 1]!;
      await setStatus(ws, task.id, 'done', 'test');
      const after = readFileSync(file, 'utf8').split('\n')[task.pos.line - 1]!;
      assert.equal(after, `${before} \u00e2\u0153\u2026`, 'the ✅ mark written as âœ…');
      const now = [...allTasks((await ws.store.plans.get(stored.id))!.plan)].find(
        (t) => t.id === task.id,
      );
      assert.equal(now?.status, 'done');
      assert.ok([...flattenItems(now.checklist)].length > 0);
    } finally {
      await done();
    }
  });
});
