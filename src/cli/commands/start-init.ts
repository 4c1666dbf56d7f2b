/**
 * `pulser init`: the workspace, `.gitignore`, the first plan, and the next three commands.
 */
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { shellCommand } from '../../util/shell-quote.js';
import { chooseStart, ignoreWorkspace, shownName, writeStarter } from '../../workspace/init.js';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { UsageError } from '../../errors/index.js';
import { readEnv, restoreConfig, writeDatabaseConfig } from '../../workspace/config.js';
import {
  openWorkspace,
  teamWorkspaceName,
  WORKSPACE_DIR,
  type Workspace,
} from '../../workspace/open.js';
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

/**
 * Records the shared database in `.pulser/config.json` (without the password) and opens the
 * workspace in it; when that fails, the config is put back as it was (and a `.pulser/` made
 * here is removed), so that a wrong URL leaves nothing behind.
 */
async function openTeamWorkspace(
  root: string,
  existed: boolean,
  url: string,
  tenant: string | undefined,
): Promise<Workspace> {
  const { parseDatabaseUrl, withoutPassword, hasPassword, describeTarget } =
    await import('../../store/postgres/index.js');
  const target = parseDatabaseUrl(url, '--database');
  const dir = resolve(root, WORKSPACE_DIR);
  mkdirSync(dir, { recursive: true });
  const name = tenant ?? teamWorkspaceName(root, { url, workspace: null, from: '--database' });
  const previous = writeDatabaseConfig(dir, { url: withoutPassword(url), workspace: name });
  try {
    // This run connects with the URL as given (its password too); later runs read the config.
    const ws = await openWorkspace({
      root,
      env: { ...readEnv(), PULSER_DATABASE_URL: url },
    });
    out(`stored in PostgreSQL ${describeTarget(target)} as workspace ${JSON.stringify(name)}`);
    if (hasPassword(url)) {
      out(
        'the password was not written to .pulser/config.json: give it with PGPASSWORD or ~/.pgpass',
      );
    }
    return ws;
  } catch (error) {
    if (existed) restoreConfig(dir, previous);
    else rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** `pulser init`. */
export async function initCommand(
  command: Command,
  flags: {
    readonly adopt?: string;
    readonly starter?: boolean;
    readonly empty?: boolean;
    readonly database?: string;
    readonly tenant?: string;
  },
): Promise<void> {
  const root = resolve(globalOptions(command).workspace ?? process.cwd());
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (flags.tenant !== undefined && flags.database === undefined)
    throw new UsageError('--tenant names the workspace in a shared database: give --database too');
  const choice = await chooseStart(root, flags, interactive ? ask : null);
  const existed = existsSync(resolve(root, WORKSPACE_DIR));
  const ws =
    flags.database === undefined
      ? await openWorkspace({ root, create: true })
      : await openTeamWorkspace(root, existed, flags.database, flags.tenant);
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
