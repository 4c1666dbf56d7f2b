import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  EXAMPLES_DIR,
  PULSER_BIN,
  browserSkip,
  examplePath,
  launchChromium,
  pulserWith,
  type PulserRun,
} from '../util/test-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The real CLI in `cwd`, as a person runs it: no workspace named, not under npx. */
function pulser(cwd: string, args: string[], env: Record<string, string> = {}): PulserRun {
  return pulserWith(cwd, args, { env: { PULSER_WORKSPACE: '', npm_command: '', ...env } });
}

let base = '';
before(() => {
  base = mkdtempSync(join(tmpdir(), 'pulser-start-'));
});
after(() => rmSync(base, { recursive: true, force: true }));

function folder(name: string): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('examples/edge', () => {
  it('holds exactly what scripts/edge-examples.js generates', async () => {
    const url = pathToFileURL(resolve(here, '../../scripts/edge-examples.js')).href;
    const { edgeExamples } = (await import(url)) as {
      edgeExamples: () => Map<string, Buffer>;
    };
    const generated = edgeExamples();
    assert.deepEqual(readdirSync(join(EXAMPLES_DIR, 'edge')).sort(), [...generated.keys()].sort());
    for (const [name, bytes] of generated)
      assert.ok(readFileSync(examplePath('edge', name)).equals(bytes), `${name} is stale`);
    const mojibake = readFileSync(examplePath('edge', 'mojibake.md'), 'utf8');
    assert.match(mojibake, /CafÃ© Opening/u, 'UTF-8 read as Windows-1252');
    assert.ok(readFileSync(examplePath('edge', 'crlf.md')).includes('\r\n'));
  });
});

describe('pulser init', () => {
  it('in an empty folder: workspace, .gitignore, the starter plan imported, the next three commands', () => {
    const dir = folder('empty');
    const r = pulser(dir, ['init']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, '.pulser', 'pulser.db')));
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), '.pulser/\n');
    assert.ok(readFileSync(join(dir, 'PLAN.md')).equals(readFileSync(examplePath('starter.md'))));
    assert.match(r.stdout, /imported PLAN\.md as plan: "Project Plan"/u);
    assert.match(
      r.stdout,
      /next:\n {2}pulser status\n {2}pulser next\n {2}pulser trust --show\n$/u,
    );
    const again = pulser(dir, ['init']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already a Pulser project/u);
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), '.pulser/\n', 'idempotent');
  });

  it("adopts the folder's ROADMAP.md without trusting it, and appends to .gitignore", () => {
    const dir = folder('adopt');
    copyFileSync(examplePath('launch.md'), join(dir, 'ROADMAP.md'));
    writeFileSync(join(dir, '.gitignore'), 'node_modules\r\ndist');
    const r = pulser(dir, ['init']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported ROADMAP\.md as roadmap/u);
    assert.equal(
      readFileSync(join(dir, '.gitignore'), 'utf8'),
      'node_modules\r\ndist\r\n.pulser/\r\n',
    );
    assert.ok(!existsSync(join(dir, 'PLAN.md')), 'no starter next to an adopted plan');
    const trust = JSON.parse(pulser(dir, ['trust', '--show', '--json']).stdout) as {
      plans: Array<{ status: string }>;
    };
    assert.notEqual(trust.plans[0]?.status, 'trusted');
  });

  it('several candidate plans without a terminal: a usage error naming them, nothing created', () => {
    const dir = folder('several');
    writeFileSync(join(dir, 'ROADMAP.md'), '# A\n\n## Phase 1: x\n');
    writeFileSync(join(dir, 'tasks.md'), '# B\n\n## Phase 1: y\n');
    const r = pulser(dir, ['init']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /several plans in .*: ROADMAP\.md, tasks\.md/u);
    assert.match(r.stderr, /pulser init --adopt ROADMAP\.md/u);
    assert.doesNotMatch(r.stderr, /\n\s+at /u);
    assert.ok(!existsSync(join(dir, '.pulser')));
    const chosen = pulser(dir, ['init', '--adopt', 'tasks.md']);
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.match(chosen.stdout, /imported tasks\.md as tasks/u);
  });

  it('-w names the folder; printed commands are shell-quoted', () => {
    const dir = folder("it's here");
    const r = pulser(base, ['-w', dir, 'init', '--empty']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(dir, 'PLAN.md')));
    assert.ok(r.stdout.includes(`  pulser -w '${dir.replace("'", `'\\''`)}' status\n`), r.stdout);
    const npx = pulser(dir, ['init', '--empty'], { npm_command: 'exec' });
    assert.match(npx.stdout, /\n {2}npx pulser import PLAN\.md\n/u);
  });
});

describe('pulser demo', () => {
  it('tours the bundled example in a scratch folder, trusting it explicitly, exits 0 and removes the folder', () => {
    const scratch = folder('tmp');
    const r = pulser(base, ['demo'], { TMPDIR: scratch });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const dir = /^pulser demo in (\S+) \(a scratch folder, removed at the end\)$/mu.exec(
      r.stdout,
    )?.[1];
    assert.ok(dir !== undefined && dir.startsWith(join(scratch, 'pulser-demo-')), r.stdout);
    assert.match(r.stdout, /demo trusts launch\.md because it is Pulser's own bundled example/u);
    assert.match(r.stdout, /retry 1 in/u);
    assert.match(r.stdout, /run-\w+ SUCCEEDED/u);
    assert.match(r.stdout, /phase-1: Phase 1: Build {2}gate PASS/u);
    assert.ok(r.stdout.includes(`removed the scratch folder ${dir}`), r.stdout);
    assert.deepEqual(readdirSync(scratch), []);
    assert.match(r.stdout, /Try next:\n {2}pulser demo --keep\n {2}pulser init\n/u);
  });

  it('--keep keeps the scratch folder, with its report and runs', () => {
    const scratch = folder('tmp-keep');
    const r = pulser(base, ['demo', '--keep'], { TMPDIR: scratch });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const [dir] = readdirSync(scratch).map((d) => join(scratch, d));
    assert.ok(dir !== undefined && dir.includes('pulser-demo-'));
    assert.ok(existsSync(join(dir, 'report.html')));
    assert.doesNotMatch(r.stdout, /removed the scratch folder/u);
    assert.match(r.stdout, /Try next:\n {2}pulser -w \S+ runs\n/u);
    const status = pulser(dir, ['runs', '--json']);
    assert.equal(status.code, 0, status.stderr);
  });

  it('Ctrl-C stops the tour and removes the scratch folder, saying where it was', async () => {
    const scratch = folder('tmp-int');
    const child = spawn(process.execPath, [PULSER_BIN, 'demo'], {
      cwd: base,
      env: { ...process.env, PULSER_WORKSPACE: '', TMPDIR: scratch },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        // Interrupt once the tour has made its workspace and started running.
        if (stdout.includes('── 4/6')) child.kill('SIGINT');
      });
      child.on('close', (c) => done(c));
    });
    const dir = /^pulser demo in (\S+) /mu.exec(stdout)?.[1];
    assert.equal(code, 130, `${stdout}\n${stderr}`);
    assert.ok(dir !== undefined, stdout);
    assert.ok(
      stderr.includes(`pulser demo: stopped (SIGINT); removed the scratch folder ${dir}`),
      stderr,
    );
    assert.deepEqual(readdirSync(scratch), []);
  });

  it('--here refuses to overwrite a launch.md that is not the example', () => {
    const dir = folder('mine');
    writeFileSync(join(dir, 'launch.md'), '# My launch\n');
    const r = pulser(dir, ['demo', '--here']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /launch\.md exists and is not Pulser's example/u);
    assert.equal(readFileSync(join(dir, 'launch.md'), 'utf8'), '# My launch\n');
    assert.ok(!existsSync(join(dir, '.pulser')));
  });
});

const noBrowser = browserSkip;

describe('pulser serve in a folder with no workspace', () => {
  let dir = '';
  let child: ChildProcess | null = null;
  let link = '';
  before(async () => {
    dir = folder('serve');
    copyFileSync(examplePath('roadmap.md'), join(dir, 'ROADMAP.md'));
    const started = spawn(process.execPath, [PULSER_BIN, 'serve', '--port', '0', '--no-worker'], {
      cwd: dir,
      env: { ...process.env, PULSER_WORKSPACE: '' },
    });
    child = started;
    link = await new Promise<string>((ok, fail) => {
      let out = '';
      started.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /open (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/u.exec(out);
        if (m !== null) ok(m[1]!);
      });
      started.once('exit', (code) => fail(new Error(`exited ${code}`)));
    });
  });
  after(async () => {
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise<number | null>((ok) => child?.once('exit', ok));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('creates the workspace and starts', async () => {
    assert.equal((await fetch(link.replace(/#.*$/u, ''))).status, 200);
    assert.ok(existsSync(join(dir, '.pulser')));
  });

  it(
    'the empty Plans page imports the first plan in one click (Chromium)',
    { skip: noBrowser },
    () => firstImport(link),
  );
});

/** In Chromium: sign in with the login link, import ROADMAP.md from the empty Plans page. */
async function firstImport(link: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/u, (route) => route.abort());
    const page = await context.newPage();
    await page.goto(link);
    await page.getByText('No plans yet: import your first one').waitFor();
    await page.getByRole('button', { name: 'Import ROADMAP.md' }).click();
    await page.getByRole('link', { name: 'Lantern Roadmap 2027' }).waitFor();
    assert.equal(await page.getByText('No plans yet').count(), 0);
  } finally {
    await browser.close();
  }
}
