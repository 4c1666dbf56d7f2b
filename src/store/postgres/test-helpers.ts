/**
 * The one gate of every test that needs PostgreSQL (127.0.0.1:5432, user postgres, or
 * `PULSER_TEST_PG_URL`): each test file gets a fresh database (`pulser_test_<random>`), dropped
 * after it. Without a reachable server the file is skipped with one line saying why; with
 * `CI=true` an unreachable server is an error, so CI never passes by skipping.
 */
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { Clock } from '../clock.js';
import { openPostgresStore, type PostgresStore } from './index.js';

/** The maintenance database of the test server, where test databases are created. */
export const PG_ADMIN_URL =
  process.env.PULSER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** `PG_ADMIN_URL` with another database. */
export function pgUrl(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * `false` when the test server answers, else why not (a one-line skip reason).
 * @throws Error when it does not answer and `CI=true`.
 */
export async function pgSkip(): Promise<string | false> {
  try {
    await admin((c) => c.query('SELECT 1'));
    return false;
  } catch (error) {
    const where = new URL(PG_ADMIN_URL).host;
    const why = (error as { code?: string }).code ?? (error as Error).message;
    if (process.env.CI === 'true') {
      throw new Error(`CI=true but PostgreSQL at ${where} is unreachable (${why}): start it`);
    }
    return `needs PostgreSQL at ${where} (unreachable: ${why}); .ci/run starts it`;
  }
}

/** A fresh, empty database; `drop` removes it (closing whatever is still connected). */
export async function freshPgDatabase(): Promise<{
  name: string;
  url: string;
  drop: () => Promise<void>;
}> {
  const name = `pulser_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: pgUrl(name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(),
  };
}

/**
 * `test` for a file whose tests need PostgreSQL, and the URL of the file's fresh database
 * (valid inside tests). When the server is unreachable, one skipped test stands for the file.
 * @example const pgt = await pgTest(); pgt.test('...', async () => use(pgt.url()));
 */
/** Drops the test database at `url` (made by {@link freshPgDatabase}), closing its connections. */
export async function dropPgDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^pulser_test_[0-9a-f]+$/.test(name)) throw new Error(`not a test database: ${name}`);
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

export async function pgTest(): Promise<{ test: typeof test; url: () => string }> {
  const skip = await pgSkip();
  if (skip !== false) {
    void test('tests on PostgreSQL', { skip }, () => undefined);
    const none = (): Promise<void> => Promise.resolve();
    return {
      test: Object.assign(none, test),
      url: () => {
        throw new Error('no PostgreSQL');
      },
    };
  }
  let db: Awaited<ReturnType<typeof freshPgDatabase>> | null = null;
  before(async () => {
    db = await freshPgDatabase();
  });
  after(async () => {
    await db?.drop();
  });
  return {
    test,
    url: () => {
      if (db === null) throw new Error('the fresh database is made before the first test');
      return db.url;
    },
  };
}

/**
 * A PostgreSQL store on a new, empty workspace (tenant) of the database at `url`: as isolated
 * as a fresh database for the store's contract, and much cheaper (for a backend-parameterised
 * store suite: one database per file, one workspace per test).
 */
export async function freshPgWorkspace(url: string, clock?: Clock): Promise<PostgresStore> {
  return openPostgresStore(url, {
    workspace: `t-${randomBytes(6).toString('hex')}`,
    ...(clock === undefined ? {} : { clock }),
  });
}
