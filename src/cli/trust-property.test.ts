// Property of the trust boundary: random sequences of run / cancel / reject / retry / resolve /
// untrust / trust / edit / approve / resume, each through the CLI, the HTTP API (a real
// `pulser serve`, operator and approver tokens) or an MCP agent, never start a command without
// authority. Version k of the plan's command appends a line to `ran-k` (odd versions then exit
// 127, so that their steps are quarantined and can be resolved): after each action, once
// nothing is queued or running, version k may have run more only if it is trusted now or a
// person approved one of its steps in that action (once per approval). The seed is printed on
// failure; PULSER_PROPERTY_SEED replays it, PULSER_PROPERTY_STEPS runs longer sequences.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  agent,
  project,
  server,
  toolText,
  type Agent,
  type CliResult,
  type Project,
  type Server,
} from './boundary-harness.js';

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const command = (k: number): string => `echo x >> ran-${k}${k % 2 === 1 ? '; exit 127' : ''}`;
const planText = (k: number): string =>
  `# Property\n\n## Task 1: Step @ANA\n\n\`\`\`sh\n${command(k)}\n\`\`\`\n`;

interface RunJson {
  readonly id: string;
  readonly counts: Record<string, number>;
}
interface StepJson {
  readonly id: string;
  readonly state: string;
  readonly authority: string;
}

const SEED = Number(process.env.PULSER_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STEPS = Number(process.env.PULSER_PROPERTY_STEPS ?? 30);

describe('property: no command starts without authority, over CLI, HTTP and MCP', () => {
  let p: Project;
  let srv: Server;
  let bot: Agent;
  before(async () => {
    p = project({ 'plan.md': planText(0) }, ['plan.md']);
    srv = await server(p);
    bot = await agent(p, 'bot');
    await bot.call('pulser_claim', { taskId: 'task-1' });
  });
  after(async () => {
    await bot.close();
    await srv.stop();
    p.done();
  });

  it(`random sequences (seed ${SEED}, ${STEPS} actions)`, async (t) => {
    const random = prng(SEED);
    const pick = <T>(list: ReadonlyArray<T>): T => list[Math.floor(random() * list.length)]!;
    const log: string[] = [];
    const fail = (what: string): never =>
      assert.fail(
        `${what}\nseed ${SEED} (replay: PULSER_PROPERTY_SEED=${SEED})\n${log.join('\n')}`,
      );

    let version = 0;
    const trusted = new Set<number>();
    const versionOf = new Map<string, number>(); // step ID → version of its command
    const runs: string[] = [];
    const seen = new Map<number, number>();
    const op = srv.tokens.operator;
    const ap = srv.tokens.approver;
    const lines = (k: number): number =>
      p.exists(`ran-${k}`) ? p.read(`ran-${k}`).split('\n').length - 1 : 0;
    const cli = (...args: string[]): CliResult => {
      const r = p.pulser(...args);
      log.push(`  cli ${args.join(' ')} → ${r.code}`);
      return r;
    };
    const http = async (token: string, method: string, path: string, body?: unknown) => {
      const r = await srv.api(token, method, path, body);
      log.push(`  http ${method} ${path} ${JSON.stringify(body ?? {})} → ${r.status}`);
      return r;
    };
    const newRun = (runId: string | undefined): void => {
      if (runId === undefined) return;
      runs.push(runId);
      versionOf.set(`${runId}.1`, version);
    };
    const steps = async (): Promise<StepJson[]> => {
      const out: StepJson[] = [];
      for (const id of runs) {
        const r = await srv.api(op, 'GET', `/runs/${id}`);
        out.push(...(r.body.run as { steps: StepJson[] }).steps);
      }
      return out;
    };
    const quiet = async (): Promise<void> => {
      for (let i = 0; ; i++) {
        const r = await srv.api(op, 'GET', '/runs?limit=500');
        const busy = (r.body.runs as RunJson[]).filter(
          (x) => (x.counts.queued ?? 0) + (x.counts.leased ?? 0) + (x.counts.running ?? 0) > 0,
        );
        if (busy.length === 0) return;
        if (i > 400) fail(`runs never settled: ${busy.map((b) => b.id).join(', ')}`);
        await new Promise((ok) => setTimeout(ok, 50));
      }
    };

    for (let n = 0; n < STEPS; n++) {
      const approvedNow = new Map<number, number>();
      const channel = pick(['cli', 'http', 'mcp'] as const);
      const anyStep = runs.length === 0 ? undefined : `${pick(runs)}.1`;
      const action = pick(
        runs.length === 0
          ? (['run', 'trust', 'edit'] as const)
          : ([
              'run',
              'run',
              'run',
              'cancel',
              'cancel',
              'reject',
              'retry',
              'retry',
              'retry',
              'resolve',
              'untrust',
              'trust',
              'edit',
              'approve',
              'approve',
              'resume',
            ] as const),
      );
      log.push(`${n}: ${action} via ${channel} (version ${version})`);
      switch (action) {
        case 'run':
          if (channel === 'cli') {
            newRun(/(run-[0-9a-f]{8})/u.exec(cli('run', '--detach').stdout)?.[1]);
          } else if (channel === 'http') {
            const r = await http(op, 'POST', '/runs', { target: 'plan' });
            newRun((r.body.run as { id: string } | undefined)?.id);
          } else {
            const r = toolText(await bot.call('pulser_run', { taskId: 'task-1', waitSeconds: 0 }));
            log.push(`  mcp pulser_run → ${r.slice(0, 80)}`);
            newRun(/(run-[0-9a-f]{8})/u.exec(r)?.[1]);
          }
          break;
        case 'cancel': {
          const runId = pick(runs);
          if (channel === 'cli') cli('cancel', runId);
          else await http(op, 'POST', `/runs/${runId}/cancel`, {});
          break;
        }
        case 'reject':
          if (channel === 'cli') cli('reject', anyStep!);
          else await http(ap, 'POST', `/steps/${anyStep!}/reject`, {});
          break;
        case 'retry': {
          const id = random() < 0.5 ? pick(runs) : anyStep!;
          if (channel === 'cli') cli('retry', id);
          else await http(op, 'POST', `/${id.includes('.') ? 'steps' : 'runs'}/${id}/retry`, {});
          break;
        }
        case 'resolve':
          if (channel === 'cli') cli('resolve', anyStep!, 'retry');
          else await http(op, 'POST', `/steps/${anyStep!}/resolve`, { action: 'retry' });
          break;
        case 'untrust':
          if (channel === 'cli') cli('untrust', 'plan');
          else await http(ap, 'POST', '/untrust', { planId: 'plan' });
          trusted.clear();
          break;
        case 'trust': {
          let ok: boolean;
          if (channel === 'cli') ok = cli('trust', 'plan.md').code === 0;
          else {
            const seenBy = await http(ap, 'GET', '/trust');
            const plan = (
              seenBy.body.plans as Array<{ planId: string; sha256: string; commandsSha256: string }>
            )[0]!;
            const r = await http(ap, 'POST', '/trust', {
              planId: plan.planId,
              sha256: plan.sha256,
              commands: plan.commandsSha256,
            });
            ok = r.status === 200;
          }
          if (!ok) fail('trusting the current version failed');
          trusted.add(version);
          break;
        }
        case 'edit':
          version++;
          p.write('plan.md', planText(version));
          if (cli('import', 'plan.md').code !== 0) fail('import failed');
          break;
        case 'approve': {
          const ok =
            channel === 'cli'
              ? cli('approve', anyStep!).code === 0
              : (await http(ap, 'POST', `/steps/${anyStep!}/approve`, {})).status === 200;
          const k = versionOf.get(anyStep!)!;
          if (ok) approvedNow.set(k, (approvedNow.get(k) ?? 0) + 1);
          break;
        }
        case 'resume':
          cli('run', '--resume', pick(runs));
          break;
        default: {
          const never: never = action;
          throw new Error(String(never));
        }
      }
      await quiet();
      for (let k = 0; k <= version; k++) {
        const now = lines(k);
        const ran = now - (seen.get(k) ?? 0);
        seen.set(k, now);
        if (ran === 0 || trusted.has(k)) continue;
        if (ran > (approvedNow.get(k) ?? 0)) {
          fail(
            `version ${k} ("${command(k)}") ran ${ran} time(s) with ${approvedNow.get(k) ?? 0} approval(s) and no trust`,
          );
        }
      }
      for (const s of await steps()) {
        const executed = ['succeeded', 'quarantined', 'running', 'leased'].includes(s.state);
        if (executed && s.authority === 'none') fail(`${s.id} is ${s.state} with authority none`);
      }
    }
    t.diagnostic(
      `seed ${SEED}: ${STEPS} actions over ${runs.length} runs, ${version + 1} versions`,
    );
  });
});
