// What a command that talks to a running apphost needs: the client (from the kubeconfig it finds),
// the kinds the server serves, and the namespace to use.
import type { Command } from 'commander';
import { ApiClient } from './api-client.ts';
import { findKubeconfig } from './kubeconfig.ts';
import { Kinds } from './kinds.ts';

export interface GlobalOptions {
  kubeconfig?: string;
  namespace?: string;
}

export interface Session {
  client: ApiClient;
  /** -n, else the kubeconfig context's namespace, else `default`. */
  namespace: string;
  kinds(): Promise<Kinds>;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export async function openSession(options: GlobalOptions): Promise<Session> {
  const path = findKubeconfig({ explicit: options.kubeconfig });
  const client = await ApiClient.fromKubeconfig(path);
  // As kubectl does: every warning of the server on stderr.
  client.onWarning = (text) => process.stderr.write(`Warning: ${text}\n`);
  let kinds: Promise<Kinds> | undefined;
  return {
    client,
    namespace: options.namespace || client.namespace,
    kinds: () => (kinds ??= Kinds.discover(client)),
    out: process.stdout,
    err: process.stderr,
  };
}

/** Runs `fn` with a session built from the command's global options, and closes it after. */
export async function withSession<T>(cmd: Command, fn: (s: Session) => Promise<T>): Promise<T> {
  const s = await openSession(cmd.optsWithGlobals<GlobalOptions>());
  try {
    return await fn(s);
  } finally {
    s.client.close();
  }
}

/** Resolves on Ctrl+C / SIGTERM; gives an AbortSignal for streams. */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
