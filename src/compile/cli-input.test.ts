import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_PLAN_BYTES } from './index.js';
import { skipWithoutShared } from '../util/test-helpers.js';

// Bad input through the real `pulser` binary, as a child process: each case ends with a clear
// error or diagnostics, the right exit code, no stack trace, and never a hang (a case that ran
// into the generous kill timeout would fail with a null status).

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '../../bin/pulser.js');
const SEEDS = resolve(here, '../../../shared/seeds');
const KILL_AFTER_MS = 120_000;
const SEEDS_ONLY = { skip: skipWithoutShared('seeds') };

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function pulser(cwd: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: KILL_AFTER_MS,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PULSER_WORKSPACE: cwd, PULSER_DEBUG: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function noStack(r: Run): void {
  assert.doesNotMatch(r.stderr, /\n\s+at /u, 'no stack trace');
  assert.doesNotMatch(r.stderr, /FATAL|heap out of memory/iu);
}

/** The error line of a failed run: one line naming the file, then at most a hint line. */
function errorLine(r: Run, file: string): string {
  const lines = r.stderr.trimEnd().split('\n');
  assert.ok(lines.length <= 2, `one error line and a hint at most:\n${r.stderr}`);
  const [first = ''] = lines;
  assert.match(first, new RegExp(`^pulser: ${file.replace(/\./gu, '\\.')}`, 'u'));
  if (lines[1] !== undefined) assert.match(lines[1], /^ {2}hint: /u);
  return first;
}

describe('bad input through the real CLI (pulser summary FILE)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulser-bad-input-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an empty file: one-line error, exit 1', () => {
    writeFileSync(join(dir, 'empty.md'), '');
    const r = pulser(dir, 'summary', 'empty.md', '--json');
    assert.equal(r.code, 1);
    assert.match(errorLine(r, 'empty.md'), /is empty/u);
    assert.equal(r.stdout, '');
    noStack(r);
  });

  it('a binary file: one-line error naming file, line and column, exit 1', () => {
    const bytes = new Uint8Array(8192).map((_, i) => (i * 7919 + 13) % 256);
    writeFileSync(join(dir, 'image.png'), bytes);
    const r = pulser(dir, 'summary', 'image.png', '--json');
    assert.equal(r.code, 1);
    assert.match(
      errorLine(r, 'image.png'),
      /^pulser: image\.png:1:1: nothing could be compiled: .*binary/u,
    );
    noStack(r);
  });

  it('a 50 MB file: refused with a one-line error, exit 1, no crash', SEEDS_ONLY, () => {
    const seed = readFileSync(join(SEEDS, readdirSync(SEEDS).sort()[2] ?? ''));
    const copies = Math.ceil((50 * 1024 * 1024) / seed.length);
    const big = Buffer.concat(Array.from({ length: copies }, () => seed));
    assert.ok(big.length >= 50 * 1024 * 1024 && big.length > MAX_PLAN_BYTES);
    writeFileSync(join(dir, 'big.md'), big);
    const r = pulser(dir, 'summary', 'big.md', '--json');
    assert.equal(r.code, 1);
    assert.match(
      errorLine(r, 'big.md'),
      /^pulser: big\.md:1:1: nothing could be compiled: The file is 50\.\d MB, more than the 4\.0 MB/u,
    );
    noStack(r);
  });

  it('a file just under the size limit made of nothing but list items compiles', () => {
    const line = '- [ ] x\n';
    const body = `## Phase 1\n${line.repeat(Math.floor((MAX_PLAN_BYTES - 11) / line.length))}`;
    assert.ok(Buffer.byteLength(body) <= MAX_PLAN_BYTES);
    writeFileSync(join(dir, 'dense.md'), body);
    const r = pulser(dir, 'summary', 'dense.md', '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { totals: { checkboxes: { total: number } } };
    assert.equal(s.totals.checkboxes.total, Math.floor((MAX_PLAN_BYTES - 11) / line.length));
    noStack(r);
  });

  it('an unterminated fence: a positioned warning, the rest still compiles, exit 0', () => {
    writeFileSync(join(dir, 'fence.md'), '# Plan\n\n## Phase 1\n- [ ] a\n\n```bash\nmake\n');
    const r = pulser(dir, 'summary', 'fence.md', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^fence\.md:6:1: warning: The code block opened here is never closed/mu);
    const s = JSON.parse(r.stdout) as { totals: { steps: number; checkboxes: { total: number } } };
    assert.deepEqual([s.totals.steps, s.totals.checkboxes.total], [0, 1]);
    noStack(r);
  });

  it('lists nested 10,000 levels deep: a warning, no stack overflow, exit 0', () => {
    // Ten thousand levels on one line, in block quotes, and as a list indented ever deeper.
    writeFileSync(join(dir, 'deep-line.md'), `${'- '.repeat(10_000)}x\n`);
    writeFileSync(join(dir, 'deep-quote.md'), `${'> '.repeat(10_000)}x\n`);
    const deep = Array.from(
      { length: 10_000 },
      (_, i) => `${'  '.repeat(Math.min(i, 150))}- [ ] ${i}`,
    );
    writeFileSync(join(dir, 'deep.md'), `## Phase 1\n${deep.join('\n')}\n`);
    for (const file of ['deep-line.md', 'deep-quote.md', 'deep.md']) {
      const r = pulser(dir, 'summary', file, '--json');
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `^${file.replace('.', '\\.')}:\\d+:\\d+: warning: Content is nested more than 100 levels deep`,
          'mu',
        ),
      );
      JSON.parse(r.stdout);
      noStack(r);
    }
  });

  it('invalid UTF-8: read as Windows-1252 with a positioned warning, exit 0', () => {
    const head = Buffer.from('# Plan\n## Phase 1: Caf', 'utf8');
    writeFileSync(join(dir, 'latin1.md'), Buffer.concat([head, Buffer.from([0xe9, 0x0a])]));
    const r = pulser(dir, 'summary', 'latin1.md', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^latin1\.md:2:16: warning: The file is not valid UTF-8/mu);
    const s = JSON.parse(r.stdout) as { phases: Array<{ title: string }> };
    assert.equal(s.phases[0]?.title, 'Phase 1: Café');
    noStack(r);
  });

  it('a missing file and a directory: one-line errors, exit 1', () => {
    const missing = pulser(dir, 'summary', 'nope.md', '--json');
    assert.equal(missing.code, 1);
    assert.match(errorLine(missing, 'nope.md'), /no such file/u);
    noStack(missing);
    mkdirSync(join(dir, 'plans'), { recursive: true });
    const directory = pulser(dir, 'summary', 'plans', '--json');
    assert.equal(directory.code, 1);
    assert.match(errorLine(directory, 'plans'), /is a directory/u);
    noStack(directory);
  });
});

describe('pulser summary FILE --json prints exactly the documented shape', SEEDS_ONLY, () => {
  const PHASE_KEYS = [
    'checkboxes',
    'commands',
    'criteria',
    'id',
    'status',
    'steps',
    'tasks',
    'title',
  ];
  const TOTAL_KEYS = [
    'checkboxes',
    'commands',
    'criteria',
    'metricTargets',
    'owners',
    'phases',
    'steps',
    'tasks',
  ];
  const STATUSES = ['done', 'in_progress', 'open', 'blocked', 'deferred', 'unknown'];

  function isCount(value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const c = value as Record<string, unknown>;
    return (
      Object.keys(c).sort().join() === 'checked,total' &&
      Number.isInteger(c.total) &&
      Number.isInteger(c.checked) &&
      (c.checked as number) <= (c.total as number)
    );
  }

  for (const name of readdirSync(SEEDS).sort()) {
    it(`${name}: every field, named and typed as the issue says`, () => {
      const r = pulser(SEEDS, 'summary', name, '--json');
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(s).sort(), [
        'diagnostics',
        'phases',
        'repairedFrom',
        'title',
        'totals',
      ]);
      assert.equal(typeof s.title, 'string');
      assert.ok([null, 'windows-1252', 'macintosh'].includes(s.repairedFrom as string | null));
      assert.ok(Array.isArray(s.phases));
      let phaseBoxes = 0;
      for (const p of s.phases as Array<Record<string, unknown>>) {
        assert.deepEqual(Object.keys(p).sort(), PHASE_KEYS);
        assert.equal(typeof p.id, 'string');
        assert.equal(typeof p.title, 'string');
        assert.ok(STATUSES.includes(p.status as string), String(p.status));
        for (const k of ['tasks', 'criteria', 'steps']) assert.ok(Number.isInteger(p[k]), k);
        assert.ok(isCount(p.checkboxes));
        phaseBoxes += (p.checkboxes as { total: number }).total;
      }
      const t = s.totals as Record<string, unknown>;
      assert.deepEqual(Object.keys(t).sort(), TOTAL_KEYS);
      for (const k of ['phases', 'tasks', 'criteria', 'steps', 'metricTargets'])
        assert.ok(Number.isInteger(t[k]), k);
      assert.equal(t.phases, (s.phases as unknown[]).length);
      assert.ok(isCount(t.checkboxes));
      // Every checkbox in the document counts, inside a phase or not.
      assert.ok((t.checkboxes as { total: number }).total >= phaseBoxes);
      const boxes = readFileSync(join(SEEDS, name), 'utf8').match(
        /^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]\s/gmu,
      );
      assert.equal((t.checkboxes as { total: number }).total, boxes?.length ?? 0);
      assert.ok(Array.isArray(t.owners) && t.owners.every((o) => typeof o === 'string'));
      assert.equal(r.stderr.includes('\n    at '), false);
    });
  }
});
