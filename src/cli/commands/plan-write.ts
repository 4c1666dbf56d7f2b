import type { Workspace } from '../../workspace/open.js';
import * as writeBack from '../../workspace/plans/write-back.js';
import { out, outJson } from '../context.js';

/** Runs a write-back and prints what changed in the file. */
export async function runWrite(
  _ws: Workspace,
  json: boolean,
  fn: (wb: typeof writeBack) => Promise<writeBack.WriteResult>,
): Promise<void> {
  const result = await fn(writeBack);
  if (json) {
    outJson(result);
    return;
  }
  if (!result.changed) {
    out(`${result.nodeId}: already so in ${result.path}; nothing written`);
    return;
  }
  for (const e of result.edits) {
    out(
      `${result.path}:${e.line}:${e.column}: ${JSON.stringify(e.from)} -> ${JSON.stringify(e.to)}`,
    );
  }
  out(`${result.nodeId} updated; ${result.planId} re-imported as version ${result.version}`);
}
