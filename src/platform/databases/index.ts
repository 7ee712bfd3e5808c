// Public surface of the databases adapter: create a database on a running server.
export type { DatabaseCreator, DatabaseTarget } from './types.ts';
export { DatabaseError, isDatabaseError } from './errors.ts';
export type { DatabaseErrorCode } from './errors.ts';
export { createPostgresDatabaseCreator, quoteIdentifier } from './postgres.ts';
export { createFakeDatabaseCreator } from './fake.ts';
export type { FakeDatabaseCreator } from './fake.ts';
