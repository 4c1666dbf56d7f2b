/**
 * Issue 9, item 10: a full disk must not hang `pulser run` silently. The workspace lives on a
 * real 3 MiB tmpfs mounted for this test (the tests run as root in a container that may mount
 * one), filled up to a few kilobytes before the run: SQLite's writes then fail with a real
 * SQLITE_FULL. Where no filesystem can be mounted (not root, no CAP_SYS_ADMIN), the test says
 * so and skips; nothing is simulated.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAgent, text } from '../mcp/test-helpers.js';
import { PULSER_BIN, pulser } from '../util/test-helpers.js';

const PLAN = `# Disk plan

## Phase 1: Write

### Task 1.1: Print a lot

\`\`\`sh
seq 1 200000
\`\`\`

### Task 1.2: Print a little

\`\`\`sh
echo done
\`\`\`
`;

/** Runs `pulser ...` and resolves with its output when it exits (or rejects after `ms`). */
function pulserAsync(root: string, ms: number, ...args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, [PULSER_BIN, ...args], {
      cwd: root,
      env: { ...process.env, PULSER_WORKSPACE: root, PULSER_DEBUG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`pulser ${args.join(' ')} still running after ${ms} ms: ${stderr}`));
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

function mountTmpfs(dir: string): string | null {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir], {
    encoding: 'utf8',
  });
  return r.status === 0 ? null : (r.stderr || r.error?.message || 'mount failed').trim();
}

describe('a full disk during `pulser run` (issue 9, item 10)', () => {
  const base = mkdtempSync(join(tmpdir(), 'pulser-disk-'));
  const root = join(base, 'mnt');
  mkdirSync(root);
  const cannotMount = mountTmpfs(root);
  after(() => {
    if (cannotMount === null) spawnSync('umount', [root]);
    rmSync(base, { recursive: true, force: true });
  });

  before(() => {
    if (cannotMount !== null) return;
    writeFileSync(join(root, 'plan.md'), PLAN);
    assert.equal(pulser(root, 'import', 'plan.md').code, 0);
    assert.equal(pulser(root, 'trust', 'plan.md').code, 0);
    writeFileSync(
      join(root, '.pulser', 'config.json'),
      JSON.stringify({ runtime: { leaseMs: 1000 } }),
    );
  });

  it(
    'says the disk is full and how to continue, exits, and the run resumes once space is freed',
    { skip: cannotMount === null ? false : `cannot mount a tmpfs here: ${cannotMount}` },
    async () => {
      // Fill the filesystem, leaving 256 KiB: the step's output will not fit.
      const s = statfsSync(root);
      const free = s.bavail * s.bsize;
      writeFileSync(join(root, 'filler'), Buffer.alloc(Math.max(0, free - 256 * 1024)));

      const run = await pulserAsync(root, 60_000, 'run', 'plan');
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stderr,
        /pulser\.db: the disk is full: cannot write the workspace database/u,
      );
      const id = /pulser run --resume (run-[0-9a-f]+)/u.exec(run.stderr)?.[1];
      assert.ok(id !== undefined, `the hint names the run to resume: ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /unexpected error|\n\s+at /u);

      // Free the space: the same run continues and finishes.
      rmSync(join(root, 'filler'));
      const resumed = await pulserAsync(root, 90_000, 'run', '--resume', id);
      assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout.slice(-2000));
      const show = pulser(root, 'runs', id, '--json');
      assert.match(show.stdout, /"status": "succeeded"/u);
    },
  );

  it(
    '`pulser mcp` on a full disk: the agent gets E_STORE with the cause, the log one line each',
    { skip: cannotMount === null ? false : `cannot mount a tmpfs here: ${cannotMount}` },
    async () => {
      const agent = await startAgent(root, 'filler');
      let log = '';
      agent.transport.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      const s = statfsSync(root);
      writeFileSync(join(root, 'filler'), Buffer.alloc(s.bavail * s.bsize));
      try {
        const claim = await agent.call('pulser_claim', { taskId: 'phase-1/task-1-2' });
        assert.equal(claim.isError, true);
        assert.match(
          text(claim),
          /^E_STORE: the disk is full: cannot write the workspace database/u,
        );
      } finally {
        await agent.close();
        rmSync(join(root, 'filler'));
      }
      assert.match(
        log,
        /^pulser mcp: cannot record the call of pulser_claim: the disk is full: cannot write the workspace database \(hint: free space on that disk[^\n]*\)$/mu,
      );
      assert.doesNotMatch(log, /unexpected error|StoreError|\n\s+at /u);
    },
  );

  it(
    'a disk with no space left at all: even opening the database says so, in one line',
    { skip: cannotMount === null ? false : `cannot mount a tmpfs here: ${cannotMount}` },
    () => {
      writeFileSync(join(root, 'plan.md'), `${PLAN}\n### Task 1.3: More\n\n- [ ] one\n`);
      const s = statfsSync(root);
      writeFileSync(join(root, 'filler'), Buffer.alloc(s.bavail * s.bsize));
      try {
        const full =
          /^pulser: .*pulser\.db: the disk is full: cannot write the workspace database\n {2}hint: free space on that disk/u;
        const write = pulser(root, 'import', 'plan.md');
        assert.equal(write.code, 1, write.stdout);
        assert.match(write.stderr, full);
        assert.doesNotMatch(write.stderr, /disk I\/O error|unexpected error|\n\s+at /u);
        // Reading may work (nothing to write) or fail the same way when SQLite needs space.
        const read = pulser(root, 'status');
        if (read.code !== 0) assert.match(read.stderr, full);
      } finally {
        rmSync(join(root, 'filler'));
      }
    },
  );
});
