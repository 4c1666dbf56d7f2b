import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isPulserError } from '../errors/index.js';
import { McpCallError, callMcpTool, connectMcpServer, type McpFailure } from './mcp-client.js';
import { parseMcpServers } from './mcp-client-config.js';

const here = dirname(fileURLToPath(import.meta.url));
const FS_SERVER = resolve(
  here,
  '../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js',
);
const TEST_SERVER = join(here, 'mcp-client-test-server.js');
const T = { timeout: 60_000 };

async function failsWith(
  p: Promise<unknown>,
  reason: McpFailure,
  retryable: boolean,
): Promise<McpCallError> {
  let caught: unknown;
  await assert.rejects(p, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof McpCallError, String(caught));
  assert.equal(caught.reason, reason, caught.message);
  assert.equal(caught.retryable, retryable);
  assert.equal(caught.code, 'E_TOOL');
  return caught;
}

describe('callMcpTool against real MCP server processes', () => {
  let dir = '';
  let config: { mcpServers: Record<string, unknown> };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulser-mcpc-'));
    writeFileSync(join(dir, 'notes.txt'), 'hello from a temp dir\n');
    config = {
      mcpServers: {
        fs: { command: process.execPath, args: [FS_SERVER, dir] },
        test: {
          command: process.execPath,
          args: [TEST_SERVER],
          env: { PULSER_TEST_PID_FILE: join(dir, 'hang.pid') },
        },
        missing: { command: join(dir, 'no-such-server') },
        down: { url: 'http://127.0.0.1:9/mcp' },
      },
    };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists and reads a file through @modelcontextprotocol/server-filesystem', T, async () => {
    const listed = await callMcpTool(config, 'fs', 'list_directory', { path: dir });
    assert.equal(listed.isError, false);
    assert.match(JSON.stringify(listed.content), /\[FILE\] notes\.txt/u);
    const read = await callMcpTool(config, 'fs', 'read_text_file', {
      path: join(dir, 'notes.txt'),
    });
    assert.equal(read.isError, false);
    assert.match(JSON.stringify(read.content), /hello from a temp dir/u);
  });

  it('a tool reporting its own failure is data (isError), not a thrown error', T, async () => {
    const outside = await callMcpTool(config, 'fs', 'read_text_file', { path: '/etc/hostname' });
    assert.equal(outside.isError, true);
    const failed = await callMcpTool(config, 'test', 'fail', {});
    assert.equal(failed.isError, true);
    const echoed = await callMcpTool(config, 'test', 'echo', { text: 'hi' });
    assert.deepEqual(echoed.structuredContent, { echoed: 'hi' });
  });

  it('an unknown tool or invalid arguments are not retryable', T, async () => {
    const unknown = await failsWith(callMcpTool(config, 'fs', 'rm_rf', {}), 'unknown-tool', false);
    assert.match(unknown.data.hint ?? '', /read_text_file/u);
    await failsWith(
      callMcpTool(config, 'fs', 'read_text_file', { path: 42 }),
      'invalid-args',
      false,
    );
    await failsWith(callMcpTool(config, 'test', 'echo', {}), 'invalid-args', false);
  });

  it('a server that exits mid-call is a retryable error, never a hang', T, async () => {
    await failsWith(callMcpTool(config, 'test', 'exit_mid_call', {}), 'connection-closed', true);
  });

  it('a server killed (kill -9) during a call is a retryable error', T, async () => {
    const pidFile = join(dir, 'hang.pid');
    rmSync(pidFile, { force: true });
    const call = callMcpTool(config, 'test', 'hang', {}, { timeoutMs: 50_000 });
    const settled = call.catch((e: unknown) => e);
    for (let i = 0; i < 300 && !existsSync(pidFile); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    const error = await settled;
    assert.ok(error instanceof McpCallError, String(error));
    assert.equal(error.reason, 'connection-closed');
    assert.equal(error.retryable, true);
  });

  it(
    'a call with no answer times out (retryable); a cancelled call is not retryable',
    T,
    async () => {
      await failsWith(
        callMcpTool(config, 'test', 'hang', {}, { timeoutMs: 1500 }),
        'timeout',
        true,
      );
      const controller = new AbortController();
      const call = callMcpTool(config, 'test', 'hang', {}, { signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      await failsWith(call, 'aborted', false);
    },
  );

  it('a missing command is not retryable; an unreachable URL is', T, async () => {
    await failsWith(callMcpTool(config, 'missing', 'x', {}), 'spawn-failed', false);
    await failsWith(
      callMcpTool(config, 'down', 'x', {}, { timeoutMs: 10_000 }),
      'unreachable',
      true,
    );
  });

  it('an unknown server name is a not-found error listing the configured ones', async () => {
    await assert.rejects(callMcpTool(config, 'nope', 'x', {}), (e: unknown) => {
      assert.ok(isPulserError(e));
      assert.equal(e.code, 'E_NOT_FOUND');
      assert.match(e.data.hint ?? '', /fs, test, missing, down/u);
      return true;
    });
  });

  it('one connection serves several calls', T, async () => {
    const conn = await connectMcpServer(config, 'test');
    try {
      assert.deepEqual((await conn.listTools()).map((t) => t.name).sort(), [
        'crash_once',
        'echo',
        'exit_mid_call',
        'fail',
        'hang',
      ]);
      for (const text of ['a', 'b']) {
        const r = await conn.callTool('echo', { text });
        assert.deepEqual(r.structuredContent, { echoed: text });
      }
    } finally {
      await conn.close();
    }
  });
});

describe('parseMcpServers', () => {
  const where = '.pulser/config.json';
  const error = (raw: unknown): string => {
    try {
      parseMcpServers(raw, where);
    } catch (e) {
      assert.ok(isPulserError(e));
      assert.equal(e.data.file, where);
      return e.message;
    }
    throw new Error('no error');
  };

  it('reads the mcpServers shape MCP clients use', () => {
    assert.deepEqual(
      parseMcpServers({
        fs: { command: 'npx', args: ['-y', 'pkg', '/tmp'], env: { A: '1' }, autoApprove: [] },
        remote: { type: 'http', url: 'http://127.0.0.1:8080/mcp', headers: { X: 'y' } },
      }),
      {
        fs: { transport: 'stdio', command: 'npx', args: ['-y', 'pkg', '/tmp'], env: { A: '1' } },
        remote: { transport: 'http', url: 'http://127.0.0.1:8080/mcp', headers: { X: 'y' } },
      },
    );
    assert.deepEqual(parseMcpServers(undefined), {});
  });

  it('names the server and the field in errors', () => {
    assert.equal(
      error({ fs: { command: 'npx', args: 'oops' } }),
      'invalid mcpServers.fs.args: Invalid input: expected array, received string',
    );
    assert.equal(
      error({ fs: { command: 'npx', env: { A: 1 } } }),
      'invalid mcpServers.fs.env.A: Invalid input: expected string, received number',
    );
    assert.equal(
      error({ web: { url: 'ftp://x' } }),
      'invalid mcpServers.web.url: must be an http:// or https:// URL',
    );
    assert.equal(error({ fs: { args: [] } }), 'mcpServers.fs has neither "command" nor "url"');
    assert.equal(error({ fs: 'npx' }), 'mcpServers.fs must be an object');
    assert.equal(error([]), 'mcpServers must be an object of servers by name');
    assert.equal(error({ 'bad name': { command: 'x' } }), 'invalid MCP server name "bad name"');
  });
});
