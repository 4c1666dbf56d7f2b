import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importedPlan, pulser } from '../util/test-helpers.js';

const PLAN = `# Release plan

## Phase 1: Build

### Task 1.1: Prepare
\`\`\`sh
echo preparing > prep.txt
\`\`\`

### Task 1.2: Compile
Depends on: Task 1.1
\`\`\`sh
cat prep.txt
echo compiled
\`\`\`

## Phase 2: Check

### Task 2.1: Fail
\`\`\`sh
echo "about to fail" >&2
exit 4
\`\`\`
`;

describe('pulser runtime commands (real CLI, real processes)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulser-run-cli-'));
    writeFileSync(join(dir, 'plan.md'), PLAN);
    assert.equal(pulser(dir, 'import', 'plan.md').code, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  let runId = '';

  it('run stops at untrusted steps, says how to trust, and exits 3', () => {
    const r = pulser(dir, 'run', 'phase-1');
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /awaiting approval \(untrusted command\)/u);
    assert.match(r.stdout, /pulser trust plan\.md/u);
    assert.equal(existsSync(join(dir, 'prep.txt')), false);
    runId = /(run-[0-9a-f]{8})/u.exec(r.stdout)![1]!;
  });

  it('trust releases the waiting steps; run --resume executes them and exits 0', () => {
    const t = pulser(dir, 'trust', 'plan.md');
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /trusted plan\.md .*: 3 commands$/mu);
    assert.match(t.stdout, /released 2 waiting step/u);
    const r = pulser(dir, 'run', '--resume', runId);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${runId}\\.2 \\| preparing`, 'u'));
    assert.match(r.stdout, /SUCCEEDED/u);
    // The history says the trust grant released the steps, not that someone approved them.
    assert.match(r.stdout, /released: cli:\S+ trusted its command/u);
    assert.doesNotMatch(r.stdout, /approved by/u);
    const show = pulser(dir, 'trust', '--show', '--json');
    const plans = (JSON.parse(show.stdout) as { plans: Array<{ status: string }> }).plans;
    assert.equal(plans[0]!.status, 'full');
  });

  it('a failing step retries, is quarantined, and the exit code says so; --json streams events', () => {
    const r = pulser(dir, 'run', 'phase-2', '--json', '--lane', 'B');
    assert.equal(r.code, 3, r.stderr);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: { retryable?: boolean } });
    assert.equal(events.filter((e) => e.type === 'step.failed').length, 4);
    assert.equal(events.filter((e) => e.type === 'step.retry_scheduled').length, 3);
    assert.equal(events.at(-1)!.type, 'step.quarantined');
    const id = (events.at(-1) as unknown as { subject: string }).subject;
    const ab = pulser(dir, 'resolve', id, 'abort');
    assert.equal(ab.code, 0, ab.stderr);
    const list = pulser(dir, 'runs', '--status', 'failed', '--lane', 'B');
    assert.match(list.stdout, /failed\s+B/u);
    const logs = pulser(dir, 'logs', id.split('.')[0]!);
    assert.match(logs.stdout, /! about to fail/u);
  });

  it('runs lists, filters and searches; runs RUN shows steps', () => {
    const all = pulser(dir, 'runs');
    assert.equal(all.code, 0);
    assert.match(all.stdout, /succeeded\s+main/u);
    assert.match(pulser(dir, 'runs', '--search', 'Build').stdout, /Phase 1: Build/u);
    assert.doesNotMatch(pulser(dir, 'runs', '--search', 'Build').stdout, /Phase 2/u);
    const one = pulser(dir, 'runs', runId);
    assert.match(one.stdout, new RegExp(`${runId}\\.1\\s+succeeded`, 'u'));
    const bad = pulser(dir, 'runs', '--status', 'sleeping');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid status "sleeping"/u);
  });

  it('bad IDs get a one-line error with close IDs suggested, no stack trace', () => {
    const typo = runId.slice(0, -1) + (runId.endsWith('0') ? '1' : '0');
    const r = pulser(dir, 'logs', typo);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`no run with ID ${typo}\\n  hint: did you mean ${runId}`, 'u'),
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /u);
    const s = pulser(dir, 'approve', `${runId}.9`);
    assert.equal(s.code, 1);
    assert.match(s.stderr, /no step 9 in run/u);
    const a = pulser(dir, 'approve', `${runId}.1`);
    assert.equal(a.code, 1);
    assert.match(a.stderr, /is succeeded, not awaiting approval/u);
  });

  it('sessions: archive hides a session and its runs', () => {
    const s = pulser(dir, 'sessions', '--json');
    const sessions = (JSON.parse(s.stdout) as { sessions: Array<{ id: string; runs: number }> })
      .sessions;
    assert.equal(sessions.length, 1);
    const id = sessions[0]!.id;
    assert.equal(pulser(dir, 'session', 'archive', id).code, 0);
    assert.match(pulser(dir, 'sessions').stdout, /no sessions/u);
    assert.match(pulser(dir, 'sessions', '--archived').stdout, /\(archived\)/u);
    assert.match(pulser(dir, 'runs').stdout, /no runs/u);
    assert.match(pulser(dir, 'runs', '--archived').stdout, /Phase 1: Build/u);
  });

  it('--detach only enqueues; --trust-unsafely is loud; retry reopens a run', () => {
    writeFileSync(
      join(dir, 'other.md'),
      '# Other\n\n## Task X\n\n```sh\necho unsafe > unsafe.txt\n```\n',
    );
    assert.equal(pulser(dir, 'import', 'other.md').code, 0);
    const d = pulser(dir, 'run', 'other', '--detach', '--new-session', 'later');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /queued run-[0-9a-f]{8} \(1 step\)/u);
    assert.match(d.stdout, /^1 step waits because its command is not trusted:$/mu);
    const u = pulser(dir, 'run', 'other', '--trust-unsafely');
    assert.equal(u.code, 0, u.stderr);
    assert.match(u.stderr, /WARNING: --trust-unsafely/u);
    assert.equal(existsSync(join(dir, 'unsafe.txt')), true);
    const failed = /(run-[0-9a-f]{8})/u.exec(
      pulser(dir, 'runs', '--status', 'failed', '--archived').stdout,
    )![1]!;
    const r = pulser(dir, 'retry', failed);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /re-queued/u);
  });

  it('every runtime command has --help', () => {
    for (const cmd of [
      'run',
      'runs',
      'logs',
      'retry',
      'approve',
      'reject',
      'resolve',
      'cancel',
      'sessions',
      'trust',
      'untrust',
      'worker',
    ]) {
      const r = pulser(dir, cmd, '--help');
      assert.equal(r.code, 0, cmd);
      assert.match(r.stdout, new RegExp(`Usage: pulser ${cmd}`, 'u'));
    }
    assert.equal(pulser(dir, 'session', 'archive', '--help').code, 0);
  });

  it('a run cancelled then retried shows its cancellation as history, not as its state', () => {
    const { root: own, done } = importedPlan(PLAN);
    try {
      // Untrusted: the run stops with its first step waiting for a person (exit 3).
      const started = pulser(own, 'run', 'plan:phase-1', '--json');
      assert.equal(started.code, 3, started.stderr);
      const runId = (
        JSON.parse(pulser(own, 'runs', '--json').stdout) as { runs: Array<{ id: string }> }
      ).runs[0]!.id;
      assert.equal(pulser(own, 'cancel', runId).code, 0);
      const cancelled = pulser(own, 'runs', runId);
      assert.match(cancelled.stdout, new RegExp(`^ {18}cancelled by cli:`, 'mu'));
      const retried = pulser(own, 'retry', runId);
      assert.equal(retried.code, 0, retried.stderr);
      const shown = pulser(own, 'runs', runId);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /^ {18}earlier: cancelled by cli:/mu);
      assert.doesNotMatch(shown.stdout, /^ {18}cancelled by/mu);
    } finally {
      done();
    }
  });
});
