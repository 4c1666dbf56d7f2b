import { resolve } from 'node:path';
import type { Command } from 'commander';
import { globalOptions, out, withWorkspace } from '../context.js';
import { plural } from '../plural.js';

/** Registers `pulser backup FILE` and `pulser restore FILE` (the embedded SQLite store). */
export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .argument('<file>', 'the backup file to write (must not exist)')
    .description(
      "Copy the workspace's SQLite database to FILE with SQLite's online backup: safe while workers run (the copy is one point in time), checked before it is kept.",
    )
    .action(async (file: string, _opts: unknown, command: Command) => {
      const { backupWorkspace } = await import('../../workspace/backup.js');
      await withWorkspace(command, async (ws) => {
        const info = await backupWorkspace(ws, file);
        out(
          `backed up to ${resolve(file)}: ${plural(info.plans, 'plan')}, ${plural(info.head.seq, 'event')} (head ${info.head.hash.slice(0, 16)})`,
        );
      });
    });

  program
    .command('restore')
    .argument('<file>', 'a file written by `pulser backup`')
    .option('--force', 'restore even while a worker runs on this workspace')
    .description(
      "Replace the workspace's SQLite database by a backup (checked first). The current database is moved aside, never deleted. Refused while a worker runs on the workspace unless --force.",
    )
    .action(async (file: string, opts: { readonly force?: boolean }, command: Command) => {
      const { findWorkspaceRoot } = await import('../../workspace/open.js');
      const { NotFoundError } = await import('../../errors/index.js');
      const { restoreWorkspace } = await import('../../workspace/backup.js');
      const { readEnv } = await import('../../workspace/config.js');
      const given = globalOptions(command).workspace ?? (readEnv().PULSER_WORKSPACE || undefined);
      const root = given === undefined ? findWorkspaceRoot(process.cwd()) : resolve(given);
      if (root === null) {
        throw new NotFoundError(
          `no Pulser workspace (.pulser/) in ${process.cwd()} or its parents`,
        );
      }
      const r = await restoreWorkspace(root, file, opts.force === true);
      out(
        `restored ${resolve(file)}: ${plural(r.info.plans, 'plan')}, ${plural(r.info.head.seq, 'event')} (head ${r.info.head.hash.slice(0, 16)})`,
      );
      if (r.aside !== null) out(`the replaced database was moved to ${r.aside}`);
      if (r.signedPast !== null) {
        out(
          `note: .pulser/checkpoints.jsonl signs event ${r.signedPast}, past the restored head: \`pulser ledger verify\` will report the later events as cut off (they were)`,
        );
      }
    });
}
