// In-memory DatabaseCreator for controller tests: remembers databases per host:port; failNext(err).
import type { DatabaseCreator, DatabaseTarget } from './types.ts';

export interface FakeDatabaseCreator extends DatabaseCreator {
  databases(host: string, port: number): string[];
  calls: DatabaseTarget[];
  failNext(err: Error): void;
}

export function createFakeDatabaseCreator(): FakeDatabaseCreator {
  const dbs = new Map<string, Set<string>>();
  const calls: DatabaseTarget[] = [];
  let failure: Error | undefined;
  return {
    calls,
    databases: (host, port) => [...(dbs.get(`${host}:${port}`) ?? [])],
    failNext(err) {
      failure = err;
    },
    async ensure(t) {
      calls.push(t);
      if (failure) {
        const err = failure;
        failure = undefined;
        throw err;
      }
      const set = dbs.get(`${t.host}:${t.port}`) ?? new Set<string>();
      dbs.set(`${t.host}:${t.port}`, set);
      if (set.has(t.database)) return 'exists';
      set.add(t.database);
      return 'created';
    },
  };
}
