// Public types of the TypeScript builder.
import type { EndpointProperty, EndpointSpec, HealthCheckSpec, RestartPolicy, WaitCondition } from '../api/types.ts';

export type ResourceType = 'executable' | 'container' | 'project';

/** Options of withEndpoint / withHttpEndpoint / withHttpsEndpoint (DESIGN.md section 1). */
export type EndpointOptions<N extends string = string> = Omit<EndpointSpec, 'name'> & {
  /** Defaults to the scheme (which defaults to the lower-cased protocol). */
  name?: N;
};

/** What withEndpointCallback hands to its callback: edit it in place. */
export type MutableEndpoint = Omit<EndpointSpec, 'name'> & { readonly name: string };

export type LifetimeOption = 'session' | 'persistent' | 'Session' | 'Persistent';

export type HealthCheckOptions<E extends string> = Omit<HealthCheckSpec, 'endpoint'> & { endpoint?: E };

export interface ContainerOptions {
  image: string;
  tag?: string;
  command?: string;
  args?: string[];
}

export interface ProjectOptions {
  /** Launch profile name in Properties/launchSettings.json (else DOTNET_LAUNCH_PROFILE, else the first). */
  launchProfile?: string;
  /** launchSettings.json path relative to the project folder. */
  launchSettingsFile?: string;
  /** The dotnet executable (default `dotnet`). */
  dotnet?: string;
}

/** Options of builder.addParameter. */
export interface ParameterOptions {
  /** Masked wherever shown; cannot have a literal value. */
  secret?: boolean;
  /** Default when nothing is configured (not for secrets). */
  value?: string;
  /** Generate a random value (letters and digits) when nothing is configured, and keep it. */
  generate?: boolean | { length?: number };
}

export interface RedisOptions {
  /** Host (proxy) port; default a random one. */
  port?: number;
  /** Default: `<name>-password`, generated and kept in .apphost/secrets.json. */
  password?: import('./parameter-reference.ts').ParameterReference;
}

export interface PostgresOptions extends RedisOptions {
  /** Default `postgres`. */
  user?: string | import('./parameter-reference.ts').ParameterReference;
}

export interface RabbitMQOptions extends PostgresOptions {
  /** Also the management UI endpoint `management` (http, 15672). */
  management?: boolean;
}

export type { EndpointProperty, RestartPolicy, WaitCondition };
