// The real DatabaseCreator for PostgreSQL: connect as the server's user (node-postgres; SCRAM-SHA-256
// as the server asks), look the database up in pg_database, CREATE DATABASE when it is missing.
import pg from 'pg';
import { DatabaseError } from './errors.ts';
import type { DatabaseCreator, DatabaseTarget } from './types.ts';

/** `"orders"`: a Postgres identifier, quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function createPostgresDatabaseCreator(options: { connectTimeoutMs?: number } = {}): DatabaseCreator {
  return {
    async ensure(t: DatabaseTarget) {
      const client = new pg.Client({
        host: t.host,
        port: t.port,
        user: t.user,
        password: t.password,
        database: 'postgres',
        connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      });
      const onAbort = () => void client.end().catch(() => undefined);
      t.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        try {
          await client.connect();
        } catch (err) {
          throw new DatabaseError('DATABASE_UNREACHABLE', `cannot connect to postgres at ${t.host}:${t.port} as ${t.user}: ${(err as Error).message}`, { cause: err });
        }
        try {
          const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [t.database]);
          if (found.rowCount) return 'exists';
          await client.query(`CREATE DATABASE ${quoteIdentifier(t.database)}`);
          return 'created';
        } catch (err) {
          // Two creators racing: the loser sees duplicate_database (42P04), which means it exists.
          if ((err as { code?: string }).code === '42P04') return 'exists';
          throw new DatabaseError('DATABASE_REFUSED', `postgres at ${t.host}:${t.port} refused to create database "${t.database}": ${(err as Error).message}`, { cause: err });
        }
      } finally {
        t.signal?.removeEventListener('abort', onAbort);
        await client.end().catch(() => undefined);
      }
    },
  };
}
