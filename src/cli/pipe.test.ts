import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PULSER_BIN, pulser } from '../util/test-helpers.js';

test('a reader that closes the pipe early (`pulser logs RUN | head -1`) ends the CLI quietly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulser-pipe-'));
  writeFileSync(join(dir, 'plan.md'), '# Pipe\n\n## Task 1: Count\n\n```sh\nseq 1 30000\n```\n');
  const env = { ...process.env, PULSER_WORKSPACE: dir, PULSER_DEBUG: '' };
  assert.equal(pulser(dir, 'import', 'plan.md').code, 0);
  assert.equal(pulser(dir, 'trust', 'plan.md').code, 0);
  assert.equal(pulser(dir, 'run', '--json').code, 0);
  const runs = JSON.parse(pulser(dir, 'runs', '--json').stdout) as { runs: Array<{ id: string }> };
  const runId = runs.runs[0]!.id;

  // `pulser logs` writes line by line: far more than a pipe buffer holds after we stop reading.
  const child = spawn(process.execPath, [PULSER_BIN, 'logs', runId], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  assert.equal(stderr, '', 'nothing on stderr: no EPIPE stack trace');
  assert.equal(code, 0);
});
