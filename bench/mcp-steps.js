// MCP step benchmark: one `mcp` step (read_text_file on @modelcontextprotocol/server-filesystem)
// run through the durable runtime (start run → step succeeded, in-process worker, server started
// for the call) against the peer, the same call made directly with callMcpTool (no run, no
// store). Also a shell step (`cat`) through the runtime for scale. Reports medians and the
// ratio runtime / direct. Exports run(); bench/run.js calls it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callMcpTool } from '../dist/tools/mcp-client.js';
import { openWorkspace } from '../dist/workspace/open.js';
import { startWorker } from '../dist/workspace/runs/run-worker.js';
import { startRun, waitForRun } from '../dist/workspace/runs/runs.js';

const here = dirname(fileURLToPath(import.meta.url));
const FS_SERVER = resolve(
  here,
  '../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js',
);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Median latency of an MCP step through the runtime, of the direct call, and of a shell step. */
export async function run({ samples = 10 } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'pulser-bench-mcp-steps-'));
  mkdirSync(join(root, '.pulser'));
  writeFileSync(join(root, 'notes.txt'), 'hello\n'.repeat(100));
  const config = { mcpServers: { fs: { command: process.execPath, args: [FS_SERVER, '.'] } } };
  writeFileSync(join(root, '.pulser', 'config.json'), JSON.stringify(config));
  const ws = await openWorkspace({ root, env: {} });
  const worker = startWorker(ws, { pollMs: 5 });
  const actor = 'cli:bench';
  const input = JSON.stringify({
    server: 'fs',
    tool: 'read_text_file',
    arguments: { path: 'notes.txt' },
  });
  const step = async (tool, text) => {
    const { run: r } = await startRun(ws, {
      actor,
      steps: [{ title: tool, tool, input: text, trustedBy: actor }],
    });
    const done = await waitForRun(ws, r.id, { until: 'finished', pollMs: 2 });
    if (done.status !== 'succeeded') throw new Error(`${tool} step ${done.status}`);
  };
  try {
    await step('mcp', input);
    await callMcpTool(config, 'fs', 'read_text_file', { path: 'notes.txt' }, { cwd: root });
    const runtime = [];
    const direct = [];
    const shell = [];
    for (let i = 0; i < samples; i++) {
      runtime.push(await timed(() => step('mcp', input)));
      direct.push(
        await timed(() =>
          callMcpTool(config, 'fs', 'read_text_file', { path: 'notes.txt' }, { cwd: root }),
        ),
      );
      shell.push(await timed(() => step('shell', 'cat notes.txt')));
    }
    const r = median(runtime);
    const d = median(direct);
    return {
      mcpStepMedianMs: Number(r.toFixed(1)),
      directCallMedianMs: Number(d.toFixed(1)),
      shellStepMedianMs: Number(median(shell).toFixed(1)),
      runtimeOverDirectRatio: Number((r / d).toFixed(2)),
    };
  } finally {
    await worker.stop();
    await ws.close();
    rmSync(root, { recursive: true, force: true });
  }
}
