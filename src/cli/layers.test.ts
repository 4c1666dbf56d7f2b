/**
 * The layer rule of eslint.config.js can fail: files planted in a temporary folder three levels
 * deep inside src/ (removed afterwards) with an upward import, an import cycle and a database
 * driver outside a store backend are each reported by the real eslint; a downward import is not.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

interface LintResult {
  readonly filePath: string;
  readonly messages: ReadonlyArray<{ readonly ruleId: string | null; readonly message: string }>;
}

describe('the layer rule (eslint.config.js)', () => {
  it('fails on an upward import at any depth, a cycle and a driver outside store/<backend>/', () => {
    const dir = join(ROOT, 'src', 'workspace', 'checks', `zz-layers-test-${process.pid}`, 'deep');
    const files = {
      upward:
        "import { isLoopback } from '../../../../server/serve.js';\nexport const up = isLoopback;\n",
      'cycle-a': "import { b } from './cycle-b.js';\nexport const a = (): number => b() + 1;\n",
      'cycle-b': "import { a } from './cycle-a.js';\nexport const b = (): number => a() + 1;\n",
      driver: "import Database from 'better-sqlite3';\nexport const open = Database;\n",
      downward:
        "import { isEventType } from '../../../../ir/events.js';\nexport const known = isEventType;\n",
    };
    mkdirSync(dir, { recursive: true });
    try {
      for (const [name, text] of Object.entries(files))
        writeFileSync(join(dir, `${name}.ts`), text);
      const run = spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', dir],
        { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      assert.equal(run.status, 1, `eslint must fail: ${run.stderr}`);
      const results = JSON.parse(run.stdout) as LintResult[];
      const rules = (name: string): string[] =>
        (results.find((r) => r.filePath === join(dir, `${name}.ts`))?.messages ?? []).map(
          (m) => `${m.ruleId ?? ''}: ${m.message}`,
        );
      assert.ok(
        rules('upward').some(
          (m) =>
            m.startsWith('import-x/no-restricted-paths') &&
            m.includes("Layer 'workspace' must not import this layer"),
        ),
        `upward import not reported: ${JSON.stringify(rules('upward'))}`,
      );
      for (const name of ['cycle-a', 'cycle-b']) {
        assert.ok(
          rules(name).some((m) => m.startsWith('import-x/no-cycle')),
          `cycle not reported in ${name}: ${JSON.stringify(rules(name))}`,
        );
      }
      assert.ok(
        rules('driver').some(
          (m) => m.startsWith('no-restricted-imports') && m.includes('Only a store backend'),
        ),
        `driver import not reported: ${JSON.stringify(rules('driver'))}`,
      );
      assert.deepEqual(rules('downward'), []);
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });
});
