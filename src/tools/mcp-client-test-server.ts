/**
 * A tiny MCP server for the MCP client tests (run as a real child process): `echo` answers,
 * `exit_mid_call` exits before answering, `crash_once` exits on its first call and answers
 * afterwards (it remembers by creating the file `marker`), `hang` never answers (after writing
 * its process ID to the file named by `PULSER_TEST_PID_FILE`, so that a test can kill -9 it).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'pulser-test-server', version: '1.0.0' });

server.registerTool(
  'echo',
  { description: 'Echo a text.', inputSchema: { text: z.string() } },
  ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { echoed: text } }),
);

server.registerTool('exit_mid_call', { description: 'Exit without answering.' }, () => {
  process.exit(3);
});

server.registerTool(
  'crash_once',
  {
    description: 'Exit mid-call the first time, answer afterwards.',
    inputSchema: { marker: z.string() },
  },
  ({ marker }) => {
    if (!existsSync(marker)) {
      writeFileSync(marker, String(process.pid));
      process.exit(4);
    }
    return { content: [{ type: 'text', text: 'recovered' }] };
  },
);

server.registerTool('hang', { description: 'Never answer.' }, () => {
  const file = process.env.PULSER_TEST_PID_FILE;
  if (file !== undefined) writeFileSync(file, String(process.pid));
  return new Promise(() => {});
});

server.registerTool('fail', { description: 'Report a tool-level failure.' }, () => ({
  isError: true,
  content: [{ type: 'text', text: 'it went wrong' }],
}));

await server.connect(new StdioServerTransport());
