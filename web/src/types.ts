// Shapes of the runtime API (docs/api.md): runs, steps, sessions, log lines, inbox.

/** A step of a run. */
export interface RunStep {
  readonly id: string;
  readonly title: string;
  readonly state: string;
  readonly attempts: number;
  readonly retries: number;
  readonly lane?: string;
  readonly tool?: string;
  readonly error?: string | null;
}

/** A run. */
export interface Run {
  readonly id: string;
  readonly title: string;
  readonly intent?: string;
  readonly status: string;
  readonly lane: string;
  readonly sessionId: string;
  readonly target: string;
  readonly createdAt: string;
  readonly finishedAt?: string | null;
  readonly steps?: ReadonlyArray<RunStep>;
}

/** A session grouping runs. */
export interface RunSession {
  readonly id: string;
  readonly title: string;
  readonly archived: boolean;
  readonly createdAt: string;
}

/** One line of output. */
export interface LogLine {
  readonly seq: number;
  readonly ts: string;
  readonly stepId: string;
  readonly stream: 'stdout' | 'stderr' | 'system';
  readonly text: string;
}

/** Everything waiting for a person. */
export interface Inbox {
  readonly approvals: ReadonlyArray<{
    stepId: string;
    runId: string;
    title: string;
    since: string;
    untrusted?: boolean;
  }>;
  readonly quarantined: ReadonlyArray<{
    stepId: string;
    runId: string;
    title: string;
    error: string;
  }>;
  readonly failingGates: ReadonlyArray<{
    planId: string;
    phaseId: string;
    title: string;
    missing: ReadonlyArray<string>;
  }>;
  readonly untrusted: ReadonlyArray<{
    planId: string;
    path: string;
    sha256: string;
    steps: number;
  }>;
}
