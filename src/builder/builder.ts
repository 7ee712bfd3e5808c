// createBuilder(): the TypeScript front end (DESIGN.md section 5b). Synchronous to chain;
// build() produces exactly the manifests a YAML user would write, and run() starts apphost with
// them in-process as `apphostctl up` would (or hands them to the CLI when it loaded this file).
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Logger } from 'pino';
import { API_VERSION, type KubeObject, type ResourceSpec } from '../api/types.ts';
import { dns1123LabelErrors } from '../api/names.ts';
import { BASE_DIR_ANNOTATION } from '../api/annotations.ts';
import { deriveProjectEndpoints } from '../dotnet/index.ts';
import { activeCapture } from './capture.ts';
import { apphostRunner } from './runner.ts';
import { BuilderError } from './errors.ts';
import { ResourceBuilder, type ResourceOwner } from './resource-builder.ts';
import type { ContainerOptions, ParameterOptions, PostgresOptions, RabbitMQOptions, RedisOptions, ProjectOptions, ResourceType } from './types.ts';
import { IntegrationBuilder, PostgresBuilder } from './integration-builders.ts';
import { ParameterReference } from './parameter-reference.ts';
import { postgresSpec, rabbitmqSpec, redisSpec, type IntegrationSpec, type ValueSource } from '../integrations/index.ts';
import type { ParameterSpec } from '../api/types.ts';

export interface CreateBuilderOptions {
  /** Application name (network and container names); default: the folder `up` runs in. */
  name?: string;
  /**
   * Folder relative paths (workingDir, project paths) resolve against. Default: the apphost file's
   * folder when the CLI loads it, else the folder of the script node was started with, else cwd.
   */
  baseDir?: string;
  /** Receives warnings (e.g. a launch profile ignored in favour of Kestrel endpoints). */
  logger?: Pick<Logger, 'warn'>;
}

export interface RunOptions {
  /** Folder for `.apphost/` (kubeconfig, state). Default: process.cwd(). */
  dir?: string;
  /** Extra controller modules (files) to load, as `apphostctl up --controller`. */
  controllers?: string[];
  /** Extra CRD folders, as `apphostctl up --crds`. */
  crdDirs?: string[];
}

export interface BuiltApphost {
  readonly name?: string;
  /** The Resource objects, in the order they were added. */
  manifests(): KubeObject[];
  /** The manifests as multi-document YAML. */
  toYaml(): string;
  /** Start apphost in-process (foreground, Ctrl+C stops it), or hand the manifests to apphostctl. */
  run(options?: RunOptions): Promise<void>;
}

function defaultBaseDir(): string {
  const captured = activeCapture();
  if (captured) return captured.baseDir;
  const script = process.argv[1];
  return script ? dirname(resolve(script)) : process.cwd();
}

export class ApphostBuilder {
  readonly name?: string;
  readonly baseDir: string;
  readonly #resources: ResourceBuilder<string, ResourceType>[] = [];
  readonly #logger?: Pick<Logger, 'warn'>;
  /** One owner object per builder: references are checked to come from this builder. */
  readonly #owner = { has: (r: ResourceBuilder<string, ResourceType>) => this.#resources.includes(r) };

  constructor(options: CreateBuilderOptions = {}) {
    if (options.name !== undefined) {
      const errs = dns1123LabelErrors(options.name);
      if (errs.length) throw new BuilderError('BUILDER_INVALID_NAME', `application name "${options.name}": ${errs[0]}`);
      this.name = options.name;
    }
    this.baseDir = resolve(options.baseDir ?? defaultBaseDir());
    this.#logger = options.logger;
  }

  /** A process: `command args...` started in `workingDir` (relative to the apphost file). */
  addExecutable(name: string, command: string, workingDir: string, args: string[] = []): ResourceBuilder<never, 'executable'> {
    const executable: NonNullable<ResourceSpec['executable']> = { command };
    if (args.length) executable.args = [...args];
    if (workingDir && workingDir !== '.') executable.workingDir = workingDir;
    return this.#add(name, 'executable', { executable });
  }

  /** `node <script>` in `dir`. */
  addNodeApp(name: string, dir: string, script: string, args: string[] = []): ResourceBuilder<never, 'executable'> {
    return this.addExecutable(name, 'node', dir, [script, ...args]);
  }

  addContainer(name: string, options: ContainerOptions | string): ResourceBuilder<never, 'container'> {
    const o: ContainerOptions = typeof options === 'string' ? { image: options } : options;
    if (!o.image) throw new BuilderError('BUILDER_INVALID_ARGUMENT', `container "${name}" needs an image`);
    const container: NonNullable<ResourceSpec['container']> = { image: o.image };
    if (o.tag) container.tag = o.tag;
    if (o.command) container.command = o.command;
    if (o.args?.length) container.args = [...o.args];
    return this.#add(name, 'container', { container });
  }

  /**
   * A .NET project (`path`: its folder or .csproj, relative to the apphost file), run with
   * `dotnet run`. Endpoints come from Kestrel:Endpoints in appsettings.json, else from the launch
   * profile's applicationUrl; the listen URLs are injected at run time.
   */
  addProject(name: string, path: string, options: ProjectOptions = {}): ResourceBuilder<string, 'project'> {
    const abs = isAbsolute(path) ? path : resolve(this.baseDir, path);
    const derived = deriveProjectEndpoints({
      project: abs,
      launchProfile: { name: options.launchProfile, file: options.launchSettingsFile },
      env: process.env,
    });
    for (const w of derived.warnings) {
      if (this.#logger) this.#logger.warn(w);
      else process.emitWarning(w, { code: 'APPHOST_LAUNCH_PROFILE' });
    }
    const workingDir = relative(this.baseDir, derived.projectDir) || '.';
    const launchProfile: { name?: string; file?: string } = {};
    if (derived.profile) launchProfile.name = derived.profile;
    if (options.launchSettingsFile) launchProfile.file = options.launchSettingsFile;
    const executable: NonNullable<ResourceSpec['executable']> = {
      command: options.dotnet ?? 'dotnet',
      args: ['run', '--project', abs === derived.projectDir ? '.' : relative(derived.projectDir, abs), '--no-launch-profile'],
      ...(workingDir !== '.' ? { workingDir } : {}),
      launchProfile,
    };
    const r = this.#add<string, 'project'>(name, 'project', { executable });
    for (const ep of derived.endpoints) r.withEndpoint(ep);
    return r;
  }

  /**
   * A parameter: its value comes from `Parameters__<name>` in apphost's environment, else
   * `.apphost/secrets.json`, else (`generate`) a random one kept there, else `value`. Secrets are
   * masked wherever shown and never written into the manifests.
   */
  addParameter(name: string, options: ParameterOptions = {}): ParameterReference {
    const errs = dns1123LabelErrors(name);
    if (errs.length) throw new BuilderError('BUILDER_INVALID_NAME', `parameter name "${name}": ${errs[0]}`);
    if (options.secret && options.value !== undefined) {
      throw new BuilderError('BUILDER_INVALID_ARGUMENT', `parameter "${name}" is secret: give it as Parameters__${name} or in .apphost/secrets.json, or use generate, not value`);
    }
    const spec: ParameterSpec = { name };
    if (options.secret) spec.secret = true;
    if (options.value !== undefined) spec.value = options.value;
    if (options.generate) spec.generate = options.generate === true ? {} : { ...options.generate };
    return new ParameterReference(this.#owner, spec);
  }

  /**
   * Redis (image redis:7.4) on target port 6379, endpoint `tcp`, a password (`<name>-password`,
   * generated and kept unless given), a PING health check, and the connection string
   * `host:port,password=...` that withReference injects as `ConnectionStrings__<name>`.
   */
  addRedis(name: string, options: RedisOptions = {}): IntegrationBuilder<'tcp'> {
    const password = this.#parameter(name, options.password, 'password');
    return this.#integration(name, 'redis', redisSpec(name, { ...(options.port !== undefined ? { port: options.port } : {}), ...(password ? { password } : {}) }), IntegrationBuilder);
  }

  /**
   * PostgreSQL (image postgres:17.6) on 5432, user `postgres` unless given, a generated password, a
   * startup-message health check (as pg_isready), `Host=...;Port=...;Username=...;Password=...`;
   * `.addDatabase('orders')` adds a database created once the server is healthy.
   */
  addPostgres(name: string, options: PostgresOptions = {}): PostgresBuilder {
    const password = this.#parameter(name, options.password, 'password');
    const user = this.#valueSource(name, options.user, 'user');
    return this.#integration(
      name,
      'postgres',
      postgresSpec(name, {
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(password ? { password } : {}),
        ...(user ? { user: user.source, parameters: user.declarations } : {}),
      }),
      PostgresBuilder,
    );
  }

  /** RabbitMQ (image rabbitmq:4.1-management) on 5672, a generated password, an AMQP health check. */
  addRabbitMQ(name: string, options: RabbitMQOptions = {}): IntegrationBuilder<'tcp'> {
    const password = this.#parameter(name, options.password, 'password');
    const user = this.#valueSource(name, options.user, 'user');
    return this.#integration(
      name,
      'rabbitmq',
      rabbitmqSpec(name, {
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(password ? { password } : {}),
        ...(user ? { user: user.source, parameters: user.declarations } : {}),
        ...(options.management ? { management: true } : {}),
      }),
      IntegrationBuilder,
    ) as IntegrationBuilder<'tcp'>;
  }

  #parameter(resource: string, p: ParameterReference | undefined, what: string): ParameterSpec | undefined {
    if (p === undefined) return undefined;
    if (!(p instanceof ParameterReference) || p.owner !== this.#owner) {
      throw new BuilderError('BUILDER_INVALID_ARGUMENT', `resource "${resource}": ${what} must be a parameter from this builder's addParameter (a literal would end up in the manifests)`);
    }
    return structuredClone(p.spec);
  }

  #valueSource(resource: string, v: string | ParameterReference | undefined, what: string): { source: ValueSource; declarations: ParameterSpec[] } | undefined {
    if (v === undefined) return undefined;
    if (typeof v === 'string') return { source: { value: v }, declarations: [] };
    const spec = this.#parameter(resource, v, what)!;
    return { source: { parameter: spec.name }, declarations: [spec] };
  }

  #integration<B extends IntegrationBuilder<'tcp'>>(
    name: string,
    kind: B['kind'],
    made: IntegrationSpec,
    cls: new (owner: ResourceOwner, name: string, type: 'container', spec: ResourceSpec) => B,
  ): B {
    const r = this.#add<'tcp', 'container'>(name, 'container', made.spec, cls as never) as unknown as B;
    r.kind = kind;
    if (this.name !== undefined) r.appName = this.name;
    for (const ep of made.endpoints) r.withEndpoint(ep);
    return r;
  }

  /** Resources added so far. */
  resources(): readonly ResourceBuilder<string, ResourceType>[] {
    return this.#resources;
  }

  build(): BuiltApphost {
    const objects = this.#resources.map((r) => this.#toObject(r));
    this.#check();
    const name = this.name;
    const clone = () => structuredClone(objects);
    return {
      name,
      manifests: clone,
      toYaml: () => clone().map((o) => stringify(o)).join('---\n'),
      run: async (options: RunOptions = {}) => {
        const capture = activeCapture();
        if (capture) {
          capture.manifests = clone();
          capture.name = name;
          return;
        }
        await apphostRunner()({
          dir: options.dir ?? process.cwd(),
          name,
          manifests: clone(),
          controllers: options.controllers,
          crdDirs: options.crdDirs,
        });
      },
    };
  }

  #add<E extends string, T extends ResourceType>(
    name: string,
    type: T,
    spec: ResourceSpec,
    cls: new (...args: ConstructorParameters<typeof ResourceBuilder>) => ResourceBuilder<E, T> = ResourceBuilder as never,
  ): ResourceBuilder<E, T> {
    const errs = dns1123LabelErrors(name);
    if (errs.length) throw new BuilderError('BUILDER_INVALID_NAME', `resource name "${name}": ${errs[0]}`);
    if (this.#resources.some((r) => r.name === name)) {
      throw new BuilderError('BUILDER_DUPLICATE_RESOURCE', `a resource named "${name}" was already added`);
    }
    const r = new cls(this.#owner, name, type, spec);
    this.#resources.push(r as unknown as ResourceBuilder<string, ResourceType>);
    return r;
  }


  #toObject(r: ResourceBuilder<string, ResourceType>): KubeObject {
    return {
      apiVersion: API_VERSION,
      kind: 'Resource',
      metadata: { name: r.name, annotations: { [BASE_DIR_ANNOTATION]: this.baseDir } },
      spec: r.toSpec(),
    };
  }

  /** References and endpoint values must point at endpoints that exist by the time of build(). */
  #check(): void {
    const byName = new Map(this.#resources.map((r) => [r.name, r]));
    for (const r of this.#resources) {
      const spec = r.spec;
      const uses: { what: string; resource: string; endpoint?: string }[] = [
        ...(spec.references ?? []).map((x) => ({ what: 'withReference', resource: x.resource, endpoint: x.endpoint })),
        ...(spec.env ?? [])
          .filter((e) => e.valueFrom?.endpoint)
          .map((e) => ({ what: `withEnvironment("${e.name}")`, resource: e.valueFrom!.endpoint!.resource, endpoint: e.valueFrom!.endpoint!.name })),
      ];
      for (const u of uses) {
        const target = byName.get(u.resource);
        if (!target) {
          throw new BuilderError('BUILDER_UNKNOWN_RESOURCE', `resource "${r.name}": ${u.what} names unknown resource "${u.resource}"`);
        }
        if (u.endpoint && !target.endpointNames().includes(u.endpoint)) {
          throw new BuilderError(
            'BUILDER_UNKNOWN_ENDPOINT',
            `resource "${r.name}": ${u.what} names endpoint "${u.endpoint}" of "${u.resource}", which has ${target.endpointNames().join(', ') || 'no endpoints'}`,
          );
        }
      }
      const hc = spec.healthCheck?.endpoint;
      if (hc && !r.endpointNames().includes(hc)) {
        throw new BuilderError('BUILDER_UNKNOWN_ENDPOINT', `resource "${r.name}": health check endpoint "${hc}" does not exist`);
      }
    }
  }
}

export function createBuilder(options: CreateBuilderOptions = {}): ApphostBuilder {
  return new ApphostBuilder(options);
}
