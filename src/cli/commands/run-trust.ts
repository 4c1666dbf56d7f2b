/**
 * `pulser trust FILE`, `pulser trust --show`, `pulser untrust PLAN`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors/index.js';
import type { Workspace } from '../../workspace/open.js';
import { cliActor, workspacePath } from '../../workspace/plan-file.js';
import { trustFile, trustStatus, untrustPlan } from '../../workspace/access/trust.js';
import { shellCommand } from '../../util/shell-quote.js';
import { out, outJson } from '../context.js';
import { noun, plural } from '../plural.js';

/** A command as shown for review: each line indented under its node (made visible by `out`). */
function commandLines(command: string): string {
  return command
    .replace(/\n$/u, '')
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
}

/** `pulser trust FILE` or `pulser trust --show`. */
export async function trustCommand(
  ws: Workspace,
  file: string | undefined,
  opts: { show?: boolean; json?: boolean; commands?: string },
): Promise<void> {
  if (opts.show === true || file === undefined) {
    if (file !== undefined) throw new UsageError('give a FILE to trust, or --show, not both');
    const plans = await trustStatus(ws);
    if (opts.json === true) {
      outJson({ plans });
      return;
    }
    if (plans.length === 0) {
      out('no plan imported yet');
      return;
    }
    for (const p of plans) {
      const by = p.trustedBy === null ? '' : ` by ${p.trustedBy} at ${p.trustedAt ?? ''}`;
      out(`${p.planId} (${p.path}, sha256 ${p.sha256.slice(0, 12)}): ${p.status}${by}`);
      if (p.executables.length > 0) {
        out(
          `  to trust exactly these: ${shellCommand('pulser', 'trust', p.path, '--commands', p.commandsSha256)}`,
        );
      }
      for (const e of p.executables) {
        const mark =
          e.trust === 'trusted' ? 'trusted  ' : e.trust === 'changed' ? 'CHANGED  ' : 'untrusted';
        out(
          `  ${mark} ${e.kind.padEnd(8)} ${e.nodeId}${e.language === undefined ? '' : ` (${e.language})`}`,
        );
        out(commandLines(e.command));
      }
    }
    return;
  }
  const { grant, released, plan, trusted } = await trustFile(ws, file, cliActor(), opts.commands);
  if (opts.json === true) {
    outJson({ grant, released });
    return;
  }
  out(
    `trusted ${plan.path} (${plan.id}, sha256 ${grant.sha256.slice(0, 12)}): ${plural(grant.items.length, 'command')}`,
  );
  for (const e of trusted) {
    out(`  ${e.kind.padEnd(8)} ${e.nodeId}${e.language === undefined ? '' : ` (${e.language})`}`);
    out(commandLines(e.command));
  }
  if (released.length > 0) {
    out(
      `released ${plural(released.length, 'waiting step')}: ${released.map((s) => s.id).join(', ')}`,
    );
  }
}

/** `pulser untrust PLAN|FILE`. */
export async function untrustCommand(
  ws: Workspace,
  ref: string,
  opts: { json?: boolean },
): Promise<void> {
  let planId = ref;
  if (existsSync(ref)) {
    const stored = await ws.store.plans.getByPath(workspacePath(ws.root, resolve(ref)));
    if (stored !== null) planId = stored.id;
  }
  const { revoked, parked } = await untrustPlan(ws, planId, cliActor());
  if (opts.json === true) outJson({ revoked, parked });
  else
    out(
      `revoked ${plural(revoked.length, 'trust grant')} of ${planId}; ${plural(parked.length, 'queued step')} ${noun(parked.length, 'waits', 'wait')} for approval again`,
    );
}
