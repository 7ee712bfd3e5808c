// The docker controllers (networks, containers) for the host: on unless turned off. With no Docker
// Engine answering they still run, so container Resources say exactly that (DockerUnavailable, and
// how to fix it) and start by themselves once dockerd is back; executables are unaffected.
import type { Logger } from 'pino';
import { createContainersController, type AppIdentity } from '../../controllers/containers/index.ts';
import { createNetworksController } from '../../controllers/networks/index.ts';
import { createDockerRuntime } from '../platform/docker/index.ts';
import type { LogStore } from '../platform/logs/types.ts';
import type { ControllerDefinition } from '../runtime/types.ts';

export interface DockerControllersOptions {
  app: AppIdentity;
  logs: LogStore;
  baseDir: string;
  graceMs: number;
  logger: Logger;
}

export async function createDockerControllers(mode: boolean | 'auto', options: DockerControllersOptions): Promise<ControllerDefinition[]> {
  if (mode === false) return [];
  const log = options.logger.child({ component: 'docker' });
  const runtime = createDockerRuntime({ logger: log, pingTimeoutMs: 1500 });
  return [
    createNetworksController({ runtime, app: options.app, logger: log }),
    createContainersController({
      runtime,
      app: options.app,
      logs: options.logs,
      baseDir: options.baseDir,
      gracePeriodSeconds: Math.ceil(options.graceMs / 1000),
      logger: log,
    }),
  ];
}
