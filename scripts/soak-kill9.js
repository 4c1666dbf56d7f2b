// Crash soak of the durable runtime (run by hand after a build):
//   node scripts/soak-kill9.js --trials 20 [--steps 40] [--kills 5] [--durability full|normal]
// Each trial runs real `pulser worker` processes on a fresh workspace, kills them with SIGKILL
// at random points of a run and restarts them, then checks that no acknowledged transition was
// lost, no step completed twice, an interrupted step re-ran at most once per crash, and
// `PRAGMA integrity_check` is clean. Exits 1 on the first trial that breaks a guarantee.
import { crashTrial } from '../dist/workspace/runs/run-soak.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const trials = Number(arg('trials', '10'));
const steps = Number(arg('steps', '40'));
const kills = Number(arg('kills', '5'));
const durability = arg('durability', 'normal');
let reruns = 0;
let takeovers = 0;
for (let t = 1; t <= trials; t++) {
  const report = await crashTrial({ steps, kills, durability, maxLifeMs: 1200 });
  reruns += report.reruns;
  takeovers += report.leaseTakeovers;
  console.log(
    `trial ${t}/${trials}: ${report.steps} steps, ${report.kills} kills, ${report.reruns} re-runs, ` +
      `max ${report.maxStartsPerStep} starts of one step, ${report.leaseTakeovers} lease takeovers` +
      (report.problems.length > 0 ? `\n  PROBLEMS:\n  ${report.problems.join('\n  ')}` : ': ok'),
  );
  if (report.problems.length > 0) process.exit(1);
}
console.log(`${trials} trials passed (${reruns} re-runs, ${takeovers} lease takeovers in total)`);
