/**
 * Text rendering of the ledger commands.
 */
import type { KeyEntry } from '../../workspace/ledger/ledger-keys.js';
import type { LedgerCheck, LedgerStatus } from '../../workspace/ledger/ledger.js';
import { noun, plural } from '../plural.js';

const n = (x: number): string => x.toLocaleString('en-US');

/** `pulser ledger verify` as text. */
export function renderVerify(check: LedgerCheck): string {
  const { verdict: v, ledgerId } = check;
  const lines: string[] = [];
  const sources = check.checkpointSources;
  const from = `${sources.database} in the database, ${sources.file} in checkpoints.jsonl${sources.extra > 0 ? `, ${sources.extra} given` : ''}`;
  if (v.ok && check.fileProblems.length === 0) {
    lines.push(`ledger ${ledgerId}: OK, ${plural(v.count, 'event', 'events', n)}, chain intact`);
    lines.push(`  head: event ${v.head.seq} ${v.head.hash}`);
    const cp = v.lastCheckpoint;
    lines.push(
      cp === null
        ? `  signed: no checkpoint yet (${from})`
        : `  signed: event ${cp.seq} by key ${cp.keyId} at ${cp.ts} (checkpoints: ${from})`,
    );
    lines.push(`  keyed: ${authenticationLine(check)}`);
    if (v.unsignedTail > 0) {
      lines.push(
        `  ${plural(v.unsignedTail, 'event', 'events', n)} after the last checkpoint ${noun(v.unsignedTail, 'is', 'are')} not signed yet (run \`pulser ledger checkpoint\`)`,
      );
    }
    return lines.join('\n');
  }
  const count = v.problemCount + check.fileProblems.length;
  lines.push(
    `ledger ${ledgerId}: FAILED, ${plural(count, 'problem', 'problems', n)} in ${plural(v.count, 'event', 'events', n)}`,
  );
  const bad = v.firstBad;
  if (bad !== null) {
    const e = check.firstBadEvent;
    const what =
      e === null
        ? ''
        : ` (${e.type} at ${e.ts} by ${e.actor}${e.subject === null ? '' : ` on ${e.subject}`})`;
    lines.push(`  first bad event: ${bad.seq}${what}: ${bad.message}`);
  }
  for (const p of [...check.fileProblems, ...v.problems].slice(0, 10)) {
    lines.push(`  - [${p.code}] ${p.message}`);
  }
  if (count > 10) lines.push(`  ... and ${n(count - 10)} more (--json shows up to 100)`);
  const cp = v.lastCheckpoint;
  lines.push(
    cp === null
      ? `  no checkpoint matched the chain (${from})`
      : `  last good checkpoint: event ${cp.seq} by key ${cp.keyId} (${from})`,
  );
  return lines.join('\n');
}

function authenticationLine(check: LedgerCheck): string {
  const a = check.authentication;
  switch (a.state) {
    case 'verified':
      return `every event from ${a.from ?? 1} on is authenticated by the chain key`;
    case 'legacy':
      return 'no event carries a chain-key MAC yet (written before this Pulser, or in a shared database without a shared chain key); the signed checkpoints vouch for them';
    case 'no-key':
      return `cannot read the chain key ${a.file}: only the signed checkpoints vouch for the events (run as the workspace owner to check everything)`;
    case 'failed':
      return 'FAILED';
    default: {
      const never: never = a.state;
      return never;
    }
  }
}

/** `pulser ledger status` as text. */
export function renderStatus(s: LedgerStatus): string {
  const cp = s.lastCheckpoint;
  return [
    `ledger ${s.ledgerId}`,
    `  events:      ${n(s.head.seq)} (head ${s.head.hash})`,
    `  checkpoints: ${n(s.checkpoints)}${cp === null ? '' : `, last at event ${cp.seq} by key ${cp.keyId} at ${cp.ts}`}`,
    `  unsigned:    ${plural(s.unsigned, 'event', 'events', n)}`,
    `  signing key: ${s.activeKeyId ?? 'none yet (created on first use)'}${s.keys > 1 ? `, ${s.keys - 1} retired` : ''}`,
  ].join('\n');
}

/** `pulser keys` as text. */
export function renderKeys(keys: ReadonlyArray<KeyEntry>): string {
  if (keys.length === 0) return 'no keys yet: the first is created when the ledger is first signed';
  return keys
    .map(
      (k) =>
        `${k.keyId}  ${k.state.padEnd(7)}  ${String(k.checkpoints).padStart(6)} ${noun(k.checkpoints, 'checkpoint').padEnd(11)}  ed25519 ${k.publicKey}${k.state === 'retired' && k.canSign ? '  (private key still on disk)' : ''}`,
    )
    .join('\n');
}
