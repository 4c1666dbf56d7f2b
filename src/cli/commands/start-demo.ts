/**
 * `pulser demo`: a newcomer's tour of the embedded default (one SQLite file in `.pulser/`),
 * on Pulser's own bundled example plan, in a scratch folder that is removed when the tour ends
 * or is stopped (Ctrl-C), unless `--keep`. The demo trusts that example explicitly, and says
 * so: it never trusts a document it did not ship.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConflictError } from '../../errors/index.js';
import { killRunningScripts } from '../../tools/shell.js';
import { shellCommand } from '../../util/shell-quote.js';
import { checkTarget } from '../../workspace/checks/check.js';
import { bundledExample } from '../../workspace/init.js';
import { recordMetric } from '../../workspace/checks/metric.js';
import { openWorkspace, type Workspace } from '../../workspace/open.js';
import { cliActor } from '../../workspace/plan-file.js';
import { generateReport } from '../../workspace/plans/report.js';
import { planStatus } from '../../workspace/plans/status.js';
import { trustFile } from '../../workspace/access/trust.js';
import { err, globalOptions, out, pulserWords } from '../context.js';
import { checkFailed, renderCheck } from './check-render.js';
import { runImport } from './plan-import.js';
import { renderStatus } from './plan-status.js';
import { runCommand } from './run-run.js';
import { plural } from '../plural.js';

/** The bundled files the tour copies into its folder. */
const FILES = ['launch.md', 'pulser.verifiers.json'] as const;

/** Copies the example into `root`; an existing file is kept only when it is the same. */
function placeExample(root: string): void {
  for (const name of FILES) {
    const bytes = bundledExample(name);
    const file = join(root, name);
    let current: Buffer | null = null;
    try {
      current = readFileSync(file);
    } catch {
      current = null;
    }
    if (current === null) writeFileSync(file, bytes);
    else if (!current.equals(bytes)) {
      throw new ConflictError(`${file} exists and is not Pulser's example`, {
        hint: 'run `pulser demo` without --here (a scratch folder), or in an empty folder',
      });
    }
  }
}

function heading(n: number, text: string): void {
  out(`\n── ${n}/6 ${text}`);
}

async function tour(ws: Workspace, root: string): Promise<boolean> {
  const plan = join(root, 'launch.md');
  heading(1, 'import: compile the markdown plan into a typed plan and store it');
  await runImport(ws, plan, false, false);

  heading(2, 'status: every phase with a progress bar');
  out(renderStatus(await planStatus(ws)));

  heading(3, 'trust: commands from a document run only once a person trusts it');
  out(
    "pulser demo trusts launch.md because it is Pulser's own bundled example (its commands only\n" +
      'write inside build/). Pulser never trusts your documents by itself: review one with\n' +
      '`pulser trust --show`, then trust it with `pulser trust FILE`.',
  );
  const { grant } = await trustFile(ws, plan, cliActor());
  out(
    `trusted launch.md (sha256 ${grant.sha256.slice(0, 12)}): ${plural(grant.items.length, 'command')}`,
  );

  heading(4, 'run: phase 1, durably, with live progress (task 1.3 fails once, then retries)');
  await runCommand(ws, 'launch:phase-1', {});
  const ran = process.exitCode === 0 || process.exitCode === undefined;
  process.exitCode = 0;

  heading(5, "check: the phase's verifiers decide its gate");
  const metric = await recordMetric(ws, 'launch:phase-1/metric/build-time', '3 min', {
    note: 'recorded by pulser demo',
  });
  out(
    `measured ${metric.metric} = 3 min (as \`pulser metric set\` records it; target ${metric.target ?? 'none'})`,
  );
  const check = await checkTarget(ws, 'launch:phase-1', { record: true });
  out(renderCheck(check));

  heading(6, 'report: derived from the signed, hash-chained ledger alone');
  const report = await generateReport(ws, 'html');
  const file = join(root, 'report.html');
  writeFileSync(file, report.text);
  out(
    `wrote ${file} (ledger events 1..${report.throughSeq}, sha256 ${report.sha256.slice(0, 16)})`,
  );
  return ran && !checkFailed(check);
}

/** What `pulser demo` was asked for. */
export interface DemoOptions {
  /** Tour the current folder (or `-w DIR`), which is kept. */
  readonly here?: boolean;
  /** Keep the scratch folder after the tour. */
  readonly keep?: boolean;
}

/**
 * Removes the scratch folder `root` when the process ends, and on the first SIGINT or SIGTERM
 * (which end the tour: the folder is gone, there is nothing to come back to). Returns the
 * function that removes it now and stops listening.
 */
function removedAtExit(root: string): () => void {
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    // A step's process may still be writing in it: retry what appears while removing.
    for (let attempt = 1; ; attempt++) {
      try {
        rmSync(root, { recursive: true, force: true, maxRetries: 5 });
        return;
      } catch (error) {
        if (attempt === 10) throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 * attempt);
      }
    }
  };
  const stop = (signal: NodeJS.Signals): void => {
    // The tour ends now: its steps' processes go first, so nothing writes in the folder.
    killRunningScripts();
    try {
      remove();
    } catch (error) {
      err(
        `\npulser demo: stopped (${signal}); could not remove the scratch folder ${root}: ${(error as Error).message}`,
      );
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    err(`\npulser demo: stopped (${signal}); removed the scratch folder ${root}`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', remove);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.off('exit', remove);
    remove();
  };
}

/** `pulser demo`. */
export async function demoCommand(command: Command, opts: DemoOptions): Promise<void> {
  const named = globalOptions(command).workspace;
  const scratch = opts.here !== true && named === undefined;
  const root = scratch
    ? mkdtempSync(join(tmpdir(), 'pulser-demo-'))
    : resolve(named ?? process.cwd());
  const cleanUp = scratch && opts.keep !== true ? removedAtExit(root) : undefined;
  let ok = false;
  try {
    placeExample(root);
    out(
      `pulser demo in ${root}${cleanUp === undefined ? '' : ' (a scratch folder, removed at the end)'}`,
    );
    const ws = await openWorkspace({ root, create: true });
    try {
      ok = await tour(ws, root);
    } finally {
      await ws.close();
    }
  } finally {
    if (cleanUp !== undefined) {
      cleanUp();
      out(`\nremoved the scratch folder ${root}`);
    }
  }
  const pulser = pulserWords();
  const at = [...pulser, '-w', root];
  out(
    `\n${ok ? 'Done' : 'Done, but something above did not go as planned'}: Pulser imported launch.md, ran its first phase with a retry, decided its gate and wrote a report, all recorded in ${cleanUp === undefined ? join(root, '.pulser') : 'its ledger'}.`,
  );
  out('Try next:');
  const next =
    cleanUp === undefined
      ? [
          [...at, 'runs'],
          [...at, 'serve'],
        ]
      : [[...pulser, 'demo', '--keep']];
  for (const words of [...next, [...pulser, 'init']]) out(`  ${shellCommand(...words)}`);
  if (cleanUp !== undefined)
    out("(the first keeps the tour's folder to look around: its runs, report.html, the Runboard)");
  out('(the last one makes your own project folder a Pulser project)');
  if (!ok) process.exitCode = 1;
}
