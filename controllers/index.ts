// The built-in controllers, in registration order. The manager disposes them in reverse order, so on
// shutdown processes stop first (grace, then kill), then proxies close, then containers and networks
// go away.
import type { Logger } from 'pino';
import type { Prober } from '../src/platform/health/types.ts';
import type { LogStore } from '../src/platform/logs/types.ts';
import type { ProxyFactory } from '../src/platform/net/types.ts';
import type { ProxyMetrics } from '../src/platform/net/proxy-metrics.ts';
import type { PortAllocator } from '../src/platform/ports/types.ts';
import type { ProcessRunner } from '../src/platform/process/types.ts';
import type { ParameterSource } from '../src/platform/secrets/types.ts';
import type { DatabaseCreator } from '../src/platform/databases/types.ts';
import type { DevCertificates } from '../src/platform/tls/index.ts';
import type { ControllerDefinition } from '../src/runtime/types.ts';
import { createDatabasesController } from './databases/index.ts';
import { createEndpointsController } from './endpoints/index.ts';
import { createHealthController } from './health/index.ts';
import { createLogRetentionController } from './logs/index.ts';
import { createNamespacesController } from './namespaces/index.ts';
import { createProcessesController } from './processes/index.ts';
import { createReplicasController } from './replicas/index.ts';
import { createEndpointProxiesController, createProxiesController } from './proxies/index.ts';

export interface BuiltinControllerDeps {
  runner: ProcessRunner;
  prober: Prober;
  proxies: ProxyFactory;
  /** Per-proxy traffic counters for /metrics. */
  proxyMetrics?: ProxyMetrics;
  ports: PortAllocator;
  /** Parameter values (`.apphost/secrets.json`, Parameters__<name>). */
  parameters?: ParameterSource;
  /** Development certificates for https endpoints. */
  devCertificates?: DevCertificates;
  /** Creates Resource spec.databases on postgres servers (absent: they are not created). */
  postgres?: DatabaseCreator;
  /** Project folder: relative working directories resolve here (unless a manifest says otherwise). */
  baseDir: string;
  gracePeriodMs?: number;
  logger?: Logger;
  /** Captured output: a replica's ring is freed when the Replica is gone. */
  logs?: LogStore;
  /** Every namespaced kind a namespace can hold (emptied when it is deleted); default the built-in ones. */
  namespacedKinds?: string[];
  /** Controllers that come before the process-level ones (e.g. networks, containers). */
  extra?: ControllerDefinition[];
}

export function createBuiltinControllers(deps: BuiltinControllerDeps): ControllerDefinition[] {
  return [
    ...(deps.extra ?? []),
    createProxiesController({ factory: deps.proxies, ports: deps.ports, ...(deps.proxyMetrics ? { metrics: deps.proxyMetrics } : {}), ...(deps.logger ? { proxyDefaults: { logger: deps.logger } } : {}) }),
    createEndpointProxiesController({ devCertificates: deps.devCertificates }),
    createHealthController({ prober: deps.prober }),
    createProcessesController({ runner: deps.runner, baseDir: deps.baseDir, ...(deps.gracePeriodMs !== undefined ? { gracePeriodMs: deps.gracePeriodMs } : {}) }),
    createReplicasController({ ports: deps.ports, parameters: deps.parameters, devCertificates: deps.devCertificates }),
    ...(deps.postgres ? [createDatabasesController({ postgres: deps.postgres })] : []),
    createEndpointsController({ ports: deps.ports }),
    ...(deps.logs ? [createLogRetentionController({ logs: deps.logs })] : []),
    createNamespacesController({ ...(deps.namespacedKinds ? { kinds: deps.namespacedKinds } : {}) }),
  ];
}

export { createNamespacesController, createLogRetentionController, createReplicasController, createEndpointsController, createHealthController, createProcessesController, createEndpointProxiesController, createProxiesController };
