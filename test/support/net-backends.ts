// Real sockets for the proxy tests: small backends on 127.0.0.1 port 0 and client helpers.
import dgram from 'node:dgram';
import net from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

export interface TestBackend {
  name: string;
  port: number;
  /** Connections accepted so far. */
  accepted: number;
  /** Open sockets (closed by close()). */
  sockets: Set<Socket>;
  close(): Promise<void>;
}

export type BackendBehaviour = (socket: Socket, name: string) => void;

/** Greets with `<name>\n`, then echoes. */
export const greetAndEcho: BackendBehaviour = (socket, name) => {
  socket.write(`${name}\n`);
  socket.pipe(socket);
};

/** Reads until the client half-closes, then answers `<name>:<what it read>` and ends. */
export const answerAfterEnd: BackendBehaviour = (socket, name) => {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('end', () => socket.end(`${name}:${Buffer.concat(chunks).toString()}`));
};

export async function startBackend(name: string, behaviour: BackendBehaviour = greetAndEcho, host = '127.0.0.1'): Promise<TestBackend> {
  const sockets = new Set<Socket>();
  const backend: TestBackend = {
    name,
    port: 0,
    accepted: 0,
    sockets,
    close: () => closeServer(server, sockets),
  };
  const server: Server = net.createServer({ allowHalfOpen: true }, (socket) => {
    backend.accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    behaviour(socket, name);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  backend.port = (server.address() as AddressInfo).port;
  return backend;
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function connect(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, allowHalfOpen: true }, () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves with the first line received. */
export function readLine(socket: Socket, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => done(new Error(`no line within ${timeoutMs} ms (got ${JSON.stringify(buf)})`)), timeoutMs);
    const onData = (c: Buffer): void => {
      buf += c.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) done(undefined, buf.slice(0, i));
    };
    const onEnd = (): void => done(new Error(`ended before a line (got ${JSON.stringify(buf)})`));
    const done = (err?: Error, line?: string): void => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('close', onEnd);
      if (err) reject(err);
      else resolve(line!);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
  });
}

/** Everything until the peer ends (or the socket closes). */
export function readToEnd(socket: Socket, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error(`no end within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    const finish = (): void => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString());
    };
    socket.once('end', finish);
    socket.once('close', finish);
  });
}

/** Resolves when the socket closes, with the error code that closed it (if any). */
export function closed(socket: Socket, timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve(undefined);
    let code: string | undefined;
    const timer = setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      code = err.code;
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(code);
    });
    // The peer's FIN: finish our side too, so the socket closes (clients here allow half-open).
    socket.once('end', () => socket.end());
    socket.resume();
  });
}

/** Writes a line and resolves with the echoed line. */
export async function roundTrip(socket: Socket, line: string): Promise<string> {
  const reply = readLine(socket);
  socket.write(`${line}\n`);
  return reply;
}

export async function hasIPv6Loopback(): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => server.close(() => resolve(true)));
  });
}

// ------------------------------------------------------------------ UDP

export interface UdpTestBackend {
  name: string;
  port: number;
  /** Distinct client ports seen (the proxy's upstream sockets). */
  peers: Set<number>;
  close(): Promise<void>;
}

/** Replies `<name>:<message>` to every datagram. */
export async function startUdpBackend(name: string): Promise<UdpTestBackend> {
  const socket = dgram.createSocket('udp4');
  const backend: UdpTestBackend = {
    name,
    port: 0,
    peers: new Set(),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (msg, rinfo) => {
    backend.peers.add(rinfo.port);
    socket.send(`${name}:${msg.toString()}`, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  backend.port = socket.address().port;
  return backend;
}

export interface UdpClient {
  request(message: string, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** A UDP client of host:port, sending from `from` (default: host itself). */
export async function udpClient(port: number, host = '127.0.0.1', from = host): Promise<UdpClient> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => socket.bind(0, from, resolve));
  return {
    request: (message, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.removeListener('message', onMessage);
          reject(new Error(`no UDP reply to ${message} within ${timeoutMs} ms`));
        }, timeoutMs);
        const onMessage = (msg: Buffer): void => {
          clearTimeout(timer);
          resolve(msg.toString());
        };
        socket.once('message', onMessage);
        socket.send(message, port, host);
      }),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
