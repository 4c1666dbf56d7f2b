import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allSteps } from '../ir/index.js';
import { stepDigest } from './index.js';
import { compileText, planOf } from './test-helpers.js';

const READ = '{"server": "fs", "tool": "read_text_file", "arguments": {"path": "notes.txt"}}\n';

test('an mcp fence is an untrusted step whose input is the JSON exactly as written', () => {
  const plan = planOf(
    [
      '## Phase 1',
      '### Task 1.1: Read the notes',
      'Read the notes first.',
      '```mcp\n' + READ + '```',
      '```mcp\n{"server": "gh", "tool": "list_issues", "timeoutMs": 5000}\n```',
      '```json\n{"server": "fs", "tool": "read_text_file"}\n```',
    ].join('\n\n'),
  );
  const steps = [...allSteps(plan)];
  assert.deepEqual(
    steps.map((s) => [s.id, s.title, s.tool, s.language, s.input, s.timeoutMs]),
    [
      [
        'phase-1/task-1-1/step/mcp-fs-read-text-file',
        'Read the notes first.',
        'mcp',
        'mcp',
        READ,
        undefined,
      ],
      [
        'phase-1/task-1-1/step/mcp-gh-list-issues',
        'Read the notes first.',
        'mcp',
        'mcp',
        '{"server": "gh", "tool": "list_issues", "timeoutMs": 5000}\n',
        5000,
      ],
    ],
  );
  for (const s of steps) {
    assert.equal(s.digest, stepDigest('mcp', 'mcp', s.input));
    assert.notEqual(s.digest, stepDigest('shell', 'mcp', s.input));
    assert.equal(s.approval, 'required');
    assert.equal(s.idempotent, false);
  }
  assert.deepEqual(steps[0]?.pos, { line: 7, column: 1, endLine: 9 });
});

test('a malformed mcp fence warns (naming what is wrong) and yields no step', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"server": "fs", "tool": ', /it is not JSON/u],
    ['["fs", "read"]', /it is not a JSON object/u],
    ['{"tool": "read_text_file"}', /"server" must name a server/u],
    ['{"server": "fs; rm -rf /", "tool": "x"}', /"server" must name a server/u],
    ['{"server": "fs"}', /"tool" must be a tool name/u],
    ['{"server": "fs", "tool": "x", "arguments": "a"}', /"arguments" must be a JSON object/u],
    ['{"server": "fs", "tool": "x", "timeoutMs": -1}', /"timeoutMs" must be a positive integer/u],
  ];
  for (const [body, message] of cases) {
    const { plan, diagnostics } = compileText(`## Phase 1\n\n\`\`\`mcp\n${body}\n\`\`\`\n`);
    assert.equal([...allSteps(plan!)].length, 0, body);
    const d = diagnostics.find((x) => x.code === 'compile/invalid-mcp-step');
    assert.ok(d, body);
    assert.equal(d.severity, 'warning');
    assert.equal(d.line, 3);
    assert.match(d.message, message);
  }
});
