import type { Command } from 'commander';
import { out, outJson, withWorkspace } from '../context.js';
import { registerProofCommands } from './ledger-proofs.js';

interface JsonOption {
  readonly json?: boolean;
}

const JSON_HELP = 'print JSON instead of text';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Registers `pulser ledger ...` and `pulser keys ...`. */
export function registerLedgerCommands(program: Command): void {
  const ledger = program
    .command('ledger')
    .description('The hash-chained, signed event ledger of the workspace.');

  ledger
    .command('verify')
    .description(
      'Verify every event (order, links, hashes) and every signed checkpoint; exit 1 when anything was modified, removed, reordered, inserted or cut off.',
    )
    .option(
      '--checkpoints <file>',
      'also verify against a copy of checkpoints.jsonl (repeatable)',
      collect,
      [],
    )
    .option('--json', JSON_HELP)
    .action(async (opts: JsonOption & { readonly checkpoints: string[] }, command: Command) => {
      const { verifyWorkspaceLedger } = await import('../../workspace/ledger/ledger.js');
      const { renderVerify } = await import('./ledger-render.js');
      await withWorkspace(command, async (ws) => {
        const check = await verifyWorkspaceLedger(ws, { checkpointFiles: opts.checkpoints });
        if (opts.json === true) outJson(check);
        else out(renderVerify(check));
        if (!check.verdict.ok || check.fileProblems.length > 0) {
          // Never sign a head this command just reported broken.
          ws.holdSeal();
          process.exitCode = 1;
        }
      });
    });

  ledger
    .command('status')
    .description('Show the ledger head, the last signed checkpoint and the signing key.')
    .option('--json', JSON_HELP)
    .action(async (opts: JsonOption, command: Command) => {
      const { ledgerStatus } = await import('../../workspace/ledger/ledger.js');
      const { renderStatus } = await import('./ledger-render.js');
      await withWorkspace(command, async (ws) => {
        const status = await ledgerStatus(ws);
        if (opts.json === true) outJson(status);
        else out(renderStatus(status));
      });
    });

  ledger
    .command('checkpoint')
    .description('Sign a checkpoint of the ledger head now (normally done after every command).')
    .option('--json', JSON_HELP)
    .action(async (opts: JsonOption, command: Command) => {
      const { sealLedger } = await import('../../workspace/ledger/ledger.js');
      const { cliActor } = await import('../../workspace/plan-file.js');
      await withWorkspace(command, async (ws) => {
        const cp = await sealLedger(ws, { actor: cliActor() });
        if (opts.json === true) outJson(cp);
        else
          out(
            cp === null
              ? 'the ledger head is already signed; nothing to do'
              : `signed checkpoint at event ${cp.seq} (${cp.head.slice(0, 12)}) with key ${cp.keyId}`,
          );
      });
    });

  registerProofCommands(program);

  const keys = program
    .command('keys')
    .description('The Ed25519 keys that sign checkpoints and proofs (list, export, rotate).');

  keys
    .command('list', { isDefault: true })
    .description('List the keys: the active one and retired ones (which still verify).')
    .option('--json', JSON_HELP)
    .action(async (opts: JsonOption, command: Command) => {
      const { listKeys } = await import('../../workspace/ledger/ledger-keys.js');
      const { renderKeys } = await import('./ledger-render.js');
      await withWorkspace(command, async (ws) => {
        const list = await listKeys(ws);
        if (opts.json === true) outJson(list);
        else out(renderKeys(list));
      });
    });

  keys
    .command('export')
    .description('Print a public key as PEM (the active key, created if needed, or KEYID).')
    .argument('[keyid]', 'key id (default: the active key)')
    .option('-o, --out <file>', 'write the PEM to this file instead of stdout')
    .action(
      async (keyId: string | undefined, opts: { readonly out?: string }, command: Command) => {
        const { exportPublicKey } = await import('../../workspace/ledger/ledger-keys.js');
        const { cliActor } = await import('../../workspace/plan-file.js');
        const { checkOutFile, writeOutFile } = await import('../out-file.js');
        if (opts.out !== undefined) checkOutFile(opts.out);
        await withWorkspace(command, async (ws) => {
          const { pem, keyId: id } = await exportPublicKey(ws, keyId, cliActor());
          if (opts.out === undefined) {
            process.stdout.write(pem);
            return;
          }
          writeOutFile(opts.out, pem);
          out(`wrote the public key ${id} to ${opts.out}`);
        });
      },
    );

  keys
    .command('rotate')
    .description(
      'Create a new signing key; the old private key is deleted, its public key kept so old checkpoints verify.',
    )
    .option('--json', JSON_HELP)
    .action(async (opts: JsonOption, command: Command) => {
      const { rotateKey } = await import('../../workspace/ledger/ledger-keys.js');
      const { cliActor } = await import('../../workspace/plan-file.js');
      await withWorkspace(command, async (ws) => {
        const r = await rotateKey(ws, cliActor());
        if (opts.json === true) outJson(r);
        else
          out(
            `new signing key ${r.keyId}${r.previous === null ? '' : ` (was ${r.previous}, retired: it still verifies old checkpoints)`}`,
          );
      });
    });
}
