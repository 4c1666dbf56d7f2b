/**
 * Worker options: what a caller may set (all optional but the paths), and the complete form
 * the worker uses, compiled once.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors/index.js';
import { systemClock, type Clock } from '../store/clock.js';
import type { RateLimit } from '../store/run-store.js';
import { noopTool, type ToolRegistry } from './tool.js';
import { shellTool } from './shell-tool.js';

/** What a worker may be told. */
export interface WorkerOptions {
  /** Workspace root: steps' `cwd` are relative to it. */
  readonly root: string;
  /** Where declared outputs are stored (`.pulser/artifacts`). */
  readonly artifactsDir: string;
  /** Worker ID, recorded as `worker:<id>`. @default `<host>-<pid>-<random>` */
  readonly id?: string;
  /** Only steps of these lanes. @default every lane */
  readonly lanes?: ReadonlyArray<string>;
  /** Only steps of these runs. @default every run */
  readonly runs?: ReadonlyArray<string>;
  /** Steps this worker executes at once. @default 4 */
  readonly concurrency?: number;
  /** Most steps leased or running at once per lane across every worker (`*`: other lanes). @default none */
  readonly laneLimits?: Readonly<Record<string, number>>;
  /** Token bucket per tool, shared by every worker. @default none */
  readonly rateLimits?: Readonly<Record<string, RateLimit>>;
  /** How long a lease lasts without a heartbeat. @default 30000 */
  readonly leaseMs?: number;
  /** How often leases are renewed. @default leaseMs / 3 */
  readonly heartbeatMs?: number;
  /** How often an idle worker looks for work. @default 100 */
  readonly pollMs?: number;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Timeout of a step that names none. @default 3600000 (1 hour) */
  readonly defaultTimeoutMs?: number;
  /** Output recorded per step execution. @default 1048576 (1 MiB) */
  readonly maxOutputBytes?: number;
  /** Lease losses (worker crashes) after which a step is quarantined. @default 5 */
  readonly maxLeaseLosses?: number;
  /** How long `stop()` lets running steps finish before killing and releasing them. @default 10000 */
  readonly stopGraceMs?: number;
  /** Runners for tools beyond `shell` and `noop` (e.g. `mcp`). */
  readonly tools?: ToolRegistry;
  /** Environment the steps inherit. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Things worth telling an operator (stale writes rejected, store errors). */
  readonly onNotice?: (notice: WorkerNotice) => void;
}

/** Something a worker reports about itself. */
export interface WorkerNotice {
  readonly kind: 'stale' | 'lost' | 'error' | 'started' | 'stopped';
  readonly message: string;
  readonly stepId?: string;
  /** The error behind an `error` notice (a store error says whether the store can still write). */
  readonly error?: unknown;
}

/** Worker options with every default applied. */
export interface CompiledWorkerOptions {
  readonly root: string;
  readonly artifactsDir: string;
  readonly id: string;
  readonly actor: string;
  readonly lanes: ReadonlyArray<string> | undefined;
  readonly runs: ReadonlyArray<string> | undefined;
  readonly concurrency: number;
  readonly laneLimits: Readonly<Record<string, number>>;
  readonly rateLimits: Readonly<Record<string, RateLimit>>;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly pollMs: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly defaultTimeoutMs: number;
  readonly maxOutputBytes: number;
  readonly maxLeaseLosses: number;
  readonly stopGraceMs: number;
  readonly tools: ToolRegistry;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly onNotice: (notice: WorkerNotice) => void;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`worker option ${name} must be a positive number, got ${value}`);
  }
  return value;
}

/** Applies defaults and checks ranges. */
export function compileWorkerOptions(options: WorkerOptions): CompiledWorkerOptions {
  const id = options.id ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const leaseMs = positive('leaseMs', options.leaseMs, 30_000);
  const heartbeatMs = positive('heartbeatMs', options.heartbeatMs, Math.max(1, leaseMs / 3));
  if (heartbeatMs >= leaseMs) {
    throw new UsageError(`heartbeatMs (${heartbeatMs}) must be shorter than leaseMs (${leaseMs})`);
  }
  return {
    root: options.root,
    artifactsDir: options.artifactsDir,
    id,
    actor: `worker:${id}`,
    lanes: options.lanes,
    runs: options.runs,
    concurrency: Math.floor(positive('concurrency', options.concurrency, 4)),
    laneLimits: options.laneLimits ?? {},
    rateLimits: options.rateLimits ?? {},
    leaseMs,
    heartbeatMs,
    pollMs: positive('pollMs', options.pollMs, 100),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    defaultTimeoutMs: positive('defaultTimeoutMs', options.defaultTimeoutMs, 3_600_000),
    maxOutputBytes: positive('maxOutputBytes', options.maxOutputBytes, 1_048_576),
    maxLeaseLosses: positive('maxLeaseLosses', options.maxLeaseLosses, 5),
    stopGraceMs: options.stopGraceMs ?? 10_000,
    tools: { shell: shellTool, noop: noopTool, ...(options.tools ?? {}) },
    env: { ...(options.env ?? process.env) },
    onNotice: options.onNotice ?? (() => undefined),
  };
}
