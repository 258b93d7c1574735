import { createServer, type Server, type Socket } from 'node:net';

export interface TestListener {
  address: string;
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/**
 * A TCP listener on a loopback address of this room's block (127.20.0.0/16),
 * on an ephemeral port; `behave` decides what each accepted connection sees.
 * close() destroys every connection it accepted.
 */
export async function listen(address: string, behave: (socket: Socket) => void, port = 0): Promise<TestListener> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    behave(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port }, () => resolve());
  });
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('listener has no TCP address');
  return {
    address,
    port: bound.port,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A greeting server: writes `greeting` (raw, line ends included) on connect, then answers
 * EHLO with 250 and QUIT with 221, so canary probes (greeting + EHLO) finish at once.
 */
export function greeter(greeting: string): (socket: Socket) => void {
  return (socket) => {
    socket.on('error', () => socket.destroy());
    socket.write(greeting);
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\n')) >= 0) {
        const verb = pending.slice(0, end).trim().split(' ')[0]?.toUpperCase();
        pending = pending.slice(end + 1);
        if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write(verb === 'EHLO' ? '250 greeter\r\n' : '502 not here\r\n');
      }
    });
  };
}

/** A port that nothing listens on at `address`: bind an ephemeral port, then release it. */
export async function unusedPort(address: string): Promise<number> {
  const listener = await listen(address, () => {});
  await listener.close();
  return listener.port;
}
