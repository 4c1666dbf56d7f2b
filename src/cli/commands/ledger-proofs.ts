import type { Command } from 'commander';
import { out, outJson, withWorkspace } from '../context.js';
import { shellCommand } from '../../util/shell-quote.js';
import { plural } from '../plural.js';

/** Registers `pulser proofs export` and `pulser proofs verify`. */
export function registerProofCommands(program: Command): void {
  const proofs = program
    .command('proofs')
    .description(
      'Signed proofs of the verdicts: in-toto Statements (v1) in DSSE envelopes, one per line.',
    );

  proofs
    .command('export')
    .description(
      'Export the latest decided verdict of every criterion, metric and gate as signed in-toto statements (JSON Lines).',
    )
    .argument('[plan]', 'only the verdicts of this plan')
    .option('-o, --out <file>', 'write to this file instead of stdout (e.g. proofs.intoto.jsonl)')
    .action(
      async (planId: string | undefined, opts: { readonly out?: string }, command: Command) => {
        const { exportProofs } = await import('../../workspace/ledger/proof.js');
        const { cliActor } = await import('../../workspace/plan-file.js');
        const { checkOutFile, writeOutFile } = await import('../out-file.js');
        if (opts.out !== undefined) checkOutFile(opts.out);
        await withWorkspace(command, async (ws) => {
          if (planId !== undefined && (await ws.store.plans.get(planId)) === null) {
            const { NotFoundError } = await import('../../errors/index.js');
            throw new NotFoundError(`no plan ${planId}`, {
              hint: 'run `pulser status` to see the plan IDs',
            });
          }
          const r = await exportProofs(ws, {
            actor: cliActor(),
            ...(planId === undefined ? {} : { planId }),
          });
          if (opts.out === undefined) {
            process.stdout.write(r.text);
            return;
          }
          writeOutFile(opts.out, r.text);
          out(
            r.envelopes.length === 0
              ? `wrote no proof to ${opts.out}: no verdict is decided yet; run \`pulser check\` first`
              : `wrote ${plural(r.envelopes.length, 'signed proof')} to ${opts.out} (key ${r.keyId}, ledger ${r.ledgerId}); verify with \`${shellCommand('pulser', 'proofs', 'verify', opts.out)}\``,
          );
        });
      },
    );

  proofs
    .command('verify')
    .description(
      "Verify a proofs file: every signature over the DSSE PAE, with the workspace's keys (or --key), before reading any statement. Exit 1 when any proof fails.",
    )
    .argument('<file>', 'a JSON Lines file of DSSE envelopes')
    .option(
      '--key <pem>',
      'trust this public key (from `pulser keys export`) instead of the workspace keys; repeatable',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--json', 'print JSON instead of text')
    .action(
      async (
        file: string,
        opts: { readonly key: string[]; readonly json?: boolean },
        command: Command,
      ) => {
        const { readFileSync } = await import('node:fs');
        const proof = await import('../../workspace/ledger/proof.js');
        const { InputError } = await import('../../errors/index.js');
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (error) {
          const { fileErrorReason } = await import('../../errors/system.js');
          throw new InputError(`cannot read the proofs: ${fileErrorReason(error)}`, {
            file,
            hint: 'give a JSON Lines file written by `pulser proofs export`',
          });
        }
        const report = (checks: Awaited<ReturnType<typeof proof.verifyProofs>>): void => {
          if (opts.json === true) outJson(checks);
          else {
            for (const c of checks) {
              out(
                c.ok
                  ? `${file}:${c.line}: OK   ${c.message} (key ${c.keyIds.join(', ')}; subjects ${(c.subjects ?? []).map((s) => s.name).join(', ')})`
                  : `${file}:${c.line}: FAIL [${c.code ?? 'error'}] ${c.message}`,
              );
            }
            const bad = checks.filter((c) => !c.ok).length;
            out(
              checks.length === 0
                ? 'no proofs in the file'
                : bad === 0
                  ? `all ${plural(checks.length, 'proof')} verified`
                  : `${bad} of ${plural(checks.length, 'proof')} failed`,
            );
          }
          if (checks.length === 0 || checks.some((c) => !c.ok)) process.exitCode = 1;
        };
        if (opts.key.length > 0) {
          report(await proof.verifyProofs(text, proof.trustedKeysFromFiles(opts.key)));
          return;
        }
        await withWorkspace(command, async (ws) =>
          report(await proof.verifyProofs(text, await proof.workspaceTrustedKeys(ws), ws)),
        );
      },
    );
}
