// How a Proxy's bind failure reads to users: PortInUse names who holds the port when /proc can tell.
import type { PortAllocator } from '../../src/platform/ports/types.ts';
import { isProxyError } from '../../src/platform/net/errors.ts';

export interface BindFailure {
  reason: string;
  message: string;
}

export async function describeBindFailure(err: unknown, port: number, ports?: Pick<PortAllocator, 'findHolder'>): Promise<BindFailure> {
  if (!isProxyError(err)) return { reason: 'BindFailed', message: err instanceof Error ? err.message : String(err) };
  if (err.code !== 'PortInUse' || !port || !ports) return { reason: err.code, message: err.message };
  const holder = await ports.findHolder(port).catch(() => undefined);
  return {
    reason: 'PortInUse',
    message: holder ? `${err.message} (held by pid ${holder.pid}: ${holder.command})` : err.message,
  };
}
