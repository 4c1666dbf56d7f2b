/**
 * The check, signoff, metric, report and replay commands through the real CLI binary.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/pulser.js');

const PLAN = `# Launch

## Phase 1: Build

**Exit criteria:**

- Reviewed by a person
- Error rate <2%
`;

let dir = '';

function pulser(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PULSER_WORKSPACE: dir, PULSER_DEBUG: '' },
  });
  assert.doesNotMatch(r.stderr, /\n\s+at /u, 'no stack trace');
  return r;
}

describe('pulser check, signoff, metric, report, replay (real CLI)', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulser-check-cli-'));
    writeFileSync(join(dir, 'plan.md'), PLAN);
    assert.equal(pulser('import', 'plan.md').status, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('check exits 1 while the gate does not pass, 0 once it does', () => {
    const pending = pulser('check');
    assert.equal(pending.status, 1);
    assert.match(pending.stdout, /phase-1: Phase 1: Build {2}gate PENDING \(0\/3 passing\)/u);
    assert.match(pending.stdout, /0\/1 gates pass/u);
    const bad = pulser('metric', 'set', 'error-rate', 'low');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /"low" is not a measured value/u);
    assert.equal(
      pulser('signoff', 'phase-1/exit/reviewed-by-a-person').status,
      2,
      '--reason is required',
    );
    assert.equal(pulser('metric', 'set', 'error-rate', '1.2%').status, 0);
    const signed = pulser('signoff', 'phase-1/exit/reviewed-by-a-person', '--reason', 'read it');
    assert.equal(signed.status, 0, signed.stderr);
    const ok = pulser('check', 'phase-1');
    assert.equal(ok.status, 0, ok.stdout);
    assert.match(ok.stdout, /gate PASS \(3\/3 passing\)/u);
    const json = JSON.parse(pulser('check', '--json', '--no-record').stdout) as {
      recorded: number;
    };
    assert.equal(json.recorded, 0);
    assert.match(pulser('metric', 'list').stdout, /PASS {5}plan:phase-1\/metric\/error-rate-2/u);
  });

  it('check runs command verifiers only once trusted, and says how', () => {
    writeFileSync(
      join(dir, 'cmd.md'),
      '# Cmd\n\n## Phase 1: Run\n\n**Exit criteria:**\n\n- Canary <!-- verify: command `touch canary && echo made` match="made" -->\n',
    );
    assert.equal(pulser('import', 'cmd.md').status, 0);
    const waiting = pulser('check', 'cmd');
    assert.equal(waiting.status, 1);
    assert.match(
      waiting.stdout,
      /NOT RUN +phase-1\/exit\/canary +command \(annotation\) +awaiting approval: pulser trust cmd\.md or pulser approve run-/u,
    );
    assert.match(waiting.stdout, /then `pulser trust cmd\.md` and check again/u);
    assert.equal(existsSync(join(dir, 'canary')), false);
    assert.equal(pulser('trust', 'cmd.md').status, 0);
    const ok = pulser('check', 'cmd', '--json');
    assert.equal(ok.status, 0, ok.stdout);
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
      pulser('check', 'cmd').stdout,
      /PASS +phase-1\/exit\/canary +command \(annotation\) +`touch canary && echo made` exited 0 and its output matches \/made\/ \(step run-/u,
    );
  });

  it('report writes md, json and html; replay proves them; the ledger verifies', () => {
    for (const format of ['md', 'json', 'html']) {
      const r = pulser('report', '--format', format, '--out', `report.${format}`);
      assert.equal(r.status, 0, r.stderr);
    }
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /\| Phase 1: Build \|/u);
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /^<!doctype html>/u);
    const replay = pulser('replay');
    assert.equal(replay.status, 0, replay.stdout);
    assert.match(replay.stdout, /all 3 report\(s\) rebuilt byte for byte/u);
    assert.equal(pulser('report', '--format', 'pdf').status, 2);
    const verify = pulser('ledger', 'verify');
    assert.equal(verify.status, 0, verify.stdout);
  });
});
