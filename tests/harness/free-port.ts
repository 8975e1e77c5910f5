// Free loopback ports for servers that a test starts. The OS picks them (bind to port 0); we
// hold every socket open until all ports are known so one call never returns the same port twice.
import net from 'node:net';

const MAX_PORTS_PER_CALL = 64;

function listenOnAnyPort(): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => resolve(server));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** `count` distinct ports that were free on 127.0.0.1 a moment ago. */
export async function freePorts(count: number): Promise<number[]> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_PORTS_PER_CALL) {
    throw new RangeError(`freePorts: count must be an integer in 1..${MAX_PORTS_PER_CALL}, got ${count}`);
  }
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnAnyPort());
    return servers.map((s) => {
      const addr = s.address();
      if (addr === null || typeof addr === 'string') throw new Error('freePorts: socket has no TCP address');
      return addr.port;
    });
  } finally {
    await Promise.all(servers.map(close));
  }
}

/** One free loopback port. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('freePort: no port returned');
  return port;
}
