/**
 * Options of the Pulser MCP server, compiled once at the edge: which tools to offer, who the
 * agent is and how long a claim lasts.
 */
import { UsageError } from '../errors/index.js';
import { DEFAULT_CLAIM_LEASE_MS, agentActor } from '../workspace/runs/claim-options.js';
import { DEFAULT_TOOLS, TOOLS } from './tools.js';

/** Options of the MCP server. */
export interface PulserMcpOptions {
  /**
   * The agent's name (events record `agent:<name>`). @default the client's `clientInfo.name`
   */
  readonly agent?: string;
  /** Lease of a claim in milliseconds. @default 600000 */
  readonly leaseMs?: number;
  /**
   * Which tools to offer: a list such as `default`, `all`, `read`, `default,events`,
   * `all,-check_item` or `status,next,show` (see {@link selectTools}). @default 'default'
   */
  readonly tools?: string;
  /**
   * Offer no write tool at all (a viewer's token, for example); without `tools`, every read
   * tool is offered. @default false
   */
  readonly readOnly?: boolean;
  /** How often to release claims whose lease expired, in ms. @default a quarter of the lease, 250 ms to 30 s */
  readonly sweepMs?: number;
  /**
   * Execute the runs agents start (`pulser_run`) in this process, one worker per run, until
   * they end; false leaves them to `pulser worker`. @default true
   */
  readonly executeRuns?: boolean;
}

/** Options with every default applied. */
export interface CompiledMcpOptions {
  /** `agent:<name>`, or null to take the client's name. */
  readonly agent: string | null;
  readonly leaseMs: number;
  readonly tools: ReadonlySet<string>;
  readonly sweepMs: number;
  readonly executeRuns: boolean;
}

const GROUPS: Readonly<Record<string, () => ReadonlyArray<string>>> = {
  default: () => DEFAULT_TOOLS,
  all: () => TOOLS.map((t) => t.name),
  read: () => TOOLS.filter((t) => !t.write).map((t) => t.name),
  none: () => [],
};

function toolName(token: string): string {
  const name = token.startsWith('pulser_') ? token : `pulser_${token}`;
  if (!TOOLS.some((t) => t.name === name)) {
    throw new UsageError(`unknown tool ${JSON.stringify(token)} in the tool list`, {
      hint: `use default, all, read, none or tool names: ${TOOLS.map((t) => t.name.slice(7)).join(', ')}`,
    });
  }
  return name;
}

/**
 * The tool names a list chooses. Comma-separated entries, in order: a group (`default`, `all`,
 * `read`: the read-only tools, `none`) adds its tools, a name (`events` or `pulser_events`)
 * adds one, `-name` removes one. A list that starts with `-` starts from `default`.
 *
 * @example selectTools('default,events,-check_item')
 */
export function selectTools(spec: string): Set<string> {
  const tokens = spec
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const chosen = new Set<string>(tokens[0]?.startsWith('-') === true ? DEFAULT_TOOLS : []);
  for (const token of tokens) {
    if (token.startsWith('-')) chosen.delete(toolName(token.slice(1)));
    else if (GROUPS[token] !== undefined) for (const n of GROUPS[token]()) chosen.add(n);
    else chosen.add(toolName(token));
  }
  return chosen;
}

/** Applies defaults and checks the options. */
export function compileMcpOptions(options: PulserMcpOptions = {}): CompiledMcpOptions {
  const leaseMs = options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  if (!Number.isFinite(leaseMs) || leaseMs < 100) {
    throw new UsageError(`invalid claim lease ${leaseMs} ms`, { hint: 'use at least 100 ms' });
  }
  let tools = selectTools(options.tools ?? (options.readOnly === true ? 'read' : 'default'));
  if (options.readOnly === true) {
    tools = new Set([...tools].filter((n) => TOOLS.find((t) => t.name === n)?.write === false));
  }
  return {
    agent: options.agent === undefined ? null : agentActor(options.agent),
    leaseMs,
    tools,
    sweepMs: options.sweepMs ?? Math.min(30_000, Math.max(250, Math.floor(leaseMs / 4))),
    executeRuns: options.executeRuns ?? true,
  };
}
