/**
 * The shell tool: runs a script as a real child process in its own process group, streams its
 * output, and kills the whole group on timeout or abort. The script is passed to the shell as
 * one argv element (`sh -e -c SCRIPT`), exactly as given: nothing else (titles, IDs, paths) is
 * ever put into a shell string; metadata travels in the environment.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Options of {@link runShell}. */
export interface ShellOptions {
  /** The script, verbatim. */
  readonly script: string;
  /** The shell executable: `/bin/sh` or `bash`. @default '/bin/sh' */
  readonly shell?: string;
  /** Absolute working directory. */
  readonly cwd: string;
  /** The complete environment of the child. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Kill the process group after this long. */
  readonly timeoutMs: number;
  /** Between SIGTERM and SIGKILL when killing. @default 2000 */
  readonly killGraceMs?: number;
  /** Aborting kills the process group (cancellation, lost lease). */
  readonly signal?: AbortSignal;
  /** Receives decoded output as it arrives. */
  readonly onOutput: (stream: 'stdout' | 'stderr', text: string) => void;
}

/** How a shell script ended. */
export type ShellResult =
  | { readonly kind: 'exited'; readonly exitCode: number | null; readonly signal: string | null }
  | { readonly kind: 'timed_out'; readonly exitCode: number | null; readonly signal: string | null }
  | { readonly kind: 'aborted'; readonly exitCode: number | null; readonly signal: string | null }
  | { readonly kind: 'spawn_error'; readonly error: string };

/** The shell that runs a fence of this language: `bash` for bash, `/bin/sh` otherwise. */
export function shellFor(language: string | undefined): string {
  return language === 'bash' ? 'bash' : '/bin/sh';
}

/** The process groups of the scripts this process is running now. */
const running = new Set<number>();

/**
 * Kills every script this process is running now, with its whole process group: for a process
 * that is about to leave at once (a tour stopped by Ctrl-C), where nothing waits for the steps.
 */
export function killRunningScripts(): void {
  for (const pid of running) killGroup(pid, 'SIGKILL');
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * Runs `script` and resolves when the shell and its output streams are done. Never rejects.
 * @example const r = await runShell({ script: 'echo hi', cwd: '/tmp', env: process.env, timeoutMs: 5000, onOutput: (s, t) => process.stdout.write(t) });
 */
export function runShell(options: ShellOptions): Promise<ShellResult> {
  try {
    if (!statSync(options.cwd).isDirectory()) {
      return Promise.resolve({ kind: 'spawn_error', error: `${options.cwd} is not a directory` });
    }
  } catch {
    return Promise.resolve({
      kind: 'spawn_error',
      error: `working directory ${options.cwd} does not exist`,
    });
  }
  if (options.signal?.aborted === true) {
    return Promise.resolve({ kind: 'aborted', exitCode: null, signal: null });
  }
  return new Promise((resolve) => {
    const child = spawn(options.shell ?? '/bin/sh', ['-e', '-c', options.script, 'pulser-step'], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    let why: 'timed_out' | 'aborted' | null = null;
    let exit: { code: number | null; signal: string | null } | null = null;
    let spawnError: string | null = null;
    let graceTimer: NodeJS.Timeout | null = null;
    let settled = false;

    const kill = (reason: 'timed_out' | 'aborted'): void => {
      if (why !== null || exit !== null || child.pid === undefined) return;
      why = reason;
      killGroup(child.pid, 'SIGTERM');
      graceTimer = setTimeout(() => {
        if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      }, options.killGraceMs ?? 2000);
    };
    const timer = setTimeout(() => kill('timed_out'), options.timeoutMs);
    const onAbort = (): void => kill('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    for (const stream of ['stdout', 'stderr'] as const) {
      const decoder = new StringDecoder('utf8');
      const source = child[stream];
      source.on('data', (chunk: Buffer) => {
        const text = decoder.write(chunk);
        if (text !== '') options.onOutput(stream, text);
      });
      source.on('end', () => {
        const rest = decoder.end();
        if (rest !== '') options.onOutput(stream, rest);
      });
    }

    const finish = (): void => {
      if (settled) return;
      settled = true;
      if (pid !== undefined) running.delete(pid);
      clearTimeout(timer);
      if (graceTimer !== null) clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (spawnError !== null) {
        resolve({ kind: 'spawn_error', error: spawnError });
        return;
      }
      const code = exit?.code ?? null;
      const signal = exit?.signal ?? null;
      resolve({ kind: why ?? 'exited', exitCode: code, signal });
    };
    child.on('error', (error) => {
      spawnError = error.message;
      if (child.pid === undefined) finish();
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Whatever the script left running in its group does not outlive it.
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    });
    child.on('close', finish);
  });
}
