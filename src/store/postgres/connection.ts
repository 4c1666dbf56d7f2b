/**
 * The connection to a PostgreSQL database: a `pg.Pool` for a `postgres://` URL, and the one-line
 * errors that name the host and the database (never the password) when it cannot be used.
 */
import pg from 'pg';
import { StoreError, UsageError, isPulserError } from '../../errors/index.js';

/** Where a database URL points, for messages: never the password. */
export interface PgTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string | null;
}

/** `host:port/database`, as errors name a database. */
export function describeTarget(t: PgTarget): string {
  return `${t.host}:${t.port}/${t.database}`;
}

/**
 * Parses a `postgres://` (or `postgresql://`) URL into where it points.
 * @throws UsageError when it is not such a URL or names no database.
 */
export function parseDatabaseUrl(url: string, where = 'the database URL'): PgTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${where} is not a URL: expected postgres://USER@HOST:PORT/DATABASE`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new UsageError(
      `${where} must start with postgres:// (got ${JSON.stringify(parsed.protocol)})`,
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '') {
    throw new UsageError(`${where} names no database: expected postgres://USER@HOST:PORT/DATABASE`);
  }
  const port = parsed.port === '' ? 5432 : Number(parsed.port);
  return {
    host: parsed.hostname || parsed.searchParams.get('host') || 'localhost',
    port,
    database,
    user: parsed.username === '' ? null : decodeURIComponent(parsed.username),
  };
}

/** The URL without its password (what may be written to a file or shown). */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password === '') return url;
  parsed.password = '';
  return parsed.toString();
}

/** Whether the URL carries a password. */
export function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name did not resolve',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  '3D000': 'no such database',
  '28P01': 'password authentication failed',
  '28000': 'the server refused the login',
  '42501': 'permission denied',
  '57P01': 'the server shut down',
  '57P03': 'the server is starting up or shutting down',
  '53300': 'too many connections',
};

/** The PostgreSQL error code (SQLSTATE) or the system error code of `error`, if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // An AggregateError (every address of `localhost` refused) carries the code on its errors.
  const inner = (error as { errors?: unknown }).errors;
  return Array.isArray(inner) ? errorCode(inner[0]) : undefined;
}

/**
 * A one-line store error for a failure to use the database at `target`: names the host, the
 * port and the database, and why (refused, no such database, login refused, ...).
 */
export function connectionFailure(error: unknown, target: PgTarget): StoreError {
  if (isPulserError(error) && error instanceof StoreError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const reason =
    (code === undefined ? undefined : REASONS[code]) ??
    (/timeout/i.test(message) ? 'the server did not answer in time' : message.split('\n')[0]);
  return new StoreError(
    `cannot use PostgreSQL database ${JSON.stringify(target.database)} at ${target.host}:${target.port}: ${reason}`,
    { database: target.database, host: target.host, port: target.port, reason: 'unavailable' },
    error,
  );
}

/** Options of a pool. */
export interface PoolOptions {
  /** Most connections this process opens. @default 4 */
  readonly max?: number;
  /**
   * How long a query may wait for a connection (to be made, or to be free in the pool: under a
   * burst of writers the pool's queue is where they wait). @default 60000
   */
  readonly waitMs?: number;
}

/** The search path of every Pulser connection: Pulser's tables live in the `pulser` schema. */
const SEARCH_PATH = '-c search_path=pulser';

/**
 * A pool of connections to `url` in which every table Pulser uses is found in the `pulser`
 * schema. Idle connections that the server drops are discarded (the next query reconnects).
 */
export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    connectionTimeoutMillis: options.waitMs ?? 60_000,
    application_name: 'pulser',
    options: SEARCH_PATH,
  });
  // An idle connection's error (a server restart) must not end the process: the pool drops it.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Connects once to `url` within `timeoutMs` and disconnects: a quick, clear failure (see
 * {@link connectionFailure}) when the server is unreachable, the database missing or the login
 * refused, before a pool waits longer.
 */
export async function probe(url: string, target: PgTarget, timeoutMs = 5000): Promise<void> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
    application_name: 'pulser',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw connectionFailure(error, target);
  }
  await client.end().catch(() => undefined);
}
