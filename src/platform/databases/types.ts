// Creating a database on a running server (Resource spec.databases). Real: postgres.ts (node-postgres);
// simulator: fake.ts.
export interface DatabaseTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The database to create when it does not exist. */
  database: string;
  signal?: AbortSignal;
}

export interface DatabaseCreator {
  /** `created` or `exists`; throws (DatabaseError) when the server cannot be reached or refuses. */
  ensure(target: DatabaseTarget): Promise<'created' | 'exists'>;
}
