import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from 'node:inspector';
import { compilePlan } from './index.js';

// Compile work grows linearly with the input, proven by counting work, not by timing it.
//
// Work is counted two ways, both deterministic:
// - JavaScript: V8's precise block coverage counts how many times every block of every
//   function ran (loop bodies once per iteration), in the compiler and in markdown-it alike;
// - native string searches: String.prototype.indexOf / lastIndexOf / includes and every
//   regular-expression execution (replace, split, match, test and friends all go through
//   RegExp.prototype.exec once it is replaced) add the number of characters they had to look
//   at, from where they started to where they matched or gave up.
// For each pathological family, the input is grown 4× and 16×: linear work grows about 4× per
// step (a bit less: fixed costs), quadratic work 16×. Each step may grow at most 5×.

interface Meter {
  /** Runs `fn` and returns the work it did. */
  measure(fn: () => void): number;
  stop(): void;
}

function startMeter(): Meter {
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}): unknown => {
    // The in-process inspector answers synchronously.
    let result: unknown;
    let failure: Error | undefined;
    session.post(method, params, (error, value) => {
      failure = error ?? undefined;
      result = value;
    });
    if (failure !== undefined) throw new Error(`${method}: ${String(failure)}`);
    return result;
  };
  post('Profiler.enable');
  post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });

  let scanned = 0;
  const S = String.prototype;
  /* eslint-disable @typescript-eslint/unbound-method -- the originals are called with .call */
  const originals = { indexOf: S.indexOf, lastIndexOf: S.lastIndexOf, includes: S.includes };
  const exec = RegExp.prototype.exec;
  /* eslint-enable @typescript-eslint/unbound-method */
  S.indexOf = function indexOf(this: string, needle: string, from?: number): number {
    const start = Math.max(0, Math.min(from ?? 0, this.length));
    const at = originals.indexOf.call(this, needle, from);
    scanned += (at === -1 ? this.length : at + String(needle).length) - start + 1;
    return at;
  };
  S.lastIndexOf = function lastIndexOf(this: string, needle: string, from?: number): number {
    const start = Math.min(from ?? this.length, this.length);
    const at = originals.lastIndexOf.call(this, needle, from);
    scanned += start - (at === -1 ? 0 : at) + 1;
    return at;
  };
  S.includes = function includes(this: string, needle: string, from?: number): boolean {
    const start = Math.max(0, Math.min(from ?? 0, this.length));
    const at = originals.indexOf.call(this, needle, from);
    scanned += (at === -1 ? this.length : at + String(needle).length) - start + 1;
    return at !== -1;
  };
  RegExp.prototype.exec = function execCounted(this: RegExp, input: string) {
    const text = String(input);
    const start = this.global || this.sticky ? this.lastIndex : 0;
    const m = exec.call(this, text);
    if (this.sticky) scanned += m ? m[0].length + 1 : 1;
    else scanned += (m ? m.index + m[0].length : text.length) - start + 1;
    return m;
  };

  const blocks = (): number => {
    const taken = post('Profiler.takePreciseCoverage') as {
      result: Array<{ functions: Array<{ ranges: Array<{ count: number }> }> }>;
    };
    let total = 0;
    for (const script of taken.result)
      for (const fn of script.functions) for (const r of fn.ranges) total += r.count;
    return total;
  };
  return {
    measure(fn) {
      blocks();
      scanned = 0;
      fn();
      return blocks() + scanned;
    },
    stop() {
      S.indexOf = originals.indexOf;
      S.lastIndexOf = originals.lastIndexOf;
      S.includes = originals.includes;
      RegExp.prototype.exec = exec;
      post('Profiler.stopPreciseCoverage');
      post('Profiler.disable');
      session.disconnect();
    },
  };
}

const encoder = new TextEncoder();

/** Pathological inputs, each a function of a size `n`. */
const FAMILIES: ReadonlyArray<readonly [string, (n: number) => string]> = [
  ['list markers nested on one line', (n) => `${'- '.repeat(n)}x\n`],
  ['block quotes nested on one line', (n) => `${'> '.repeat(n)}x\n`],
  [
    'checklists nested ever deeper, line after line',
    (n) =>
      `## Phase 1\n${Array.from({ length: n }, (_, i) => `${'  '.repeat(i % 120)}- [ ] item ${i}`).join('\n')}\n`,
  ],
  ['unclosed link brackets', (n) => `${'['.repeat(n)}\n`],
  ['unclosed angle brackets', (n) => `${'<'.repeat(n)}\n`],
  ['unmatched code spans', (n) => `${'`x'.repeat(n)}\n`],
  ['emphasis runs that never close', (n) => `${'*'.repeat(n)}a${'_'.repeat(n)}\n`],
  ['links that never close', (n) => `- [ ] ${'[a](b '.repeat(n)}\n`],
  ['one heading repeated (every ID taken)', (n) => '## Phase 1: Again\n- [ ] same\n'.repeat(n)],
  ['one checkbox repeated (every ID taken)', (n) => `## Phase 1\n${'- [ ] same\n'.repeat(n)}`],
  ['one long mojibake-looking run', (n) => `# ${'â€'.repeat(n)}🚀\n`],
  ['fences opened and closed', (n) => '```\ncode\n```\n```bash\nmake\n```\n'.repeat(n)],
  ['an unterminated fence', (n) => `## Phase 1\n\`\`\`bash\n${'make\n'.repeat(n)}`],
  [
    'a metric table with many rows',
    (n) => `| Metric | Target | Pass |\n|---|---|---|\n${'| m | ≥5% | ✅ if ≥5% |\n'.repeat(n)}`,
  ],
  ['parentheses in a heading', (n) => `## Phase 1 ${'('.repeat(n)}x${')'.repeat(n)}\n`],
  ['colons on one line', (n) => `**${'Owner: '.repeat(n)}**\n`],
  ['mentions on one line', (n) => `- [ ] ${'@a '.repeat(n)}\n`],
  ['status arrows on one line', (n) => `### Task 1: ${'→ '.repeat(n)}Done\n`],
  // The reader's rules over the whole outline.
  ['day headings in a series', (n) => `# P\n${'## Day 1: Work\n- [ ] a\n'.repeat(n)}`],
  [
    'phases each holding a sub-phase',
    (n) =>
      `# P\n${Array.from({ length: n }, (_, i) => `## Phase ${i}\n### Phase ${i}A\n- a\n`).join('')}`,
  ],
  ['template phase headings', (n) => `# P\n## Phase 1\n- a\n${'## Phase X report\n'.repeat(n)}`],
  [
    'priority tiers and sections after them',
    (n) => `# P\n## P0 - Now\n- a\n${'## Later work\n- b\n### Week 1\n- c\n'.repeat(n)}`,
  ],
  [
    'flat Kiro tasks and steps',
    (n) =>
      `## Tasks\n${Array.from({ length: n }, (_, i) => `- [ ] ${i + 1}. Task\n- [ ] ${i + 1}.1 Step\n`).join('')}`,
  ],
  ['Spec Kit task lines', (n) => `## Phase 1\n${'- [ ] T001 [P] [US1] Make it\n'.repeat(n)}`],
  [
    'a task table with many rows',
    (n) =>
      `## Phase 1\n| ID | Task | Status |\n|---|---|---|\n${'| 1 | Do | ✅ Done |\n'.repeat(n)}`,
  ],
  [
    'an overview table of phases',
    (n) => `| Phase | Status |\n|---|---|\n${'| 1 | Done |\n'.repeat(n)}## Phase 1\n- a\n`,
  ],
  ['no phase vocabulary: work areas', (n) => `# P\n${'## Area\n- a\n- b\n'.repeat(n)}`],
  ['mentions of a phase', (n) => `## Phase 1\n- a\n${'## Phase 1 checklist\n- [ ] b\n'.repeat(n)}`],
];

test('compile work grows linearly with the input, for every pathological family', () => {
  const meter = startMeter();
  try {
    for (const [name, make] of FAMILIES) {
      const base = 300;
      const work = [base, 4 * base, 16 * base].map((n) => {
        const bytes = encoder.encode(make(n));
        return meter.measure(() => {
          const { plan } = compilePlan(bytes, { path: 'plan.md' });
          assert.ok(plan, name);
        });
      });
      const [w1 = 0, w4 = 0, w16 = 0] = work;
      assert.ok(
        w4 <= 5 * w1 && w16 <= 5 * w4,
        `${name}: work ${work.join(' → ')} grows faster than the input`,
      );
      assert.ok(
        w16 > 2 * w1,
        `${name}: work ${work.join(' → ')} did not grow at all: the meter saw nothing`,
      );
    }
  } finally {
    meter.stop();
  }
});

test('the meter itself tells linear work from quadratic work', () => {
  const meter = startMeter();
  try {
    const linear = (n: number) => () => {
      const s = 'x'.repeat(n);
      for (let i = 0; i < n; i += 10) s.indexOf('x', i);
    };
    const quadratic = (n: number) => () => {
      const s = 'x'.repeat(n);
      for (let i = 0; i < n; i += 10) s.indexOf('y');
    };
    const [l1, l4] = [1000, 4000].map((n) => meter.measure(linear(n)));
    const [q1, q4] = [1000, 4000].map((n) => meter.measure(quadratic(n)));
    assert.ok((l4 ?? 0) <= 5 * (l1 ?? 0), `linear ${l1} → ${l4}`);
    assert.ok((q4 ?? 0) > 10 * (q1 ?? 0), `quadratic ${q1} → ${q4}`);
  } finally {
    meter.stop();
  }
});
