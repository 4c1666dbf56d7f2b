// Benchmark runner: imports every bench/*.js module (except this one) that exports run(), runs
// them one after another in this process, writes bench/results/latest.json and
// bench/results/RESULTS.md, and prints a summary. `npm run bench` builds first.
//   node bench/run.js [name ...]   runs only the named benchmarks (file names without .js)
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, 'results');
const only = process.argv.slice(2);

const files = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.js$/u, '')))
  .sort();

const results = {};
const failures = [];
for (const file of files) {
  const mod = await import(pathToFileURL(join(here, file)).href);
  if (typeof mod.run !== 'function') continue;
  const name = file.replace(/\.js$/u, '');
  process.stderr.write(`bench: ${name} ...\n`);
  const start = performance.now();
  try {
    results[name] = await mod.run();
  } catch (error) {
    failures.push(name);
    results[name] = { error: error instanceof Error ? error.message : String(error) };
  }
  process.stderr.write(
    `bench: ${name} done in ${((performance.now() - start) / 1000).toFixed(1)} s\n`,
  );
}

const machine = {
  node: process.version,
  platform: `${platform()} ${release()}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: cpus().length,
};
const date = new Date().toISOString();

/** Flattens one benchmark's result into rows: [metric, value]. */
function rows(value, prefix = '') {
  if (value === null || typeof value !== 'object') return [[prefix, value]];
  if (Array.isArray(value)) {
    if (value.every((v) => v && typeof v === 'object' && 'name' in v)) {
      return value.flatMap((v) => {
        const { name, ...rest } = v;
        return rows(rest, name);
      });
    }
    return [[prefix, JSON.stringify(value)]];
  }
  return Object.entries(value)
    .filter(([k]) => k !== 'name')
    .flatMap(([k, v]) =>
      rows(v, prefix === '' ? k : k === 'results' ? prefix : `${prefix} · ${k}`),
    );
}

/** The headline of a benchmark: its ratio against its budget, or its pass/goal entries. */
function headline(result) {
  if (result.error !== undefined) return `ERROR: ${result.error}`;
  if (result.budgets !== undefined) {
    return Object.entries(result.budgets)
      .map(
        ([k, budget]) =>
          `${k} ${result[k]} (budget <= ${budget}${result[k] <= budget ? ', ok' : ', OVER BUDGET'})`,
      )
      .join('; ');
  }
  if (typeof result.ratio === 'number') {
    const budget = result.budgetRatio;
    const ok = budget === undefined ? '' : result.ratio <= budget ? ' (ok)' : ' (OVER BUDGET)';
    return `ratio ${result.ratio}${budget === undefined ? '' : ` (budget <= ${budget})`}${ok}`;
  }
  const goals = (result.results ?? []).filter((r) => r.goal !== undefined);
  if (goals.length > 0) {
    return goals
      .map(
        (g) =>
          `${g.name}: ${g.value} ${g.unit ?? ''} (goal ${g.goal}${g.pass === false ? ', MISSED' : ', ok'})`,
      )
      .join('; ');
  }
  return 'done';
}

mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'latest.json'),
  `${JSON.stringify({ date, machine, results }, null, 2)}\n`,
);

const md = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` (bench/run.js) on ${date}.`,
  `Node ${machine.node}, ${machine.platform}, ${machine.cpus} × ${machine.cpu}.`,
  'Ratios compare two measurements taken in the same run, so they hold across machines better',
  'than absolute times. Raw numbers: [latest.json](latest.json).',
  '',
  '## Summary',
  '',
  '| benchmark | result |',
  '| --- | --- |',
  ...Object.entries(results).map(([name, r]) => `| ${name} | ${headline(r)} |`),
  '',
];
for (const [name, r] of Object.entries(results)) {
  md.push(`## ${name}`, '', '| metric | value |', '| --- | --- |');
  for (const [k, v] of rows(r))
    md.push(`| ${k} | ${typeof v === 'string' ? v.replace(/\|/gu, '\\|') : String(v)} |`);
  md.push('');
}
writeFileSync(join(outDir, 'RESULTS.md'), md.join('\n'));

console.log(`\nbenchmarks (${date}, node ${machine.node})`);
for (const [name, r] of Object.entries(results)) console.log(`  ${name.padEnd(10)} ${headline(r)}`);
console.log(
  `\nwritten: ${join('bench', 'results', 'RESULTS.md')}, ${join('bench', 'results', 'latest.json')}`,
);
if (failures.length > 0) {
  console.error(`failed: ${failures.join(', ')}`);
  process.exitCode = 1;
}
