import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { allSteps } from '../ir/index.js';
import { looksLikeCommands, stepDigest } from './index.js';
import { planOf } from './test-helpers.js';

test('shell fences are steps; other languages never are', () => {
  const plan = planOf(
    [
      '## Phase 1',
      '```bash\nmake test\n```',
      '```sh\n./deploy.sh --dry-run\n```',
      '```zsh\necho hi\n```',
      '```shell\nls\n```',
      '```console\n$ npm ci\nadded 10 packages\n$ npm test\n```',
      '```rust\nfn main() {}\n```',
      '```ts\nconst x = 1;\n```',
      '```json\n{"a": 1}\n```',
      '```yaml\na: 1\n```',
      '```python\nprint(1)\n```',
    ].join('\n\n'),
  );
  const steps = [...allSteps(plan)];
  assert.deepEqual(
    steps.map((s) => [s.language, s.input]),
    [
      ['bash', 'make test\n'],
      ['sh', './deploy.sh --dry-run\n'],
      ['zsh', 'echo hi\n'],
      ['shell', 'ls\n'],
      ['console', 'npm ci\nnpm test\n'],
    ],
  );
  for (const s of steps) {
    assert.equal(
      s.digest,
      createHash('sha256')
        .update(JSON.stringify(['shell', s.language, s.input]))
        .digest('hex'),
    );
    assert.equal(s.digest, stepDigest('shell', s.language, s.input));
    assert.notEqual(
      s.digest,
      stepDigest('shell', `${s.language}x`, s.input),
      'bound to the fence language',
    );
    assert.equal(s.approval, 'required');
    assert.equal(s.idempotent, false);
  }
  assert.deepEqual(steps[0]?.pos, { line: 3, column: 1, endLine: 5 });
});

test('unlabeled fences: command lines are steps; trees, diagrams and prose are not', () => {
  assert.equal(looksLikeCommands('npm install\nnpm test\n'), true);
  assert.equal(looksLikeCommands('# build\ncargo build --release \\\n  --all\n'), true);
  assert.equal(looksLikeCommands('$ git status\n'), true);
  assert.equal(
    looksLikeCommands('main           <- production-ready\n├─ dev         <- integration\n'),
    false,
  );
  assert.equal(looksLikeCommands('src/\n├── main.rs\n└── lib.rs\n'), false);
  assert.equal(looksLikeCommands('plan.md ──compile──▶ IR\n'), false);
  assert.equal(looksLikeCommands('WEEK 6:\n  Mon: Kickoff\n'), false);
  assert.equal(looksLikeCommands('Blocker Identified\n        ↓\nDocument it\n'), false);
  assert.equal(looksLikeCommands('@APEX (PSI):\nYesterday:\n'), false);
  assert.equal(looksLikeCommands(''), false);
});

test('inline commands under "Execution commands" and "Run:" become inline steps', () => {
  const plan = planOf(`## Phase N4
Execution commands:
- \`python3 a.py --x 1\`
- \`python3 b.py\`
- not a command

Run: \`npm test\`
`);
  assert.deepEqual(
    [...allSteps(plan)].map((s) => [s.language, s.input, s.pos.line, s.pos.column]),
    [
      ['inline', 'python3 a.py --x 1', 3, 3],
      ['inline', 'python3 b.py', 4, 3],
      ['inline', 'npm test', 7, 6],
    ],
  );
});

test('an unterminated fence warns and yields no step', () => {
  const plan = planOf('## Phase 1\n- [ ] a\n```bash\nrm -rf /\n');
  assert.equal([...allSteps(plan)].length, 0);
});
