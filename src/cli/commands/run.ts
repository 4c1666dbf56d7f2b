import type { Command } from 'commander';

/** Registers the runtime commands (run, runs, logs, retry, approve, trust, worker, ...). */
export function registerRunCommands(program: Command): void {
  void program;
}
