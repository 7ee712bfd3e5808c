// The docker controllers (networks, containers) for the host: on unless turned off. With no Docker
// Engine answering they still run, so container Resources say exactly that (DockerUnavailable, and
// how to fix it) and start by themselves once dockerd is back; executables are unaffected.
import type { Logger } from 'pino';
import { createContainersController, LABELS, type AppIdentity } from '../../controllers/containers/index.ts';
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

export interface DockerControllers {
  controllers: ControllerDefinition[];
  /**
   * Kills (no grace) the running session containers of this instance, for a second Ctrl+C; the
   * containers controller's shutdown then removes them without waiting out their grace period.
   */
  killSessionContainers(): Promise<void>;
  /** Why the Docker Engine does not answer (undefined when it does, or when docker is off). */
  unavailable(): Promise<string | undefined>;
}

export async function createDockerControllers(mode: boolean | 'auto', options: DockerControllersOptions): Promise<DockerControllers> {
  if (mode === false) return { controllers: [], killSessionContainers: async () => undefined, unavailable: async () => undefined };
  const log = options.logger.child({ component: 'docker' });
  const runtime = createDockerRuntime({ logger: log, pingTimeoutMs: 1500 });
  const killSessionContainers = async () => {
    if (!(await runtime.available())) return;
    const mine = await runtime.listContainers({ labels: [`${LABELS.instance}=${options.app.instanceId}`, `${LABELS.lifetime}=Session`] });
    await Promise.all(
      mine
        .filter((c) => c.state === 'running')
        .map((c) => runtime.stopContainer(c.id, { graceSeconds: 0 }).catch((err: unknown) => log.warn({ err, container: c.name }, 'could not kill container'))),
    );
  };
  const controllers = [
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
  const unavailable = () => runtime.ping().then(() => undefined, (err: unknown) => (err instanceof Error ? err.message : String(err)));
  return { controllers, killSessionContainers, unavailable };
}
