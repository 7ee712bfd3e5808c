// Builders of the integrations (builder.addRedis / addPostgres / addRabbitMQ): container resources
// with the image, well-known port, generated password, protocol health check and connection string
// of src/integrations, plus what each integration adds (withDataVolume, addDatabase).
import type { DatabaseSpec } from '../api/types.ts';
import { dataVolume, DATA_TARGETS } from '../integrations/index.ts';
import { BuilderError } from './errors.ts';
import { DatabaseReference } from './parameter-reference.ts';
import { ResourceBuilder } from './resource-builder.ts';

type Kind = keyof typeof DATA_TARGETS;

const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;

/** A container integration: withDataVolume keeps its data in a named volume across runs. */
export class IntegrationBuilder<E extends string = 'tcp'> extends ResourceBuilder<E, 'container'> {
  /** @internal */
  kind!: Kind;
  /** @internal application name, for default volume names */
  appName?: string;

  /**
   * Keep the data in the named volume `name` (default `<app>-<resource>-data`, or
   * `apphost-<resource>-data` without an application name) mounted where the image keeps it.
   */
  withDataVolume(name?: string): this {
    const source = name ?? `${this.appName ?? 'apphost'}-${this.name}-data`;
    const c = this.spec.container!;
    const volumes = (c.volumes ??= []).filter((v) => v.target !== DATA_TARGETS[this.kind]);
    volumes.push(dataVolume(this.kind, source));
    c.volumes = volumes;
    if (this.kind === 'redis') {
      const args = c.args ?? [];
      if (args[1] && !args[1].includes('--save')) args[1] = `${args[1]} --save 60 1`;
    }
    return this;
  }
}

export class PostgresBuilder extends IntegrationBuilder<'tcp'> {
  /**
   * A database on this server, created once the server is healthy (if it does not exist yet);
   * `withReference(db)` injects `ConnectionStrings__<name>` (the server's with `;Database=`).
   */
  addDatabase(name: string, databaseName?: string): DatabaseReference {
    for (const [what, value] of [['database', name], ['databaseName', databaseName]] as const) {
      if (value === undefined) continue;
      if (!DATABASE_NAME.test(value)) {
        throw new BuilderError('BUILDER_INVALID_NAME', `resource "${this.name}": ${what} "${value}" must be 1-63 letters, digits, '_' or '-', starting with a letter or '_'`);
      }
    }
    const dbs = (this.spec.databases ??= []);
    if (dbs.some((d) => d.name === name)) {
      throw new BuilderError('BUILDER_DUPLICATE_RESOURCE', `resource "${this.name}" already has a database "${name}"`);
    }
    const db: DatabaseSpec = { name };
    if (databaseName !== undefined && databaseName !== name) db.databaseName = databaseName;
    dbs.push(db);
    return new DatabaseReference(this.owner, this.name, name);
  }

  databaseNames(): string[] {
    return (this.spec.databases ?? []).map((d) => d.name);
  }
}
