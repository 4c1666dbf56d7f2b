/**
 * The runtime's one-shot actions: retry, approve, reject, resolve, cancel, archive.
 */
import type { Workspace } from '../../workspace/open.js';
import { cliActor } from '../../workspace/plan-file.js';
import {
  approveStep,
  archiveSession,
  cancelRun,
  cancelStep,
  rejectStep,
  resolveStep,
  retry,
} from '../../workspace/runs/runs.js';
import type { ResolveAction } from '../../store/run-store.js';
import { out, outJson } from '../context.js';
import { shellCommand } from '../../util/shell-quote.js';
import { noun } from '../plural.js';

type Action = 'retry' | 'approve' | 'reject' | 'resolve' | 'cancel' | 'archive' | 'unarchive';

interface ActOptions {
  readonly json?: boolean;
  readonly note?: string;
  readonly reason?: string;
  readonly action?: string;
}

/** Runs one action and prints what changed. */
export async function act(
  ws: Workspace,
  action: Action,
  id: string,
  opts: ActOptions,
): Promise<void> {
  const actor = cliActor();
  let result: unknown;
  let line: string;
  switch (action) {
    case 'retry': {
      const r = await retry(ws, id, actor);
      result = r;
      const queued = r.steps.filter((s) => s.state === 'queued').map((s) => s.id);
      const waiting = r.steps.filter((s) => s.state === 'awaiting_approval').map((s) => s.id);
      line = [
        queued.length > 0 ? `re-queued ${queued.join(', ')}` : '',
        waiting.length > 0
          ? `${waiting.join(', ')} ${noun(waiting.length, 'waits', 'wait')} for a person (trust or approval) again`
          : '',
      ]
        .filter((x) => x !== '')
        .join('; ');
      line += ` (run ${r.run.id} now ${r.run.status}); \`${shellCommand('pulser', 'run', '--resume', r.run.id)}\` or a worker executes what may run`;
      break;
    }
    case 'approve': {
      const s = await approveStep(ws, id, actor, opts.note);
      result = s;
      line = `approved ${s.id} (${s.title}); it is ${s.state}`;
      break;
    }
    case 'reject': {
      const s = await rejectStep(ws, id, actor, opts.reason);
      result = s;
      line = `rejected ${s.id} (${s.title}); it is ${s.state}`;
      break;
    }
    case 'resolve': {
      const s = await resolveStep(ws, id, (opts.action ?? '') as ResolveAction, actor, opts.reason);
      result = s;
      line =
        s.state === 'skipped'
          ? `skipped ${s.id} (${s.title}), recorded as ${actor}: ${opts.reason ?? ''}`
          : `${opts.action ?? ''}: ${s.id} is ${s.state}`;
      break;
    }
    case 'cancel': {
      const isStep = (await ws.store.runs.getRun(id.trim())) === null && /\.\d+$/u.test(id.trim());
      if (isStep) {
        const s = await cancelStep(ws, id, actor);
        result = s;
        line = `cancelled ${s.id}`;
      } else {
        const r = await cancelRun(ws, id, actor);
        result = r;
        line = `cancelled ${r.id} (${r.status})`;
      }
      break;
    }
    case 'archive':
    case 'unarchive': {
      const s = await archiveSession(ws, id, action === 'archive', actor);
      result = s;
      line = `${action}d session ${s.id} (${s.title})`;
      break;
    }
    default: {
      const never: never = action;
      throw new Error(`unknown action ${String(never)}`);
    }
  }
  if (opts.json === true) outJson(result);
  else out(line);
}
