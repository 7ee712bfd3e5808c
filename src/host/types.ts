// Public types of the apphost assembly.
import type { Logger } from 'pino';
import type { KubeObject } from '../api/types.ts';
import type { Store } from '../api/store.ts';
import type { LogStore } from '../platform/logs/types.ts';
import type { Client, ControllerDefinition } from '../runtime/types.ts';
import type { AppliedObject } from './apply-manifests.ts';

export interface StartApphostOptions {
  /** The project folder: `.apphost/` (kubeconfig, process records) lives here. */
  dir: string;
  /** Application name; default: the folder's basename. */
  name?: string;
  /** Applied (create or update) once the controllers run. */
  manifests?: KubeObject[];
  /** Folders of extra CustomResourceDefinitions (users' own kinds). */
  crdDirs?: string[];
  /** Users' own controllers, started beside the built-in ones. */
  controllers?: ControllerDefinition[];
  logger?: Logger;
  /** Port of the HTTPS API server on 127.0.0.1; default any free port. */
  apiPort?: number;
  /** SIGTERM-to-SIGKILL grace for replicas (a Resource's stopGracePeriodSeconds wins). Default 10 s. */
  gracePeriodMs?: number;
  /**
   * Start the docker controllers (containers, networks): true, false, or 'auto' (default: when a
   * Docker Engine answers).
   */
  docker?: boolean | 'auto';
}

export interface Apphost {
  readonly name: string;
  readonly projectHash: string;
  /** `<pid>-<start time>` of this process: labels containers, names process records. */
  readonly instanceId: string;
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly store: Store;
  /** In-process API client (admitted and validated like HTTP writes). */
  readonly client: Client;
  /** Captured replica output, by `<namespace>/<replica>`. */
  readonly logs: LogStore;
  /** What applying options.manifests did. */
  readonly applied: AppliedObject[];
  /** Applies more manifests (create or update). */
  apply(objects: KubeObject[]): Promise<AppliedObject[]>;
  /**
   * Stop accepting writes, stop replicas (grace, then kill), close proxies, remove session
   * containers and networks. Idempotent.
   */
  stop(): Promise<void>;
  /** Between SIGTERM and SIGKILL for each replica on stop (default 10 000 ms). */
  readonly gracePeriodMs: number;
  /** Replica processes still running (`id` is `<namespace>/<replica>`). */
  processes(): { id: string; pid: number }[];
  /**
   * Kills every replica process group and session container now, without grace (a second
   * Ctrl+C): a `stop()` in progress then finishes its clean-up at once.
   */
  kill(): Promise<void>;
}
