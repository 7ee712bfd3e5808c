// Messages between apphost and its proxy worker processes (JSON over the fork IPC channel).
// apphost binds every listening socket itself and sends the handles; a worker only accepts on
// them, so each connection is served by whichever process the kernel hands it to.
import type { ProxyBackend, ProxyOptions, ProxyPolicy, ProxyStats, WhenNoBackend } from './types.ts';

/** What a worker needs to run its copy of one proxy (no logger: it cannot cross processes). */
export type WorkerProxyOptions = Omit<ProxyOptions, 'logger' | 'engine'>;

export type ToWorker =
  /** Precedes `start`: one message per listening handle (IPC carries one handle per message). */
  | { op: 'handle'; id: string; index: number }
  | { op: 'start'; id: string; options: WorkerProxyOptions; addresses: string[]; port: number; handles: number }
  | { op: 'backends'; id: string; backends: ProxyBackend[] }
  | { op: 'policy'; id: string; policy: ProxyPolicy; clientIPAffinity?: boolean }
  | { op: 'whenNoBackend'; id: string; mode: WhenNoBackend }
  | { op: 'close'; id: string };

export type FromWorker =
  | { op: 'ready' }
  | { op: 'started'; id: string }
  | { op: 'stats'; id: string; stats: ProxyStats }
  | { op: 'closed'; id: string }
  | { op: 'failed'; id: string; message: string };
