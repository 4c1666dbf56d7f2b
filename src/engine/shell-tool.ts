/**
 * The `shell` tool runner: a real child process (see `tools/shell.ts`), its exit code and
 * signal mapped to an outcome with retryability as data.
 */
import { runShell, shellFor } from '../tools/shell.js';
import type { ToolContext, ToolResult, ToolRunner } from './tool.js';

/** Exit codes that retrying cannot fix: 126 (not executable) and 127 (command not found). */
export const NON_RETRYABLE_EXIT_CODES: ReadonlySet<number> = new Set([126, 127]);

/** Runs shell steps as child processes in their own process group. */
export const shellTool: ToolRunner = {
  async run(ctx: ToolContext): Promise<ToolResult> {
    const r = await runShell({
      script: ctx.spec.input,
      shell: shellFor(ctx.spec.language),
      cwd: ctx.cwd,
      env: ctx.env,
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      onOutput: ctx.onOutput,
    });
    switch (r.kind) {
      case 'spawn_error':
        return { kind: 'failed', exitCode: null, signal: null, error: r.error, retryable: false };
      case 'aborted':
        return { kind: 'aborted' };
      case 'timed_out':
        return {
          kind: 'timed_out',
          exitCode: r.exitCode,
          signal: r.signal,
          error: `timed out after ${ctx.timeoutMs} ms; its process group was killed`,
          retryable: true,
        };
      case 'exited':
        if (r.exitCode === 0) return { kind: 'succeeded', exitCode: 0 };
        return {
          kind: 'failed',
          exitCode: r.exitCode,
          signal: r.signal,
          error:
            r.signal !== null
              ? `killed by ${r.signal}`
              : `exited with code ${r.exitCode ?? 'unknown'}`,
          retryable: r.exitCode === null || !NON_RETRYABLE_EXIT_CODES.has(r.exitCode),
        };
      default: {
        const never: never = r;
        throw new Error(`unexpected shell result ${JSON.stringify(never)}`);
      }
    }
  },
};
