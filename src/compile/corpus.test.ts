/**
 * Conformance: every annotated document of ../shared/corpus is read and scored the way
 * ../shared/corpus/score.mjs scores `pulser summary --json`; the test fails when a headline
 * number drops below the level this reader reached. Skipped, with one line, when ../shared is
 * absent; under CI=true it must be present.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedPath, skipWithoutShared } from '../util/test-helpers.js';
import { compilePlan, summarizePlan } from './index.js';

const corpus = sharedPath('corpus');
const skip = skipWithoutShared('corpus', 'docs');

/** The floor of each headline number (32 documents, 207 phase statuses). */
const FLOOR = {
  crashes: 0,
  title: 31,
  phases: 31,
  statuses: 188,
  tasks: 29,
  checkboxTotals: 32,
  checked: 32,
  commands: 31,
  criteria: 27,
};

interface Expected {
  readonly title: string | null;
  readonly phases: ReadonlyArray<{ readonly status: string; readonly exit_criteria: number }>;
  readonly totals: {
    readonly tasks: number;
    readonly checkboxes_total: number;
    readonly checkboxes_checked: number;
    readonly commands: number;
  };
}

const letters = (s: string | null): string =>
  (s ?? '').replace(/[^\p{L}\p{N}]/gu, '').toLowerCase();
const near = (got: number, exp: number): boolean => Math.abs(got - exp) <= Math.max(2, 0.2 * exp);

test('the corpus reads at least as well as the reader reached', { skip }, () => {
  const files = readdirSync(join(corpus, 'docs')).filter((f) => f.endsWith('.md'));
  assert.ok(files.length >= 32, 'the corpus has its 32 documents');
  const score = { ...FLOOR };
  for (const k of Object.keys(score) as (keyof typeof score)[]) score[k] = 0;
  for (const f of files.sort()) {
    const exp = JSON.parse(
      readFileSync(join(corpus, 'expected', f.replace(/\.md$/u, '.json')), 'utf8'),
    ) as Expected;
    const { plan } = compilePlan(readFileSync(join(corpus, 'docs', f)), { path: f });
    if (!plan) {
      score.crashes++;
      continue;
    }
    const s = summarizePlan(plan);
    const gotTitle = letters(s.title);
    const expTitle = letters(exp.title);
    if (gotTitle.includes(expTitle.slice(0, 20)) || expTitle.includes(gotTitle)) score.title++;
    if (s.phases.length === exp.phases.length) {
      score.phases++;
      exp.phases.forEach((p, i) => {
        if (s.phases[i]?.status === p.status) score.statuses++;
      });
    }
    if (near(s.totals.tasks, exp.totals.tasks)) score.tasks++;
    if (s.totals.checkboxes.total === exp.totals.checkboxes_total) score.checkboxTotals++;
    if (s.totals.checkboxes.checked === exp.totals.checkboxes_checked) score.checked++;
    if (near(s.totals.commands, exp.totals.commands)) score.commands++;
    const criteria = s.phases.reduce((n, p) => n + p.criteria, 0);
    if (
      near(
        criteria,
        exp.phases.reduce((n, p) => n + p.exit_criteria, 0),
      )
    )
      score.criteria++;
  }
  assert.equal(score.crashes, 0, 'no document fails to compile');
  for (const k of Object.keys(FLOOR) as (keyof typeof FLOOR)[]) {
    if (k === 'crashes') continue;
    assert.ok(score[k] >= FLOOR[k], `${k}: ${score[k]} is below ${FLOOR[k]}`);
  }
});
