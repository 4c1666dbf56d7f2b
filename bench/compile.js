// Compile benchmark: compilePlan on seed 002 (52 KB) and on the largest document of the
// corpus (../shared/corpus/docs, when present) against a bare markdown-it parse of the same
// text, in the same run. Exports run(); bench/run.js (the runner) calls it.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import MarkdownIt from 'markdown-it';
import { compilePlan } from '../dist/compile/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const seedDir = resolve(here, '../../shared/seeds');
const SEED = '002_599133492defb96f.txt';
const corpusDir = resolve(here, '../../shared/corpus/docs');

/** The largest corpus document, or undefined without the corpus. */
function largestCorpusDoc() {
  if (!existsSync(corpusDir)) return undefined;
  const files = readdirSync(corpusDir).filter((f) => f.endsWith('.md'));
  files.sort((a, b) => statSync(resolve(corpusDir, b)).size - statSync(resolve(corpusDir, a)).size);
  return files[0];
}

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
async function measure(path, name, iterations, warmup) {
  const SEED = name;
  const bytes = readFileSync(path);
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
    name: 'compile',
    input: SEED,
    bytes: bytes.length,
    iterations,
    markdownItParseMedianMs: Number(parseMs.toFixed(4)),
    compileMedianMs: Number(compileMs.toFixed(4)),
    ratio: Number((compileMs / parseMs).toFixed(3)),
    budgetRatio: 1.5,
  };
}

/** Seed 002 and the largest corpus document, each against markdown-it. */
export async function run({ iterations = 300, warmup = 100 } = {}) {
  const seed = await measure(resolve(seedDir, SEED), SEED, iterations, warmup);
  const doc = largestCorpusDoc();
  if (doc === undefined) return seed;
  const corpus = await measure(resolve(corpusDir, doc), doc, iterations, warmup);
  return { ...seed, corpus };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
