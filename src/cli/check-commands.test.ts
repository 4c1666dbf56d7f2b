/**
 * The check, signoff, metric, report and replay commands through the real CLI binary.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pulser, type PulserRun } from '../util/test-helpers.js';

const PLAN = `# Launch

## Phase 1: Build

**Exit criteria:**

- Reviewed by a person
- Error rate <2%
`;

let dir = '';

/** `pulser ...args` in this file's workspace; its errors never show a stack trace. */
function pulserHere(...args: string[]): PulserRun {
  const r = pulser(dir, ...args);
  assert.doesNotMatch(r.stderr, /\n\s+at /u, 'no stack trace');
  return r;
}

describe('pulser check, signoff, metric, report, replay (real CLI)', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulser-check-cli-'));
    writeFileSync(join(dir, 'plan.md'), PLAN);
    assert.equal(pulserHere('import', 'plan.md').code, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('check exits 1 while the gate does not pass, 0 once it does', () => {
    const pending = pulserHere('check');
    assert.equal(pending.code, 1);
    assert.match(pending.stdout, /phase-1: Phase 1: Build {2}gate PENDING \(0\/3 passing\)/u);
    assert.match(pending.stdout, /0\/1 gate passes;/u);
    const bad = pulserHere('metric', 'set', 'error-rate', 'low');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"low" is not a measured value/u);
    assert.equal(
      pulserHere('signoff', 'phase-1/exit/reviewed-by-a-person').code,
      2,
      '--reason is required',
    );
    assert.equal(pulserHere('metric', 'set', 'error-rate', '1.2%').code, 0);
    const signed = pulserHere(
      'signoff',
      'phase-1/exit/reviewed-by-a-person',
      '--reason',
      'read it',
    );
    assert.equal(signed.code, 0, signed.stderr);
    const ok = pulserHere('check', 'phase-1');
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /gate PASS \(3\/3 passing\)/u);
    const json = JSON.parse(pulserHere('check', '--json', '--no-record').stdout) as {
      recorded: number;
    };
    assert.equal(json.recorded, 0);
    assert.match(
      pulserHere('metric', 'list').stdout,
      /PASS {5}plan:phase-1\/metric\/error-rate-2/u,
    );
  });

  it('check runs command verifiers only once trusted, and says how', () => {
    writeFileSync(
      join(dir, 'cmd.md'),
      '# Cmd\n\n## Phase 1: Run\n\n**Exit criteria:**\n\n- Canary <!-- verify: command `touch canary && echo made` match="made" -->\n',
    );
    assert.equal(pulserHere('import', 'cmd.md').code, 0);
    const waiting = pulserHere('check', 'cmd');
    assert.equal(waiting.code, 1);
    assert.match(
      waiting.stdout,
      /NOT RUN +phase-1\/exit\/canary +command \(annotation\) +awaiting approval: pulser trust cmd\.md or pulser approve run-/u,
    );
    assert.match(waiting.stdout, /then `pulser trust cmd\.md` and check again/u);
    assert.equal(existsSync(join(dir, 'canary')), false);
    assert.equal(pulserHere('trust', 'cmd.md').code, 0);
    const ok = pulserHere('check', 'cmd', '--json');
    assert.equal(ok.code, 0, ok.stdout);
    const verdict = (
      JSON.parse(ok.stdout) as {
        plans: Array<{
          criteria: Array<{ verdict: { status: string; evidence: Record<string, unknown> } }>;
        }>;
      }
    ).plans[0]!.criteria[0]!.verdict;
    assert.equal(verdict.status, 'pass');
    assert.equal(verdict.evidence['exitCode'], 0);
    assert.equal(verdict.evidence['matched'], true);
    assert.match(String(verdict.evidence['stepId']), /^run-[0-9a-f]+\.1$/u);
    assert.equal(existsSync(join(dir, 'canary')), true);
    assert.match(
      pulserHere('check', 'cmd').stdout,
      /PASS +phase-1\/exit\/canary +command \(annotation\) +`touch canary && echo made` exited 0 and its output matches \/made\/ \(step run-/u,
    );
  });

  it('report writes md, json and html; replay proves them; the ledger verifies', () => {
    for (const format of ['md', 'json', 'html']) {
      const r = pulserHere('report', '--format', format, '--out', `report.${format}`);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /\| Phase 1: Build \|/u);
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /^<!doctype html>/u);
    const replay = pulserHere('replay');
    assert.equal(replay.code, 0, replay.stdout);
    assert.match(replay.stdout, /all 3 reports rebuilt byte for byte/u);
    assert.equal(pulserHere('report', '--format', 'pdf').code, 2);
    const verify = pulserHere('ledger', 'verify');
    assert.equal(verify.code, 0, verify.stdout);
  });
});
