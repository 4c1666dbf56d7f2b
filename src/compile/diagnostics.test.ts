import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compilePlan } from './index.js';
import { sharedTest } from '../util/test-helpers.js';

const test = sharedTest('seeds');

const seedDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/seeds');

test('every diagnostic of every seed is one line (quoted samples keep their line breaks escaped)', () => {
  let seen = 0;
  for (const name of readdirSync(seedDir).sort()) {
    const { diagnostics } = compilePlan(readFileSync(join(seedDir, name)), { path: name });
    for (const d of diagnostics) {
      seen++;
      assert.doesNotMatch(d.message, /[\r\n]/u, `${name}:${d.line}: ${d.message}`);
    }
  }
  assert.ok(seen > 0, 'the seeds do produce diagnostics (seed 002 has unrepairable mojibake)');
});
