// The Resource specs of the integrations (redis, postgres, rabbitmq): plain data, exactly what a
// YAML user would write, so the builder methods and hand-written manifests mean the same thing.
// Passwords are parameters (Resource spec.parameters): generated once and kept in
// .apphost/secrets.json unless the user configures one; the manifests never hold them.
import type { EndpointSpec, ParameterSpec, ResourceSpec, VolumeSpec } from '../api/types.ts';
import { AMQP_PORT, POSTGRES_IMAGE, POSTGRES_PORT, RABBITMQ_IMAGE, RABBITMQ_MANAGEMENT_PORT, REDIS_IMAGE, REDIS_PORT } from './images.ts';

/** A value the integration needs: a literal (not for secrets) or a parameter by name. */
export type ValueSource = { value: string } | { parameter: string };

export interface IntegrationSpec {
  spec: ResourceSpec;
  endpoints: (EndpointSpec & { name: string })[];
}

/** The parameter `<resource>-password`: secret, generated (letters and digits) when not configured. */
export function generatedPassword(resource: string): ParameterSpec {
  return { name: `${resource}-password`, secret: true, generate: { length: 22 } };
}

function envFrom(name: string, source: ValueSource) {
  return 'value' in source ? { name, value: source.value } : { name, valueFrom: { parameter: { name: source.parameter } } };
}

/** `{name}` for a parameter, the literal otherwise (braces doubled). */
function templateOf(source: ValueSource): string {
  return 'value' in source ? source.value.replace(/[{}]/g, '$&$&') : `{${source.parameter}}`;
}

export interface RedisSpecOptions {
  port?: number;
  /** Parameter holding the password (default `<name>-password`, generated). */
  password?: ParameterSpec;
  /** Persist to /data (withDataVolume): snapshot every 60 s when something changed. */
  persistent?: boolean;
}

export function redisSpec(name: string, options: RedisSpecOptions = {}): IntegrationSpec {
  const password = options.password ?? generatedPassword(name);
  const save = options.persistent ? ' --save 60 1' : '';
  return {
    spec: {
      container: {
        ...REDIS_IMAGE,
        command: '/bin/sh',
        args: ['-c', `redis-server --requirepass "$REDIS_PASSWORD"${save}`],
      },
      env: [envFrom('REDIS_PASSWORD', { parameter: password.name })],
      parameters: [password],
      connectionString: `{${name}.tcp.host}:{${name}.tcp.port},password={${password.name}}`,
      healthCheck: { type: 'redis' },
    },
    endpoints: [{ name: 'tcp', targetPort: REDIS_PORT, ...(options.port !== undefined ? { port: options.port } : {}) }],
  };
}

export interface PostgresSpecOptions {
  port?: number;
  /** Default the literal `postgres`. */
  user?: ValueSource;
  password?: ParameterSpec;
  /** Extra declarations (e.g. a user parameter). */
  parameters?: ParameterSpec[];
}

export function postgresSpec(name: string, options: PostgresSpecOptions = {}): IntegrationSpec {
  const password = options.password ?? generatedPassword(name);
  const user = options.user ?? { value: 'postgres' };
  return {
    spec: {
      container: { ...POSTGRES_IMAGE },
      env: [envFrom('POSTGRES_USER', user), envFrom('POSTGRES_PASSWORD', { parameter: password.name })],
      parameters: [password, ...(options.parameters ?? [])],
      connectionString: `Host={${name}.tcp.host};Port={${name}.tcp.port};Username=${templateOf(user)};Password={${password.name}}`,
      healthCheck: { type: 'postgres' },
    },
    endpoints: [{ name: 'tcp', targetPort: POSTGRES_PORT, ...(options.port !== undefined ? { port: options.port } : {}) }],
  };
}

export interface RabbitMQSpecOptions {
  port?: number;
  user?: ValueSource;
  password?: ParameterSpec;
  parameters?: ParameterSpec[];
  /** Also expose the management UI (the image's -management variant serves it on 15672). */
  management?: boolean;
}

export function rabbitmqSpec(name: string, options: RabbitMQSpecOptions = {}): IntegrationSpec {
  const password = options.password ?? generatedPassword(name);
  const user = options.user ?? { value: 'guest' };
  const endpoints: (EndpointSpec & { name: string })[] = [
    { name: 'tcp', targetPort: AMQP_PORT, ...(options.port !== undefined ? { port: options.port } : {}) },
  ];
  if (options.management) endpoints.push({ name: 'management', scheme: 'http', targetPort: RABBITMQ_MANAGEMENT_PORT });
  return {
    spec: {
      container: { ...RABBITMQ_IMAGE },
      env: [envFrom('RABBITMQ_DEFAULT_USER', user), envFrom('RABBITMQ_DEFAULT_PASS', { parameter: password.name })],
      parameters: [password, ...(options.parameters ?? [])],
      connectionString: `amqp://${templateOf(user)}:{${password.name}}@{${name}.tcp.host}:{${name}.tcp.port}`,
      healthCheck: { type: 'amqp', endpoint: 'tcp' },
    },
    endpoints,
  };
}

/** Where each integration keeps its data (withDataVolume). */
export const DATA_TARGETS = {
  redis: '/data',
  postgres: '/var/lib/postgresql/data',
  rabbitmq: '/var/lib/rabbitmq',
} as const;

export function dataVolume(kind: keyof typeof DATA_TARGETS, source: string): VolumeSpec {
  return { source, target: DATA_TARGETS[kind], type: 'volume' };
}
