// MCP server benchmark: an agent's calls to one long-running `pulser mcp` process (SDK client
// over stdio) against the peer an agent would otherwise use, one `pulser next --json` CLI
// process per question. Workspace: the large generated plan (bench/plans.js, 52 KB) imported. Reports median latencies and
// the ratio CLI / MCP for the same read. Exports run(); bench/run.js calls it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { largePlan } from './plans.js';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '../bin/pulser.js');

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

/** Median latency of MCP reads and writes, and of the CLI doing the same read. */
export async function run({ samples = 30, cliSamples = 10 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pulser-bench-mcp-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '-w', dir],
    stderr: 'ignore',
  });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  try {
    writeFileSync(join(dir, 'plan.md'), largePlan());
    const imported = spawnSync(process.execPath, [BIN, 'import', 'plan.md'], { cwd: dir });
    if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`);
    const startMs = await timed(() => client.connect(transport));
    const next = await client.callTool({ name: 'pulser_next', arguments: { limit: 1 } });
    const taskId = next.structuredContent.tasks[0].id;
    const read = [];
    const write = [];
    const cli = [];
    for (let i = 0; i < samples; i++) {
      read.push(await timed(() => client.callTool({ name: 'pulser_next', arguments: {} })));
      write.push(
        await timed(async () => {
          await client.callTool({ name: 'pulser_claim', arguments: { taskId } });
          await client.callTool({ name: 'pulser_release', arguments: { taskId } });
        }),
      );
    }
    for (let i = 0; i < cliSamples; i++) {
      cli.push(
        await timed(async () => {
          const r = spawnSync(process.execPath, [BIN, 'next', '--json'], { cwd: dir });
          if (r.status !== 0) throw new Error(`pulser next failed: ${r.stderr}`);
        }),
      );
    }
    const mcpNext = median(read);
    const cliNext = median(cli);
    return {
      startAndHandshakeMs: Number(startMs.toFixed(1)),
      mcpNextMedianMs: Number(mcpNext.toFixed(2)),
      mcpClaimReleaseMedianMs: Number(median(write).toFixed(2)),
      cliNextMedianMs: Number(cliNext.toFixed(1)),
      cliOverMcpRatio: Number((cliNext / mcpNext).toFixed(1)),
    };
  } finally {
    await client.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
