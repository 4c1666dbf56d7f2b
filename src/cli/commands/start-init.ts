/**
 * `pulser init`: the workspace, `.gitignore`, the first plan, and the next three commands.
 */
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { shellCommand } from '../../util/shell-quote.js';
import { chooseStart, ignoreWorkspace, shownName, writeStarter } from '../../workspace/init.js';
import { existsSync } from 'node:fs';
import { openWorkspace, WORKSPACE_DIR } from '../../workspace/open.js';
import { globalOptions, out, pulserWords } from '../context.js';
import { runImport } from './plan-import.js';

/** Asks a yes/no question on the terminal (Enter means yes). */
async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = (await rl.question(`${question} [Y/n] `)).trim().toLowerCase();
    return answer === '' || answer === 'y' || answer === 'yes';
  } finally {
    rl.close();
  }
}

/** `pulser init`. */
export async function initCommand(
  command: Command,
  flags: { readonly adopt?: string; readonly starter?: boolean; readonly empty?: boolean },
): Promise<void> {
  const root = resolve(globalOptions(command).workspace ?? process.cwd());
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const choice = await chooseStart(root, flags, interactive ? ask : null);
  const existed = existsSync(resolve(root, WORKSPACE_DIR));
  const ws = await openWorkspace({ root, create: true });
  let planFile: string | null = null;
  try {
    out(
      existed
        ? `${root} is already a Pulser project (${WORKSPACE_DIR}/ kept as it is)`
        : `created ${resolve(root, WORKSPACE_DIR)}`,
    );
    const ignored = ignoreWorkspace(root);
    out(
      ignored === 'present'
        ? `.gitignore already ignores ${WORKSPACE_DIR}/`
        : `${ignored === 'created' ? 'created .gitignore with' : 'added to .gitignore:'} ${WORKSPACE_DIR}/`,
    );
    if (choice.kind === 'starter') {
      planFile = writeStarter(root);
      out(`wrote the starter plan to ${shownName(root, planFile)}: make it yours`);
    } else if (choice.kind === 'adopt') planFile = choice.file;
    if (planFile !== null) await runImport(ws, planFile, false, false);
  } finally {
    await ws.close();
  }
  const pulser = pulserWords();
  const cd = resolve(process.cwd()) === root ? [] : ['-w', root];
  const next: string[][] =
    planFile === null
      ? [
          [...pulser, ...cd, 'import', 'PLAN.md'],
          [...pulser, ...cd, 'status'],
          [...pulser, 'demo'],
        ]
      : [
          [...pulser, ...cd, 'status'],
          [...pulser, ...cd, 'next'],
          [...pulser, ...cd, 'trust', '--show'],
        ];
  out('next:');
  for (const words of next) out(`  ${shellCommand(...words)}`);
}
