import type { Command } from 'commander';
import type { Workspace } from '../workspace/open.js';
import { visible } from '../util/visible.js';

/** Global options every command sees. */
export interface GlobalOptions {
  readonly workspace?: string;
}

/** Reads the global options from any (sub)command. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** Opens the workspace named by the global options (lazy import keeps start-up fast). */
export async function withWorkspace<T>(
  command: Command,
  fn: (ws: Workspace) => Promise<T>,
  create = false,
): Promise<T> {
  const { openWorkspace } = await import('../workspace/open.js');
  const { workspace } = globalOptions(command);
  const ws = await openWorkspace({
    ...(workspace === undefined ? {} : { root: workspace }),
    create,
  });
  try {
    return await fn(ws);
  } finally {
    await ws.close();
  }
}

/**
 * Writes human output (a line or a block) to stdout, with control and bidi characters made
 * visible (`visible`): text from a document or a process can neither hide nor fake what is
 * shown. Every human renderer of the CLI writes through this function or {@link err}.
 */
export function out(text: string): void {
  const shown = visible(text);
  process.stdout.write(shown.endsWith('\n') ? shown : `${shown}\n`);
}

/** Writes human output to stderr, made visible like {@link out}. */
export function err(text: string): void {
  const shown = visible(text);
  process.stderr.write(shown.endsWith('\n') ? shown : `${shown}\n`);
}

/** Writes text as it is (a process's own output on request, a report file's body). */
export function outRaw(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Writes a value as pretty JSON to stdout. */
export function outJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Resolves on the first SIGINT or SIGTERM (Ctrl+C, `kill`), for long-running commands. */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** How the person ran Pulser, for commands printed to paste: `npx pulser` under npx. */
export function pulserWords(): string[] {
  return process.env.npm_command === 'exec' ? ['npx', 'pulser'] : ['pulser'];
}
