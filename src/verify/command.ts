/**
 * Deciding a command verifier from what its execution left: exit code, signal, output. Pure:
 * the workspace runs the command through the durable runtime and gathers these.
 */
import type { Verifier } from '../ir/index.js';
import type { CommandOutcome } from './evaluate.js';
import { parseMeasuredValue, type MeasuredValue } from './measure.js';

/** How one execution of a command verifier ended, as the runtime recorded it. */
export interface CommandExecution {
  /** `succeeded`, `failed` or `timed_out` (the step's final state). */
  readonly ended: 'succeeded' | 'failed' | 'timed_out';
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The runtime's error (spawn failure, missing cwd...), when the command did not run to an exit. */
  readonly error: string | null;
  /** stdout and stderr as recorded, in order. */
  readonly output: string;
  /** stdout alone (where metric values are read from). */
  readonly stdout: string;
  /** SHA-256 of `output`. */
  readonly outputSha256: string;
  /** Evidence the runtime adds (run and step IDs...). */
  readonly evidence: Readonly<Record<string, unknown>>;
}

function matches(pattern: string, text: string): boolean | string {
  try {
    return new RegExp(pattern, 'm').test(text);
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Decides a command verifier: it passes when the command exited with `expectExit` (0 by
 * default) and, when `outputMatch` is given, its output (stdout and stderr) matches that
 * regular expression (multi-line mode: `^` and `$` match at each line).
 *
 * @example
 * evaluateExecution({ kind: 'command', command: 'npm test', expectExit: 0 }, execution);
 */
export function evaluateExecution(
  verifier: Extract<Verifier, { kind: 'command' }>,
  run: CommandExecution,
): CommandOutcome {
  const expectExit = verifier.expectExit ?? 0;
  const evidence: Record<string, unknown> = {
    command: verifier.command,
    exitCode: run.exitCode,
    expectExit,
    outputSha256: run.outputSha256,
    outputBytes: Buffer.byteLength(run.output),
    ...run.evidence,
  };
  if (run.signal !== null) evidence['signal'] = run.signal;
  if (run.ended === 'timed_out') {
    return { status: 'fail', reason: `timed out (\`${verifier.command}\`)`, evidence };
  }
  if (run.exitCode === null) {
    const why = run.signal !== null ? `killed by ${run.signal}` : (run.error ?? 'did not run');
    return {
      status: run.signal !== null ? 'fail' : 'error',
      reason: `\`${verifier.command}\`: ${why}`,
      evidence: { ...evidence, ...(run.error === null ? {} : { error: run.error }) },
    };
  }
  if (run.exitCode !== expectExit) {
    return {
      status: 'fail',
      reason: `\`${verifier.command}\` exited ${run.exitCode}, expected ${expectExit}`,
      evidence,
    };
  }
  if (verifier.outputMatch !== undefined) {
    const m = matches(verifier.outputMatch, run.output);
    evidence['outputMatch'] = verifier.outputMatch;
    if (typeof m === 'string') {
      return {
        status: 'error',
        reason: `outputMatch is not a valid regular expression: ${m}`,
        evidence,
      };
    }
    evidence['matched'] = m;
    if (!m) {
      return {
        status: 'fail',
        reason: `\`${verifier.command}\` exited ${run.exitCode} but its output does not match /${verifier.outputMatch}/`,
        evidence,
      };
    }
    return {
      status: 'pass',
      reason: `\`${verifier.command}\` exited ${run.exitCode} and its output matches /${verifier.outputMatch}/`,
      evidence,
    };
  }
  return { status: 'pass', reason: `\`${verifier.command}\` exited ${run.exitCode}`, evidence };
}

/** Metric values a command printed: its own metric's (`value`) and named ones (`metrics`). */
export interface PrintedMetrics {
  /** `{"value": 12.5}`: the value of the metric the criterion is bound to. */
  readonly value?: MeasuredValue & { readonly raw: string };
  /** `{"metrics": {"<metric-id>": 12.5}}`: values of metrics named by ID (or unique ID end). */
  readonly metrics: ReadonlyArray<{
    readonly ref: string;
    readonly value: MeasuredValue & { readonly raw: string };
  }>;
}

function jsonObjectOf(stdout: string): Record<string, unknown> | undefined {
  const candidates = [stdout.trim()];
  const lines = stdout.split('\n').map((l) => l.trim());
  const last = lines.filter((l) => l.startsWith('{')).at(-1);
  if (last !== undefined) candidates.push(last);
  for (const text of candidates) {
    if (!text.startsWith('{')) continue;
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json === 'object' && json !== null && !Array.isArray(json))
        return json as Record<string, unknown>;
    } catch {
      // not this one
    }
  }
  return undefined;
}

function measured(value: unknown): (MeasuredValue & { raw: string }) | string {
  if (typeof value === 'number' && Number.isFinite(value)) return { value, raw: String(value) };
  if (typeof value === 'string') {
    const m = parseMeasuredValue(value);
    if (m !== undefined) return { ...m, raw: value };
  }
  return `${JSON.stringify(value)} is not a measured value (give a number or a string like "4.2/5", "12 ms")`;
}

/**
 * Reads metric values from a command's stdout: the whole stdout, or else its last line that
 * starts with `{`, parsed as a JSON object with `value` (the bound metric's value) and/or
 * `metrics` (values keyed by metric ID). Values are numbers or strings like `"4.2/5"`,
 * `"12 ms"`. Returns undefined when stdout holds no such object; an error message when it
 * holds one with a bad value.
 *
 * @example
 * parsePrintedMetrics('{"metrics": {"p99-latency": "41 ms"}}');
 */
export function parsePrintedMetrics(stdout: string): PrintedMetrics | string | undefined {
  const json = jsonObjectOf(stdout);
  if (json === undefined || (!('value' in json) && !('metrics' in json))) return undefined;
  let value: (MeasuredValue & { raw: string }) | undefined;
  if ('value' in json) {
    const m = measured(json['value']);
    if (typeof m === 'string') return `value: ${m}`;
    value = m;
  }
  const metrics: Array<{ ref: string; value: MeasuredValue & { raw: string } }> = [];
  if ('metrics' in json) {
    const named = json['metrics'];
    if (typeof named !== 'object' || named === null || Array.isArray(named))
      return 'metrics must be an object keyed by metric ID, e.g. {"metrics": {"p99-latency": 41}}';
    for (const [ref, v] of Object.entries(named as Record<string, unknown>)) {
      const m = measured(v);
      if (typeof m === 'string') return `metrics.${ref}: ${m}`;
      metrics.push({ ref, value: m });
    }
  }
  return { ...(value === undefined ? {} : { value }), metrics };
}
