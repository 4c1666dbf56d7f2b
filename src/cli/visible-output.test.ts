/**
 * Text from a document reaches a terminal only made visible: a plan whose title holds a
 * terminal escape (ESC) and a right-to-left override (U+202E) is reported to stdout with both
 * shown as escapes, in every format, and the JSON still decodes to the title as written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { importedPlan, pulser } from '../util/test-helpers.js';

const TITLE = 'Launch \u001b[31mred\u001b[0m \u202eevil';
const PLAN = `# ${TITLE}

## Phase 1: Build

### Task 1.1: Do it

- [ ] a thing

**Exit criteria:**

- [ ] Reviewed by a person
`;

/** No raw ESC, no raw bidi override. */
function noRaw(text: string, what: string): void {
  assert.ok(!text.includes('\u001b'), `${what} holds a raw ESC`);
  assert.ok(!text.includes('\u202e'), `${what} holds a raw U+202E`);
}

describe('document text on stdout is made visible', () => {
  let project: ReturnType<typeof importedPlan>;
  let root = '';
  before(() => {
    project = importedPlan(PLAN);
    root = project.root;
    assert.equal(pulser(root, 'check').code, 1); // the manual criterion is pending
  });
  after(() => project.done());

  it('pulser report (markdown) shows the escapes, and its hints name the plan', () => {
    const r = pulser(root, 'report');
    assert.equal(r.code, 0, r.stderr);
    noRaw(r.stdout, 'the markdown report');
    assert.ok(r.stdout.includes('# Pulser report: Launch \\x1b[31mred\\x1b[0m \\u202eevil'));
    assert.ok(
      r.stdout.includes(
        '`pulser signoff plan:phase-1/task-1-1/exit/reviewed-by-a-person --reason "..."`',
      ),
      r.stdout,
    );
  });

  it('pulser report --format json stays JSON that decodes to the title as written', () => {
    const r = pulser(root, 'report', '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    noRaw(r.stdout, 'the JSON report');
    const report = JSON.parse(r.stdout) as { plans: Array<{ title: string }> };
    assert.equal(report.plans[0]?.title, TITLE);
  });

  it('pulser report --format html, and pulser status', () => {
    for (const args of [['report', '--format', 'html'], ['status']]) {
      const r = pulser(root, ...args);
      assert.equal(r.code, 0, r.stderr);
      noRaw(r.stdout, `pulser ${args.join(' ')}`);
      assert.ok(r.stdout.includes('\\u202eevil'), `pulser ${args.join(' ')} shows the title`);
    }
  });
});
