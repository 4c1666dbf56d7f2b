/**
 * Which workers run on this workspace's machine: each running worker keeps a file
 * `.pulser/workers/<pid>-<random>.json` (`{ actor, pid, startedAt }`) that it removes when it
 * stops. A file whose process is gone (a worker killed with `kill -9`) does not count. Read by
 * `pulser restore`, which must not swap the database under a worker.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A running worker as its presence file says. */
export interface WorkerPresence {
  readonly actor: string;
  readonly pid: number;
  readonly startedAt: string;
}

const DIR = 'workers';

/** Records that a worker runs in this process; returns the function that removes the record. */
export function announceWorker(pulserDir: string, actor: string): () => void {
  const dir = join(pulserDir, DIR);
  const file = join(dir, `${process.pid}-${randomBytes(4).toString('hex')}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    const presence: WorkerPresence = {
      actor,
      pid: process.pid,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(file, `${JSON.stringify(presence)}\n`);
  } catch {
    return () => undefined; // A read-only workspace: the worker runs unannounced.
  }
  return () => rmSync(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The workers running now on this workspace (on this machine), by their presence files. */
export function runningWorkers(pulserDir: string): WorkerPresence[] {
  let names: string[];
  try {
    names = readdirSync(join(pulserDir, DIR));
  } catch {
    return [];
  }
  const found: WorkerPresence[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    try {
      const p = JSON.parse(readFileSync(join(pulserDir, DIR, name), 'utf8')) as WorkerPresence;
      if (Number.isSafeInteger(p.pid) && alive(p.pid)) found.push(p);
    } catch {
      // A file being written or removed: not a worker to wait for.
    }
  }
  return found;
}
