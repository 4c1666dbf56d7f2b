/**
 * Promotion of a phase: a phase is not marked done while its gate does not pass, unless forced;
 * a forced promotion is recorded (`gate.forced`) with the gate's state and the reason.
 */
import { StateError } from '../../errors/index.js';
import { checkTarget, type PhaseCheck } from '../checks/check.js';
import type { Workspace } from '../open.js';
import { shellCommand } from '../../util/shell-quote.js';

/** How a promotion may bypass a closed gate. */
export interface PromotionOptions {
  /** Mark the phase done even when its gate does not pass (recorded as forced). */
  readonly force?: boolean;
  /** Why it was forced (recorded). */
  readonly reason?: string;
  readonly actor: string;
}

/**
 * Decides whether `phaseId` may be marked done: returns the gate when it passes or the promotion
 * is forced; throws a StateError listing what blocks the gate otherwise. Records nothing.
 */
export async function gateForPromotion(
  ws: Workspace,
  planId: string,
  phaseId: string,
  options: PromotionOptions,
): Promise<PhaseCheck> {
  const result = await checkTarget(ws, `${planId}:${phaseId}`, {
    record: false,
    actor: options.actor,
    // Deciding a promotion executes nothing: command verifiers count as last checked.
    commands: 'recorded',
  });
  const phase = result.plans[0]?.phases[0];
  if (phase === undefined) throw new StateError(`no gate for ${phaseId}`);
  if (phase.gate.status === 'pass' || options.force === true) return phase;
  const blocking = phase.gate.blocking;
  const shown = blocking
    .slice(0, 3)
    .map((v) => `${v.target} (${v.status}: ${v.reason})`)
    .join('; ');
  throw new StateError(
    `the gate of ${phaseId} is ${phase.gate.status}: ${blocking.length} of ${phase.gate.verdicts.length} not passing: ${shown}${blocking.length > 3 ? '; ...' : ''}`,
    {
      hint: `run \`${shellCommand('pulser', 'check', `${planId}:${phaseId}`)}\` to see every verdict; sign off, measure or fix them, or add --force (recorded)`,
    },
  );
}

/** Records a forced promotion (`gate.forced`) when the gate did not pass. */
export async function recordForcedPromotion(
  ws: Workspace,
  planId: string,
  phase: PhaseCheck,
  options: PromotionOptions,
): Promise<boolean> {
  if (phase.gate.status === 'pass') return false;
  await ws.store.events.append({
    type: 'gate.forced',
    actor: options.actor,
    subject: phase.id,
    data: {
      planId,
      phaseId: phase.id,
      gate: phase.gate.gate,
      status: phase.gate.status,
      blocking: phase.gate.blocking.map((v) => ({
        target: v.target,
        status: v.status,
        reason: v.reason,
      })),
      reason: options.reason ?? null,
    },
  });
  return true;
}
