import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pulser } from '../util/test-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const FS_SERVER = resolve(
  here,
  '../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js',
);

describe('pulser mcp tools / call (external MCP servers from .pulser/config.json)', () => {
  let dir = '';
  const config = (servers: unknown): void =>
    writeFileSync(join(dir, '.pulser', 'config.json'), JSON.stringify({ mcpServers: servers }));
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pulser-mcpcli-'));
    mkdirSync(join(dir, '.pulser'));
    writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the tools of a configured server and calls one', () => {
    config({ fs: { command: process.execPath, args: [FS_SERVER, dir] } });
    const tools = pulser(dir, 'mcp', 'tools', 'fs');
    assert.equal(tools.code, 0, tools.stderr);
    assert.match(tools.stdout, /^read_text_file {2}/mu);
    const call = pulser(
      dir,
      'mcp',
      'call',
      'fs',
      'read_text_file',
      JSON.stringify({ path: join(dir, 'hello.txt') }),
    );
    assert.equal(call.code, 0, call.stderr);
    const result = JSON.parse(call.stdout) as {
      isError: boolean;
      content: Array<{ text: string }>;
    };
    assert.equal(result.isError, false);
    assert.equal(result.content[0]?.text, 'hello\n');
  });

  it('bad arguments and unknown tools are one-line errors, no stack trace', () => {
    const json = pulser(dir, 'mcp', 'call', 'fs', 'read_text_file', '{path:');
    assert.equal(json.code, 2);
    assert.match(json.stderr, /^pulser: the tool arguments are not JSON/u);
    const unknown = pulser(dir, 'mcp', 'call', 'fs', 'nope');
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /^pulser: MCP server fs, tool nope: no such tool\n {2}hint: the server's tools: /u,
    );
    assert.doesNotMatch(unknown.stderr, /\n\s+at /u);
  });

  it('an invalid mcpServers entry names the file, the server and the field', () => {
    config({ fs: { command: 'npx', args: 'not-a-list' } });
    const r = pulser(dir, 'mcp', 'tools', 'fs');
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^pulser: .*\.pulser\/config\.json: invalid mcpServers\.fs\.args: Invalid input: expected array, received string\n {2}hint: /u,
    );
  });
});
