/**
 * Signoffs: a named person decides a criterion (`pulser signoff ID --reason ...`), recorded as
 * `criterion.signed_off`. It decides a manual criterion (and one without a verifier), and a
 * criterion whose verifier was quarantined as flaky.
 */
import { StateError, UsageError } from '../../errors/index.js';
import type { StoredEvent } from '../../store/events.js';
import { sha256Hex } from '../../util/hash.js';
import { resolveBindings } from './check-bindings.js';
import { personOf, type SignoffData } from './check-observe.js';
import type { Workspace } from '../open.js';
import { cliActor } from '../plan-file.js';
import { resolveNode } from '../resolve.js';
import { shellCommand } from '../../util/shell-quote.js';

/** Options of {@link signoff}. */
export interface SignoffOptions {
  /** Why: required, recorded with the signoff. */
  readonly reason: string;
  /** `fail` records a rejection. @default 'pass' */
  readonly verdict?: 'pass' | 'fail';
  /** Who signs (`cli:<user>`, `user:<name>`). @default the CLI user */
  readonly actor?: string;
}

/**
 * Records a person's signoff (or rejection) of criterion `ref`. Refused when the criterion's
 * verifier names another approver (`manual @ana`).
 *
 * @example
 * await signoff(ws, 'phase-n1/exit/docs-reviewed', { reason: 'read the docs end to end' });
 */
export async function signoff(
  ws: Workspace,
  ref: string,
  options: SignoffOptions,
): Promise<{ data: SignoffData; event: StoredEvent }> {
  const reason = options.reason.trim();
  if (reason === '') {
    throw new UsageError('a signoff needs a reason', { hint: 'add --reason "what you checked"' });
  }
  const { stored, node } = await resolveNode(ws, ref);
  if (node.kind !== 'criterion') {
    throw new UsageError(`${ref} is a ${node.kind}, not a criterion`, {
      hint:
        node.kind === 'phase'
          ? 'sign off the criteria of its gate: `pulser check PHASE` lists them'
          : 'give the ID of an exit, acceptance or success criterion',
    });
  }
  const actor = options.actor ?? cliActor();
  const by = personOf(actor);
  const binding = (await resolveBindings(ws, stored)).get(node.id);
  const approver = binding?.verifier?.kind === 'manual' ? binding.verifier.approver : undefined;
  if (approver !== undefined && approver.toLowerCase() !== by.toLowerCase()) {
    throw new StateError(`${node.id} must be signed off by @${approver}, not ${by}`, {
      file: stored.path,
      line: node.pos.line,
      hint: `ask ${approver} to run \`${shellCommand('pulser', 'signoff', `${stored.id}:${node.id}`)} --reason "..."\``,
    });
  }
  const data: SignoffData = {
    planId: stored.id,
    criterion: node.id,
    verdict: options.verdict ?? 'pass',
    reason,
    by,
    textDigest: sha256Hex(node.text),
  };
  const event = await ws.store.events.append({
    type: 'criterion.signed_off',
    actor,
    subject: node.id,
    data,
  });
  return { data, event };
}
