// One resource of an apphost under construction. Methods mutate and return the builder (typed so
// that endpoint names given so far are known: `getEndpoint('htp')` is a type error when only
// 'http' exists). Mistakes types cannot catch throw a BuilderError naming resource and endpoint.
import type {
  EndpointSpec,
  EnvVar,
  HealthCheckSpec,
  ReferenceSpec,
  ResourceSpec,
  RestartPolicy,
  VolumeSpec,
  WaitCondition,
  WaitForSpec,
} from '../api/types.ts';
import { endpointNameErrors, envVarNameErrors } from '../api/names.ts';
import { EndpointReference } from './endpoint-reference.ts';
import { DatabaseReference, ParameterReference } from './parameter-reference.ts';
import { BuilderError } from './errors.ts';
import type { EndpointOptions, HealthCheckOptions, LifetimeOption, MutableEndpoint, ResourceType } from './types.ts';

/** What a resource builder needs from the application builder that owns it. */
export interface ResourceOwner {
  has(resource: ResourceBuilder<string, ResourceType>): boolean;
}

/** Name an endpoint gets when none is given: the scheme, else the lower-cased protocol. */
export function defaultEndpointName(ep: { scheme?: string; protocol?: string }): string {
  return ep.scheme ?? (ep.protocol ?? 'TCP').toLowerCase();
}

type Named<N extends string, S extends string> = [N] extends [never] ? ([S] extends [never] ? string : S) : N;

export class ResourceBuilder<E extends string = never, T extends ResourceType = ResourceType> {
  readonly name: string;
  readonly type: T;
  /** @internal */
  readonly spec: ResourceSpec;
  /** @internal */
  readonly owner: ResourceOwner;
  readonly #endpoints: (EndpointSpec & { name: string })[] = [];

  /** @internal use builder.addExecutable / addNodeApp / addContainer / addProject */
  constructor(owner: ResourceOwner, name: string, type: T, spec: ResourceSpec) {
    this.owner = owner;
    this.name = name;
    this.type = type;
    this.spec = spec;
  }

  // ------------------------------------------------------------------ endpoints

  withEndpoint<N extends string = never, S extends string = never>(
    options: EndpointOptions<N> & { scheme?: S },
  ): ResourceBuilder<E | Named<N, S>, T> {
    const name = options.name ?? defaultEndpointName(options);
    this.#checkEndpointName(name);
    if (this.#endpoints.some((e) => e.name === name)) {
      throw new BuilderError(
        'BUILDER_DUPLICATE_ENDPOINT',
        `resource "${this.name}" already has an endpoint "${name}": use withEndpointCallback('${name}', ...) to change it`,
      );
    }
    this.#checkPort(name, 'port', options.port);
    this.#checkPort(name, 'targetPort', options.targetPort);
    const ep: EndpointSpec & { name: string } = { name };
    for (const key of ['scheme', 'protocol', 'transport', 'port', 'targetPort', 'env', 'isProxied', 'isExternal', 'excludeFromReferences', 'tlsTermination'] as const) {
      if (options[key] !== undefined) (ep as unknown as Record<string, unknown>)[key] = options[key];
    }
    this.#endpoints.push(ep);
    return this as unknown as ResourceBuilder<E | Named<N, S>, T>;
  }

  /** An http endpoint, named `http` unless `name` says otherwise. */
  withHttpEndpoint<N extends string = 'http'>(
    options: Omit<EndpointOptions<N>, 'scheme'> = {},
  ): ResourceBuilder<E | N, T> {
    return this.withEndpoint({ ...options, name: (options.name ?? 'http') as N, scheme: 'http' }) as unknown as ResourceBuilder<E | N, T>;
  }

  /** An https endpoint, named `https` unless `name` says otherwise. */
  withHttpsEndpoint<N extends string = 'https'>(
    options: Omit<EndpointOptions<N>, 'scheme'> = {},
  ): ResourceBuilder<E | N, T> {
    return this.withEndpoint({ ...options, name: (options.name ?? 'https') as N, scheme: 'https' }) as unknown as ResourceBuilder<E | N, T>;
  }

  /** Edits the endpoint `name` in place; creates it (with just that name) when absent. */
  withEndpointCallback<N extends string>(name: N, callback: (endpoint: MutableEndpoint) => void): ResourceBuilder<E | N, T> {
    this.#checkEndpointName(name);
    let ep = this.#endpoints.find((e) => e.name === name);
    if (!ep) {
      ep = { name };
      this.#endpoints.push(ep);
    }
    callback(ep);
    if (ep.name !== name) {
      throw new BuilderError('BUILDER_INVALID_ARGUMENT', `resource "${this.name}": the callback must not rename endpoint "${name}"`);
    }
    this.#checkPort(name, 'port', ep.port);
    this.#checkPort(name, 'targetPort', ep.targetPort);
    return this as unknown as ResourceBuilder<E | N, T>;
  }

  /** A reference to one endpoint, for withReference and withEnvironment. */
  getEndpoint<N extends E>(name: N): EndpointReference<N> {
    if (!this.#endpoints.some((e) => e.name === name)) {
      throw new BuilderError(
        'BUILDER_UNKNOWN_ENDPOINT',
        `resource "${this.name}" has no endpoint "${name}" (endpoints: ${this.endpointNames().join(', ') || 'none'})`,
      );
    }
    return new EndpointReference(this.owner, this.name, name);
  }

  endpointNames(): string[] {
    return this.#endpoints.map((e) => e.name);
  }

  // ------------------------------------------------------------------ relations

  /**
   * Inject the service variables of a resource (every endpoint not excluded from references) or of
   * one endpoint: `services__api__http__0=http://localhost:1234` and `API_HTTP=...`.
   */
  withReference(source: ResourceBuilder<string, ResourceType> | EndpointReference | DatabaseReference): this {
    const ref: ReferenceSpec =
      source instanceof EndpointReference
        ? { resource: this.#known(source.resource, source.owner, 'withReference'), endpoint: source.endpoint }
        : source instanceof DatabaseReference
          ? { resource: this.#known(source.resource, source.owner, 'withReference'), database: source.name }
          : { resource: this.#knownResource(source, 'withReference') };
    const refs = (this.spec.references ??= []);
    if (!refs.some((r) => r.resource === ref.resource && r.endpoint === ref.endpoint && r.database === ref.database)) refs.push(ref);
    return this;
  }

  /** Start only once `resource` is Running (default), Healthy or Completed. */
  waitFor(resource: ResourceBuilder<string, ResourceType>, condition?: WaitCondition): this {
    const wait: WaitForSpec = { resource: this.#knownResource(resource, 'waitFor') };
    if (resource === (this as unknown)) {
      throw new BuilderError('BUILDER_INVALID_ARGUMENT', `resource "${this.name}" cannot wait for itself`);
    }
    if (condition) wait.condition = condition;
    const list = (this.spec.waitFor ??= []);
    const existing = list.findIndex((w) => w.resource === wait.resource);
    if (existing >= 0) list[existing] = wait;
    else list.push(wait);
    return this;
  }

  /** Wait until `resource` has run to completion (exit code 0). */
  waitForCompletion(resource: ResourceBuilder<string, ResourceType>): this {
    return this.waitFor(resource, 'Completed');
  }

  // ------------------------------------------------------------------ settings

  /**
   * A plain value, an endpoint property (url by default: `api.getEndpoint('http').property('port')`),
   * or a parameter (`builder.addParameter('api-key', { secret: true })`), resolved at run time.
   */
  withEnvironment(name: string, value: string | number | boolean | EndpointReference | ParameterReference): this {
    const errs = envVarNameErrors(name);
    if (errs.length) throw new BuilderError('BUILDER_INVALID_ARGUMENT', `resource "${this.name}": environment variable "${name}": ${errs[0]}`);
    if (value instanceof ParameterReference) this.declareParameter(value, 'withEnvironment');
    const env: EnvVar =
      value instanceof ParameterReference
        ? { name, valueFrom: { parameter: { name: value.name } } }
        : value instanceof EndpointReference
        ? {
            name,
            valueFrom: {
              endpoint: {
                resource: this.#known(value.resource, value.owner, 'withEnvironment'),
                name: value.endpoint,
                property: value.prop,
              },
            },
          }
        : { name, value: String(value) };
    const list = (this.spec.env ??= []);
    const at = list.findIndex((e) => e.name === name);
    if (at >= 0) list[at] = env;
    else list.push(env);
    return this;
  }

  withArgs(...args: string[]): this {
    const target = this.spec.executable ?? this.spec.container!;
    target.args = [...(target.args ?? []), ...args.map(String)];
    return this;
  }

  withReplicas(count: number): this {
    if (!Number.isInteger(count) || count < 0) {
      throw new BuilderError('BUILDER_INVALID_ARGUMENT', `resource "${this.name}": withReplicas needs a whole number >= 0, got ${count}`);
    }
    if (count === 1) delete this.spec.replicas;
    else this.spec.replicas = count;
    return this;
  }

  /** 'persistent': the resource outlives apphost (containers kept, endpoints proxyless). */
  withLifetime(lifetime: LifetimeOption): this {
    const l = lifetime.toLowerCase();
    if (l !== 'session' && l !== 'persistent') {
      throw new BuilderError('BUILDER_INVALID_ARGUMENT', `resource "${this.name}": lifetime must be 'session' or 'persistent', got "${lifetime}"`);
    }
    if (l === 'session') delete this.spec.lifetime;
    else this.spec.lifetime = 'Persistent';
    return this;
  }

  withHealthCheck(options: HealthCheckOptions<E> = {}): this {
    if (options.endpoint !== undefined) this.getEndpoint(options.endpoint);
    const hc: HealthCheckSpec = {};
    for (const key of ['type', 'endpoint', 'path', 'intervalSeconds', 'timeoutSeconds'] as const) {
      if (options[key] !== undefined) (hc as Record<string, unknown>)[key] = options[key];
    }
    this.spec.healthCheck = hc;
    return this;
  }

  /** An http probe of `path` on `endpoint` (default: the first http/https endpoint). */
  withHttpHealthCheck(path = '/', endpoint?: E): this {
    const ep = endpoint ?? (this.#endpoints.find((e) => e.scheme === 'http' || e.scheme === 'https')?.name as E | undefined);
    if (ep === undefined) {
      throw new BuilderError('BUILDER_UNKNOWN_ENDPOINT', `resource "${this.name}": withHttpHealthCheck needs an http endpoint; add one first`);
    }
    return this.withHealthCheck({ endpoint: ep, path } as HealthCheckOptions<E>);
  }

  /**
   * The container image this executable ships as when exported (`apphostctl export`), e.g.
   * `ghcr.io/org/api:1.2`. The local run ignores it. Executables and projects only.
   */
  withImage(this: ResourceBuilder<E, 'executable' | 'project'>, image: string): ResourceBuilder<E, T> {
    const exe = this.spec.executable;
    if (!exe) {
      throw new BuilderError('BUILDER_INVALID_ARGUMENT', `resource "${this.name}" is a container: give its image to addContainer`);
    }
    if (typeof image !== 'string' || image.trim() === '' || /\s/.test(image)) {
      throw new BuilderError('BUILDER_INVALID_ARGUMENT', `resource "${this.name}": withImage needs an image reference such as ghcr.io/org/api:1.2, got "${image}"`);
    }
    exe.image = image;
    return this as unknown as ResourceBuilder<E, T>;
  }

  withRestartPolicy(policy: RestartPolicy): this {
    this.spec.restartPolicy = policy;
    return this;
  }

  /** Another name this container answers to on the application's network. Containers only. */
  withContainerNetworkAlias(this: ResourceBuilder<E, 'container'>, alias: string): ResourceBuilder<E, 'container'> {
    const c = this.spec.container;
    if (!c) {
      throw new BuilderError('BUILDER_INVALID_ARGUMENT', `resource "${this.name}" is not a container: network aliases are for containers`);
    }
    const aliases = (c.networkAliases ??= []);
    if (!aliases.includes(alias)) aliases.push(alias);
    return this;
  }

  /** A named volume or bind mount. Containers only. */
  withVolume(this: ResourceBuilder<E, 'container'>, source: string | undefined, target: string, options: { readOnly?: boolean } = {}): ResourceBuilder<E, 'container'> {
    return this.#mount({ ...(source ? { source } : {}), target, type: 'volume', ...(options.readOnly ? { readOnly: true } : {}) });
  }

  withBindMount(this: ResourceBuilder<E, 'container'>, source: string, target: string, options: { readOnly?: boolean } = {}): ResourceBuilder<E, 'container'> {
    return this.#mount({ source, target, type: 'bind', ...(options.readOnly ? { readOnly: true } : {}) });
  }

  #mount(this: ResourceBuilder<E, T>, v: VolumeSpec): ResourceBuilder<E, 'container'> {
    const c = this.spec.container;
    if (!c) throw new BuilderError('BUILDER_INVALID_ARGUMENT', `resource "${this.name}" is not a container: volumes are for containers`);
    (c.volumes ??= []).push(v);
    return this as unknown as ResourceBuilder<E, 'container'>;
  }

  /** @internal declare a parameter this resource uses (its declaration travels with the resource). */
  declareParameter(p: ParameterReference, method: string): void {
    if (!(p instanceof ParameterReference) || p.owner !== this.owner) {
      throw new BuilderError('BUILDER_UNKNOWN_RESOURCE', `resource "${this.name}": ${method} needs a parameter from this builder's addParameter`);
    }
    const list = (this.spec.parameters ??= []);
    if (!list.some((d) => d.name === p.name)) list.push(structuredClone(p.spec));
  }

  // ------------------------------------------------------------------ output

  /** @internal the spec with endpoints, defaults left out (name equal to its default). */
  toSpec(): ResourceSpec {
    const spec: ResourceSpec = structuredClone(this.spec);
    if (this.#endpoints.length) {
      spec.endpoints = this.#endpoints.map((e) => {
        const { name, ...rest } = e;
        return name === defaultEndpointName(e) ? rest : { name, ...rest };
      });
    }
    // Canonical key order, so that the YAML reads like a hand-written manifest.
    const order: (keyof ResourceSpec)[] = [
      'executable', 'container', 'replicas', 'lifetime', 'parameters', 'env', 'endpoints', 'references', 'waitFor',
      'connectionString', 'databases', 'healthCheck', 'restartPolicy', 'stopGracePeriodSeconds',
    ];
    const out: Record<string, unknown> = {};
    for (const k of order) if (spec[k] !== undefined) out[k] = spec[k];
    return out as ResourceSpec;
  }

  /** @internal endpoint specs with names, for checks at build time. */
  endpointSpecs(): readonly (EndpointSpec & { name: string })[] {
    return this.#endpoints;
  }

  // ------------------------------------------------------------------ checks

  #checkEndpointName(name: string): void {
    const errs = endpointNameErrors(name);
    if (errs.length) {
      throw new BuilderError('BUILDER_INVALID_NAME', `resource "${this.name}": endpoint name "${name}" ${errs.join('; ')}`);
    }
  }

  #checkPort(endpoint: string, field: string, value: number | undefined): void {
    if (value === undefined) return;
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      throw new BuilderError('BUILDER_INVALID_ARGUMENT', `resource "${this.name}", endpoint "${endpoint}": ${field} must be 0-65535, got ${value}`);
    }
  }

  #knownResource(r: ResourceBuilder<string, ResourceType>, method: string): string {
    if (!(r instanceof ResourceBuilder)) {
      throw new BuilderError('BUILDER_UNKNOWN_RESOURCE', `resource "${this.name}": ${method} needs a resource from this builder, got ${String(r)}`);
    }
    return this.#known(r.name, r.owner, method, r);
  }

  #known(name: string, owner: object, method: string, r?: ResourceBuilder<string, ResourceType>): string {
    if (owner !== this.owner || (r && !this.owner.has(r))) {
      throw new BuilderError(
        'BUILDER_UNKNOWN_RESOURCE',
        `resource "${this.name}": ${method}("${name}") names a resource that was not added to this builder`,
      );
    }
    return name;
  }
}
