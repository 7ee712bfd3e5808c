// Protocol probes: after the TCP connect, one greeting the server must answer in its own protocol,
// so "ready" means the service speaks, not merely that its port is open.
//   redis     PING -> +PONG, or -NOAUTH (a password is set: it is up); -LOADING is not ready
//   postgres  a StartupMessage (protocol 3.0, user "apphost-probe") -> an authentication request
//             ('R') or an error other than 57P03 cannot_connect_now, as pg_isready judges
//   amqp      the AMQP 0-9-1 protocol header -> a method frame Connection.Start (class 10, method 10)
export type ProbeProtocol = 'redis' | 'postgres' | 'amqp';

export interface Greeting {
  request: Buffer;
  /** undefined: need more bytes; otherwise the verdict. */
  judge(reply: Buffer): { ok: boolean; message: string } | undefined;
}

function postgresStartup(): Buffer {
  const params = Buffer.from('user\0apphost-probe\0database\0postgres\0\0', 'latin1');
  const out = Buffer.alloc(8 + params.length);
  out.writeInt32BE(out.length, 0);
  out.writeInt32BE(196608, 4); // protocol 3.0
  params.copy(out, 8);
  return out;
}

/** The SQLSTATE of a Postgres ErrorResponse body (fields: code byte, cstring; 'C' is the code). */
function sqlState(body: Buffer): string | undefined {
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const field = String.fromCharCode(body[i]!);
    const end = body.indexOf(0, i + 1);
    if (end < 0) return undefined;
    if (field === 'C') return body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return undefined;
}

export const GREETINGS: Record<ProbeProtocol, () => Greeting> = {
  redis: () => ({
    request: Buffer.from('*1\r\n$4\r\nPING\r\n'),
    judge(reply) {
      const end = reply.indexOf('\r\n');
      if (end < 0) return undefined;
      const line = reply.toString('utf8', 0, end);
      if (line === '+PONG' || line.startsWith('-NOAUTH')) return { ok: true, message: `redis answered ${line.split(' ')[0]}` };
      return { ok: false, message: `redis answered ${line}` };
    },
  }),
  postgres: () => ({
    request: postgresStartup(),
    judge(reply) {
      if (reply.length < 5) return undefined;
      const type = String.fromCharCode(reply[0]!);
      if (type === 'R') return { ok: true, message: 'postgres is accepting connections' };
      if (type !== 'E') return { ok: false, message: `postgres answered an unexpected message '${type}'` };
      const len = reply.readInt32BE(1);
      if (reply.length < 1 + len) return undefined;
      const state = sqlState(reply.subarray(5, 1 + len));
      // 57P03: the database system is starting up / shutting down (pg_isready: rejecting).
      if (state === '57P03') return { ok: false, message: 'postgres is not accepting connections yet (57P03)' };
      return { ok: true, message: `postgres is accepting connections (answered ${state ?? 'an error'})` };
    },
  }),
  amqp: () => ({
    request: Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]),
    judge(reply) {
      if (reply.length >= 8 && reply.toString('latin1', 0, 4) === 'AMQP') {
        return { ok: false, message: `the server does not speak AMQP 0-9-1 (it offered ${[...reply.subarray(4, 8)].join('.')})` };
      }
      if (reply.length < 11) return undefined;
      const ok = reply[0] === 1 && reply.readUInt16BE(7) === 10 && reply.readUInt16BE(9) === 10;
      return ok ? { ok: true, message: 'amqp answered Connection.Start' } : { ok: false, message: 'amqp answered something other than Connection.Start' };
    },
  }),
};
