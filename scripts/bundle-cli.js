// Bundles the CLI (dist/cli/main.js and every module it imports, lazily imported command
// modules as chunks of their own) into dist/bundle/, which bin/pulser.js runs: a command then
// loads a few files instead of 50 to 100 small modules, which is most of its start-up time.
// Packages stay external (loaded from node_modules as they are). dist/bundle/ sits at the same
// depth as dist/cli/, so the paths modules resolve from their own URL (../web, ../../examples)
// hold. Run by `npm run build` after tsc.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist', 'cli', 'main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
