// Runs every compiled test file (dist/**/*.test.js) with Node's built-in test runner.
// Node 20's --test does not expand globs, so the files are listed here.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collect(path, out);
    else if (entry.name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filter = process.argv.slice(2);
// A test whose source is gone (moved or deleted) may still sit in dist/ from an earlier build:
// only tests with a source file run.
const hasSource = (f) => existsSync(f.replace(/^dist/, 'src').replace(/\.js$/, '.ts'));
const files = collect('dist', [])
  .filter(hasSource)
  .filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/ (did the build run?)');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
