// The host's /readyz checks, beside the API server's own (ping, log, store, shutdown): the
// controllers run, their watches are live, and - only while a Resource runs a container - the Docker
// Engine answers. Each is read when /readyz is asked, so they cost nothing in between.
import type { HealthCheck } from '../../apiserver/http/index.ts';
import type { Store } from '../api/store.ts';
import type { Manager } from '../runtime/manager.ts';
import type { DockerControllers } from './docker-controllers.ts';

export interface HostHealthSources {
  store: Store;
  /** Undefined until the manager is created. */
  manager: () => Manager | undefined;
  /** Omitted when apphost runs without the docker controllers: then there is no docker check. */
  docker?: () => Pick<DockerControllers, 'unavailable'> | undefined;
}

const list = (names: string[]) => (names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', '));

export function hostHealthChecks(sources: HostHealthSources): HealthCheck[] {
  return [
    {
      name: 'controllers',
      check() {
        const m = sources.manager();
        if (!m) return 'the controllers are not created yet';
        const waiting = m.notStarted();
        return waiting.length ? `not running: ${list(waiting)}` : undefined;
      },
    },
    {
      name: 'informer-sync',
      check() {
        const failing = sources.manager()?.failingWatches() ?? [];
        return failing.length ? `watches being re-subscribed: ${list(failing)}` : undefined;
      },
    },
    ...(sources.docker ? [dockerCheck(sources.store, sources.docker)] : []),
  ];
}

/** Only while a Resource runs a container: then a Docker Engine that does not answer fails it. */
function dockerCheck(store: Store, docker: NonNullable<HostHealthSources['docker']>): HealthCheck {
  return {
    name: 'docker',
    async check() {
      const usesContainers = store.list('Resource').items.some((r) => (r as { spec?: { container?: unknown } }).spec?.container !== undefined);
      if (!usesContainers) return undefined;
      return (await docker()?.unavailable()) ?? undefined;
    },
  };
}
