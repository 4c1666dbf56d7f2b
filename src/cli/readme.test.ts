import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// The README's command blocks run as written, in order, in one scratch folder: every ```sh
// (or ~~~sh) block except one preceded by `<!-- readme-test: skip ... -->` (the install, which
// needs the network; .ci/run installs the packed tarball instead). A line must exit 0, or the
// code its comment states as `(exit N)`. `pulser serve` is started in the background on a free
// port (the README's 4400 is replaced by it) and stopped at the end.

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, '../..');

interface Line {
  readonly text: string;
  readonly at: number;
}

/** The command lines of the README's runnable shell blocks, with their line numbers. */
export function readmeCommands(markdown: string): Line[] {
  const lines = markdown.split('\n');
  const out: Line[] = [];
  let fence: string | null = null;
  let skip = false;
  let lastText = '';
  for (const [i, line] of lines.entries()) {
    if (fence === null) {
      const m = /^(```|~~~)sh\s*$/u.exec(line);
      if (m !== null) {
        fence = m[1]!;
        skip = lastText.startsWith('<!-- readme-test: skip');
      } else if (line.trim() !== '') lastText = line.trim();
      continue;
    }
    if (line.startsWith(fence)) {
      fence = null;
      lastText = '';
      continue;
    }
    if (!skip && line.trim() !== '' && !line.trim().startsWith('#'))
      out.push({ text: line, at: i + 1 });
  }
  return out;
}

function sq(text: string): string {
  return `'${text.replace(/'/gu, `'\\''`)}'`;
}

/** The bash script that runs `commands`, checking each exit code. */
function script(commands: ReadonlyArray<Line>, port: number, logs: string): string {
  const out = [
    'set -u',
    'SERVE_PID=',
    'trap \'if [ -n "$SERVE_PID" ]; then kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; fi\' EXIT',
  ];
  for (const { text, at } of commands) {
    const line = text.replaceAll('127.0.0.1:4400', `127.0.0.1:${port}`);
    const comment = /\s#\s.*$/u.exec(line)?.[0] ?? '';
    const expected = /\(exit (\d+)\)/u.exec(comment)?.[1] ?? '0';
    const where = `README.md:${at}`;
    if (/^pulser serve(\s|$)/u.test(line)) {
      const log = join(logs, 'serve.log');
      out.push(
        `pulser serve --port ${port} > ${sq(log)} 2>&1 &`,
        'SERVE_PID=$!',
        `for i in $(seq 1 600); do grep -q '#token=' ${sq(log)} && break; sleep 0.1; done`,
        `grep -q '#token=' ${sq(log)} || { echo ${sq(`${where}: pulser serve did not start`)} >&2; cat ${sq(log)} >&2; exit 1; }`,
      );
      continue;
    }
    out.push(
      `echo ${sq(`$ ${text}`)}`,
      line,
      `__rc=$?; if [ "$__rc" != ${expected} ]; then echo ${sq(`${where}: exit `)}"$__rc"${sq(` (expected ${expected}): ${text}`)} >&2; exit 1; fi`,
    );
  }
  return `${out.join('\n')}\n`;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => ok(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe('README.md', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');

  it('names no file outside the repository (../shared)', () => {
    assert.doesNotMatch(readme, /\.\.\/shared/u);
  });

  it('runs every command block as written, in order, in one scratch folder', async () => {
    const commands = readmeCommands(readme);
    assert.ok(commands.length >= 20, `only ${commands.length} command lines found`);
    const root = mkdtempSync(join(tmpdir(), 'pulser-readme-'));
    try {
      const bin = join(root, 'bin');
      const scratch = join(root, 'scratch');
      const temp = join(root, 'tmp');
      for (const d of [bin, scratch, temp]) mkdirSync(d);
      const shim = join(bin, 'pulser');
      writeFileSync(
        shim,
        `#!/bin/sh\nexec ${sq(process.execPath)} ${sq(join(REPO, 'bin/pulser.js'))} "$@"\n`,
      );
      chmodSync(shim, 0o755);
      const file = join(root, 'readme.sh');
      writeFileSync(file, script(commands, await freePort(), root));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        TMPDIR: temp,
        PATH: `${bin}:${process.env.PATH ?? ''}`,
      };
      for (const name of ['PULSER_WORKSPACE', 'PULSER_DEBUG', 'npm_command']) delete env[name];
      const r = spawnSync('bash', [file], {
        cwd: scratch,
        env,
        encoding: 'utf8',
        timeout: 300_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      assert.equal(r.status, 0, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
