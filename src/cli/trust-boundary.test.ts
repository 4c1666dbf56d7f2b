// The trust boundary, tried as a hostile user would (issue 9, items 1–6): a command found in a
// document never runs until a person trusts it or approves that execution, whatever path puts
// its step back in the queue; what is shown and what is offered for pasting cannot lie.
// Real `pulser` processes, real SQLite files, a real `pulser serve` with an operator-only token
// for the operator's actions, a real `pulser mcp` process. The untrusted command is
// `touch CANARY`: the file must never appear.
/* eslint-disable no-control-regex -- these tests look for raw control characters */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { shellCommand } from '../util/shell-quote.js';
import {
  agent,
  project,
  runIdIn,
  runSteps,
  server,
  toolText,
  type Project,
  type Server,
} from './boundary-harness.js';

const canaryPlan = (lang = 'sh', command = 'touch CANARY'): string =>
  `# Canary\n\n## Task 1: Touch @ANA\n\n\`\`\`${lang}\n${command}\n\`\`\`\n`;

describe('item 1: cancel or reject, then retry, never runs an untrusted command', () => {
  it('CLI: run --detach, cancel, retry, run --resume leaves the step waiting; CANARY never appears', () => {
    const p = project({ 'plan.md': canaryPlan() }, ['plan.md']);
    try {
      const runId = runIdIn(p.pulser('run', '--detach').stdout);
      assert.equal(p.pulser('cancel', runId).code, 0);
      const retried = p.pulser('retry', runId);
      assert.equal(retried.code, 0, retried.stderr);
      const resumed = p.pulser('run', '--resume', runId);
      assert.equal(p.exists('CANARY'), false);
      assert.equal(resumed.code, 3, 'the run waits for a person');
      const [step] = runSteps(p, runId);
      assert.equal(step!.state, 'awaiting_approval');
      assert.equal(step!.authority, 'none');
      assert.equal(step!.approvalReason, 'untrusted');
      assert.match(retried.stdout, /waits for a person/u);
    } finally {
      p.done();
    }
  });

  it('CLI: a rejection is final for that execution; a retry asks again, even once trusted', () => {
    const p = project({ 'plan.md': canaryPlan('sh', 'echo ran >> RAN') }, ['plan.md']);
    try {
      const runId = runIdIn(p.pulser('run', '--detach').stdout);
      assert.equal(p.pulser('reject', `${runId}.1`, '--reason', 'no').code, 0);
      assert.equal(p.pulser('retry', `${runId}.1`).code, 0);
      assert.equal(p.pulser('run', '--resume', runId).code, 3);
      assert.equal(p.exists('RAN'), false);
      assert.equal(runSteps(p, runId)[0]!.approvalReason, 'rejected');
      // Trusting the plan later does not override the person's "no" for that step.
      assert.equal(p.pulser('trust', 'plan.md').code, 0);
      assert.equal(p.pulser('run', '--resume', runId).code, 3);
      assert.equal(p.exists('RAN'), false);
      // A person's approval does.
      assert.equal(p.pulser('approve', `${runId}.1`).code, 0);
      assert.equal(p.pulser('run', '--resume', runId).code, 0);
      assert.equal(p.read('RAN'), 'ran\n');
      const [step] = runSteps(p, runId);
      assert.equal(step!.state, 'succeeded');
      assert.equal(step!.authority, 'approved');
    } finally {
      p.done();
    }
  });

  it('CLI: an approval covers one execution; a manual retry needs a new one', () => {
    const p = project({ 'plan.md': canaryPlan('sh', 'echo ran >> RAN') }, ['plan.md']);
    try {
      const runId = runIdIn(p.pulser('run', '--detach').stdout);
      assert.equal(p.pulser('approve', `${runId}.1`).code, 0);
      assert.equal(p.pulser('run', '--resume', runId).code, 0);
      assert.equal(p.read('RAN'), 'ran\n');
      // succeeded steps are not retried; a step of a new run of the same command is untrusted.
      const again = runIdIn(p.pulser('run', '--detach').stdout);
      assert.equal(p.pulser('approve', `${again}.1`).code, 0);
      assert.equal(p.pulser('cancel', again).code, 0);
      assert.equal(p.pulser('retry', again).code, 0);
      assert.equal(p.pulser('run', '--resume', again).code, 3);
      assert.equal(p.read('RAN'), 'ran\n', 'the cancelled approval did not carry over');
      assert.equal(runSteps(p, again)[0]!.authority, 'none');
    } finally {
      p.done();
    }
  });

  describe('HTTP with an operator-only token (real pulser serve, embedded worker)', () => {
    let p: Project;
    let srv: Server;
    before(async () => {
      p = project({ 'plan.md': canaryPlan() }, ['plan.md']);
      srv = await server(p);
    });
    after(async () => {
      await srv.stop();
      p.done();
    });

    it('POST /runs, cancel, retry: the step waits; CANARY never appears', async () => {
      const op = srv.tokens.operator;
      const started = await srv.api(op, 'POST', '/runs', { target: 'plan' });
      assert.equal(started.status, 201);
      const runId = (started.body.run as { id: string }).id;
      assert.equal((await srv.api(op, 'POST', `/runs/${runId}/cancel`, {})).status, 200);
      const retried = await srv.api(op, 'POST', `/runs/${runId}/retry`, {});
      assert.equal(retried.status, 200, JSON.stringify(retried.body));
      const steps = retried.body.steps as Array<{ state: string; authority: string }>;
      assert.equal(steps[0]!.state, 'awaiting_approval');
      assert.equal(steps[0]!.authority, 'none');
      // A foreground worker of the CLI finds nothing it may run either.
      assert.equal(p.pulser('run', '--resume', runId).code, 3);
      assert.equal(p.exists('CANARY'), false);
    });

    it('after an approver rejects, an operator retry brings the step back to awaiting approval', async () => {
      const started = await srv.api(srv.tokens.operator, 'POST', '/runs', { target: 'plan' });
      const runId = (started.body.run as { id: string }).id;
      const rejected = await srv.api(srv.tokens.approver, 'POST', `/steps/${runId}.1/reject`, {});
      assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
      const retried = await srv.api(srv.tokens.operator, 'POST', `/steps/${runId}.1/retry`, {});
      assert.equal(retried.status, 200, JSON.stringify(retried.body));
      assert.equal(p.pulser('run', '--resume', runId).code, 3);
      const [step] = runSteps(p, runId);
      assert.equal(step!.state, 'awaiting_approval');
      assert.equal(step!.approvalReason, 'rejected');
      assert.equal(p.exists('CANARY'), false);
    });
  });
});

describe('item 2: untrust, then retry, does not re-run a quarantined step with its old authority', () => {
  it('CLI: resolve retry and retry after untrust wait for a person', () => {
    // Exit 127 is not retried automatically: the step is quarantined after one execution.
    const p = project({ 'plan.md': canaryPlan('sh', 'echo ran >> RAN; exit 127') }, ['plan.md']);
    try {
      assert.equal(p.pulser('trust', 'plan.md').code, 0);
      const runId = runIdIn(p.pulser('run').stdout);
      assert.equal(runSteps(p, runId)[0]!.state, 'quarantined');
      assert.equal(p.read('RAN'), 'ran\n');
      assert.equal(p.pulser('untrust', 'plan').code, 0);
      assert.equal(p.pulser('resolve', `${runId}.1`, 'retry').code, 0);
      assert.equal(p.pulser('run', '--resume', runId).code, 3);
      assert.equal(p.read('RAN'), 'ran\n', 'nothing ran after the trust was revoked');
      const [step] = runSteps(p, runId);
      assert.equal(step!.state, 'awaiting_approval');
      assert.equal(step!.authority, 'none');
    } finally {
      p.done();
    }
  });

  it('a queued step whose trust is revoked before a worker claims it is parked at claim time', async () => {
    const p = project({ 'plan.md': canaryPlan() }, ['plan.md']);
    const srv = await server(p, false);
    try {
      assert.equal(p.pulser('trust', 'plan.md').code, 0);
      const runId = runIdIn(p.pulser('run', '--detach').stdout);
      assert.equal(runSteps(p, runId)[0]!.state, 'queued');
      const revoked = await srv.api(srv.tokens.approver, 'POST', '/untrust', { planId: 'plan' });
      assert.equal(revoked.status, 200);
      assert.equal(p.pulser('run', '--resume', runId).code, 3);
      assert.equal(p.exists('CANARY'), false);
    } finally {
      await srv.stop();
      p.done();
    }
  });
});

describe('item 3: the interpreter and verifier annotations are bound by trust', () => {
  it('sh → bash is reported as a change and is untrusted again; CANARY never appears', () => {
    const p = project({ 'plan.md': canaryPlan('sh', 'echo trusted') }, ['plan.md']);
    try {
      assert.equal(p.pulser('trust', 'plan.md').code, 0);
      p.write('plan.md', canaryPlan('bash', 'echo trusted'));
      const imported = p.pulser('import', 'plan.md');
      assert.equal(imported.code, 0, imported.stderr);
      assert.doesNotMatch(imported.stdout, /unchanged since/u);
      assert.match(imported.stdout, /~ step \S+: .*language "sh" -> "bash"/u);
      const shown = p.pulser('trust', '--show');
      assert.match(shown.stdout, /CHANGED +step/u);
      // Same text, new interpreter: the bash version must wait.
      p.write('plan.md', canaryPlan('bash', 'echo trusted; touch CANARY'));
      p.pulser('import', 'plan.md');
      p.write('plan.md', canaryPlan('bash', 'echo trusted'));
      p.pulser('import', 'plan.md');
      const run = p.pulser('run');
      assert.equal(run.code, 3, run.stdout);
      assert.match(run.stdout, /awaiting approval \(untrusted command\)/u);
    } finally {
      p.done();
    }
  });

  it('editing a <!-- verify: command --> annotation is reported, and the new command is untrusted', () => {
    const plan = (cmd: string): string =>
      `# Checked\n\n## Phase 1: Build\n\n**Exit criteria:**\n\n- [ ] Works <!-- verify: command \`${cmd}\` -->\n`;
    const p = project({ 'plan.md': plan('echo fine') }, ['plan.md']);
    try {
      assert.equal(p.pulser('trust', 'plan.md').code, 0);
      p.write('plan.md', plan('touch CANARY'));
      const imported = p.pulser('import', 'plan.md');
      assert.doesNotMatch(imported.stdout, /unchanged since/u);
      assert.match(imported.stdout, /~ criterion \S+: verifier .*touch CANARY/u);
      p.pulser('check', 'phase-1');
      assert.equal(p.exists('CANARY'), false);
    } finally {
      p.done();
    }
  });
});

describe('item 4: POST /trust binds what the approver saw', () => {
  it('a pulser.verifiers.json changed after GET /trust is a 409, and its command never runs', async () => {
    const plan = `# Checked\n\n## Phase 1: Build\n\n**Exit criteria:**\n\n- [ ] Works\n`;
    const sidecar = (cmd: string): string =>
      JSON.stringify({ 'phase-1/exit/works': { kind: 'command', command: cmd } });
    const p = project({ 'plan.md': plan, 'pulser.verifiers.json': sidecar('echo ok') }, [
      'plan.md',
    ]);
    const srv = await server(p);
    try {
      const seen = await srv.api(srv.tokens.approver, 'GET', '/trust');
      const reviewed = (
        seen.body.plans as Array<{
          planId: string;
          sha256: string;
          commandsSha256: string;
          executables: Array<{ command: string }>;
        }>
      )[0]!;
      assert.deepEqual(
        reviewed.executables.map((e) => e.command),
        ['echo ok'],
      );
      p.write('pulser.verifiers.json', sidecar('touch CANARY'));
      const grant = await srv.api(srv.tokens.approver, 'POST', '/trust', {
        planId: reviewed.planId,
        sha256: reviewed.sha256,
        commands: reviewed.commandsSha256,
      });
      assert.equal(grant.status, 409, JSON.stringify(grant.body));
      const missing = await srv.api(srv.tokens.approver, 'POST', '/trust', {
        planId: reviewed.planId,
        sha256: reviewed.sha256,
      });
      assert.equal(missing.status, 400, 'a grant must name the commands reviewed');
      // The CLI binds the same way when given the digest `trust --show` printed.
      const cli = p.pulser('trust', 'plan.md', '--commands', reviewed.commandsSha256);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /changed since they were reviewed/u);
      p.pulser('check', 'phase-1');
      assert.equal(p.exists('CANARY'), false);
      const shown = p.pulser('trust', '--show');
      assert.match(shown.stdout, /untrusted verifier +phase-1\/exit\/works/u);
      assert.match(shown.stdout, /^ +touch CANARY$/mu, 'trust --show lists the command itself');
    } finally {
      await srv.stop();
      p.done();
    }
  });
});

describe('item 5: terminal escapes in a document are shown, not obeyed', () => {
  const ESC = '\u001b';
  const hidden = `${ESC}[2K${ESC}[1A echo harmless`;
  const plan = `# Esc\n\n## Task 1: Nice ${ESC}[8mtitle\u202e\n\n\`\`\`sh\ntouch CANARY; printf 'x\\033[2K\\ry\\n' ${hidden}\n\`\`\`\n`;

  it('show, run, runs, trust --show and logs print ESC, CR and bidi overrides as escapes', () => {
    const p = project({ 'plan.md': plan }, ['plan.md']);
    try {
      const outputs: Array<[string, string]> = [];
      const show = p.pulser('show', 'task-1');
      outputs.push(['show', show.stdout]);
      const run = p.pulser('run');
      outputs.push(['run', run.stdout + run.stderr]);
      const runId = runIdIn(run.stdout);
      outputs.push(['runs', p.pulser('runs').stdout + p.pulser('runs', runId).stdout]);
      const trust = p.pulser('trust', '--show');
      outputs.push(['trust --show', trust.stdout]);
      for (const [what, text] of outputs) {
        assert.doesNotMatch(text, /[\u001b\r\u202e]/u, `${what} printed a raw control character`);
      }
      assert.match(show.stdout, /Nice \\x1b\[8mtitle\\u202e/u);
      assert.match(trust.stdout, /\\x1b\[2K\\x1b\[1A echo harmless/u);
      // The person sees the real command, approves it, and its output is escaped too.
      assert.equal(p.pulser('approve', `${runId}.1`).code, 0);
      assert.equal(p.pulser('run', '--resume', runId).code, 0);
      const logs = p.pulser('logs', runId);
      assert.doesNotMatch(logs.stdout, /\u001b/u);
      assert.match(logs.stdout, /x\\x1b\[2K\\ry/u);
      const raw = p.pulser('logs', runId, '--raw');
      assert.match(
        raw.stdout,
        /x\u001b\[2K\ry/u,
        '--raw prints the output as the process wrote it',
      );
      const json = p.pulser('runs', runId, '--json');
      assert.doesNotMatch(json.stdout, /\u001b/u);
      assert.match(json.stdout, /\\u001b\[2K/u, '--json keeps JSON escapes');
    } finally {
      p.done();
    }
  });
});

describe('item 6: every command printed for pasting is shell-quoted', () => {
  it('a plan named plan$(touch X).md gets a hint that, pasted, names the file and runs nothing', () => {
    const file = 'plan$(touch X).md';
    const p = project({ [file]: canaryPlan() }, [file]);
    try {
      const run = p.pulser('run');
      assert.equal(run.code, 3);
      const hint = `pulser trust 'plan$(touch X).md'`;
      assert.ok(run.stdout.includes(hint), run.stdout);
      // Paste the printed hint into a real shell (with `pulser` as a function printing its args).
      const line = run.stdout.split('\n').find((l) => l.includes(hint))!;
      const pasted = line.slice(line.indexOf('pulser trust'));
      const sh = spawnSync('sh', ['-c', `pulser() { printf '%s\\n' "$@"; }; ${pasted}`], {
        cwd: p.dir,
        encoding: 'utf8',
      });
      assert.equal(sh.stdout, `trust\n${file}\n`);
      assert.equal(p.exists('X'), false);
      assert.equal(p.exists('CANARY'), false);
    } finally {
      p.done();
    }
  });

  it('shellCommand survives $(…), backticks, spaces, quotes and newlines in a real sh', () => {
    const words = ['$(touch X)', '`touch X`', 'a b', `it's "q"`, 'line\nbreak', '', '-n', 'ok'];
    const line = shellCommand('printf', '%s|', ...words);
    const dir = project({}, []);
    try {
      const r = spawnSync('sh', ['-c', line], { cwd: dir.dir, encoding: 'utf8' });
      assert.equal(r.stdout, `${words.join('|')}|`);
      assert.equal(dir.exists('X'), false);
    } finally {
      dir.done();
    }
  });
});

describe('MCP: an agent that runs a task cannot make an untrusted command run', () => {
  it('pulser_run waits for a person; a person cancelling and retrying does not release it', async () => {
    const p = project({ 'plan.md': canaryPlan() }, ['plan.md']);
    const bot = await agent(p, 'bot');
    try {
      assert.equal((await bot.call('pulser_claim', { taskId: 'task-1' })).isError, undefined);
      const ran = await bot.call('pulser_run', { taskId: 'task-1', waitSeconds: 1 });
      const runId = runIdIn(toolText(ran));
      assert.equal(p.pulser('cancel', runId).code, 0);
      assert.equal(p.pulser('retry', runId).code, 0);
      await bot.call('pulser_run_status', { runId });
      assert.equal(p.pulser('run', '--resume', runId).code, 3);
      assert.equal(p.exists('CANARY'), false);
      assert.equal(runSteps(p, runId)[0]!.state, 'awaiting_approval');
    } finally {
      await bot.close();
      p.done();
    }
  });
});
