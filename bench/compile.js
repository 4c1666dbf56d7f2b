// Compile benchmark: compilePlan against a bare markdown-it parse of the same text, in the same
// run, on the large generated plan (bench/plans.js, about 52 KB; the headline ratio) and on the
// largest example; also on seed 002 and the largest corpus document of the team's shared corpus
// when it sits beside the repository (../shared; optional). Exports run(); bench/run.js calls it.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { compilePlan } from '../dist/compile/index.js';
import { largePlan, largestExample, sharedPlans } from './plans.js';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timeEach(fn, iterations) {
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Median compile time of one input vs a bare markdown-it parse of the same text, and their ratio. */
async function measure(bytes, name, iterations, warmup) {
  const SEED = name;
  const text = new TextDecoder().decode(bytes);
  const md = new MarkdownIt();
  for (let i = 0; i < warmup; i++) {
    md.parse(text, {});
    compilePlan(bytes, { path: SEED });
  }
  // Interleave rounds so that drift (GC, frequency) affects both sides alike.
  const parse = [];
  const compile = [];
  const rounds = 10;
  for (let r = 0; r < rounds; r++) {
    parse.push(...timeEach(() => md.parse(text, {}), iterations / rounds));
    compile.push(...timeEach(() => compilePlan(bytes, { path: SEED }), iterations / rounds));
  }
  const parseMs = median(parse);
  const compileMs = median(compile);
  return {
    input: SEED,
    bytes: bytes.length,
    iterations,
    markdownItParseMedianMs: Number(parseMs.toFixed(4)),
    compileMedianMs: Number(compileMs.toFixed(4)),
    ratio: Number((compileMs / parseMs).toFixed(3)),
    budgetRatio: 1.5,
  };
}

/** The generated plan (headline), the largest example, and the shared corpus when present. */
export async function run({ iterations = 300, warmup = 100 } = {}) {
  const generated = await measure(
    Buffer.from(largePlan()),
    'generated plan (bench/plans.js)',
    iterations,
    warmup,
  );
  const others = [];
  const example = largestExample();
  others.push({
    name: `examples/${basename(example)}`,
    ...(await measure(readFileSync(example), basename(example), iterations, warmup)),
  });
  for (const { name, path } of sharedPlans())
    others.push({ name, ...(await measure(readFileSync(path), name, iterations, warmup)) });
  return { name: 'compile', ...generated, others };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
