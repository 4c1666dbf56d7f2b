/**
 * The contract between the worker and the tools that execute steps. A runner gets a fully
 * resolved context (absolute cwd, complete environment, timeout, abort signal) and reports how
 * the execution ended; it never touches the store.
 */
import type { Lease, StepSpec } from '../store/run-store.js';

/** What a tool runner receives. */
export interface ToolContext {
  readonly lease: Lease;
  readonly spec: StepSpec;
  /** Absolute working directory. */
  readonly cwd: string;
  /** The complete environment for a child process. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
  /** Aborted on cancellation, on a lost lease, or when the worker stops. */
  readonly signal: AbortSignal;
  /** Streams output; the worker bounds and batches it. */
  readonly onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** How an execution ended. `retryable` is data, decided by the tool. */
export type ToolResult =
  | { readonly kind: 'succeeded'; readonly exitCode: number | null }
  | {
      readonly kind: 'failed' | 'timed_out';
      readonly exitCode: number | null;
      readonly signal: string | null;
      readonly error: string;
      readonly retryable: boolean;
    }
  | { readonly kind: 'aborted' };

/** Executes steps of one tool (`shell`, `noop`, `mcp`, ...). */
export interface ToolRunner {
  run(ctx: ToolContext): Promise<ToolResult>;
}

/** Runners by tool name. */
export type ToolRegistry = Readonly<Record<string, ToolRunner>>;

/** The `noop` tool: succeeds at once (tests and benchmarks of the runtime itself). */
export const noopTool: ToolRunner = {
  run: () => Promise.resolve({ kind: 'succeeded', exitCode: null }),
};
