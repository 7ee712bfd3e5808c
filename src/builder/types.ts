// Public types of the TypeScript builder.
import type { EndpointProperty, HealthCheckSpec, Protocol, RestartPolicy, WaitCondition } from '../api/types.ts';

export type ResourceType = 'executable' | 'container' | 'project';

/** Options of withEndpoint / withHttpEndpoint / withHttpsEndpoint (DESIGN.md section 1). */
export interface EndpointOptions<N extends string = string> {
  /** Defaults to the scheme (which defaults to the lower-cased protocol). */
  name?: N;
  /** Host / proxy port; omitted: a random free port. */
  port?: number;
  /** Where the app listens; omitted: a free port per replica, handed over in `env`. */
  targetPort?: number;
  scheme?: string;
  protocol?: Protocol;
  transport?: string;
  /** Variable that receives the target port (e.g. PORT). */
  env?: string;
  isProxied?: boolean;
  isExternal?: boolean;
  excludeFromReferences?: boolean;
}

/** What withEndpointCallback hands to its callback: edit it in place. */
export interface MutableEndpoint {
  readonly name: string;
  port?: number;
  targetPort?: number;
  scheme?: string;
  protocol?: Protocol;
  transport?: string;
  env?: string;
  isProxied?: boolean;
  isExternal?: boolean;
  excludeFromReferences?: boolean;
}

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

export type { EndpointProperty, RestartPolicy, WaitCondition };
