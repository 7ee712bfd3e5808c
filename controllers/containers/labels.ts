// Labels apphost puts on every container and network it creates, and how they are read back.
export const LABELS = {
  /** The apphost instance (one `up`) that created the object. */
  instance: 'apphost.dev/instance',
  /** pid of that instance's process: a session object whose pid is gone is an orphan. */
  pid: 'apphost.dev/pid',
  /** Hostname of that instance (pids only mean something on the same machine). */
  host: 'apphost.dev/host',
  app: 'apphost.dev/app',
  project: 'apphost.dev/project',
  namespace: 'apphost.dev/namespace',
  resource: 'apphost.dev/resource',
  replica: 'apphost.dev/replica',
  /** Session | Persistent. */
  lifetime: 'apphost.dev/lifetime',
  /** Hash of everything that defines a persistent container: adopt when equal, recreate when not. */
  lifecycleKey: 'apphost.dev/lifecycle-key',
} as const;

/** Identity of the running apphost, passed to the container and network controllers. */
export interface AppIdentity {
  /** Application name (`up --name`, or the folder name). */
  name: string;
  /** Hash of the project folder's absolute path. */
  projectHash: string;
  /** Unique per apphost run. */
  instanceId: string;
}

/** Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]; keep ours lower-case and DNS-friendly. */
export function sanitizeName(value: string): string {
  const s = value.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/-+$/, '');
  return s || 'app';
}

/** The labels identifying objects of this app (adopted persistent ones included). */
export function appSelector(app: AppIdentity): string[] {
  return [`${LABELS.app}=${sanitizeName(app.name)}`, `${LABELS.project}=${app.projectHash}`];
}

export function instanceLabels(app: AppIdentity, pid: number, host: string): Record<string, string> {
  return {
    [LABELS.app]: sanitizeName(app.name),
    [LABELS.project]: app.projectHash,
    [LABELS.instance]: app.instanceId,
    [LABELS.pid]: String(pid),
    [LABELS.host]: host,
  };
}
