// The server under load: by default a fresh embedded Filly (Node 24 running the server's source,
// a temporary data directory, free loopback ports), or an already running one (--target).
import { startServer } from '../tests/harness/server-process.ts';

export interface Target {
  address: string;
  /** pid of the server when we started it (for RSS and CPU sampling). */
  pid(): number | undefined;
  embedded: boolean;
  stop(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d{1,5}$/;

export async function openTarget(target: string | undefined): Promise<Target> {
  if (target !== undefined) {
    // The bench floods whatever it points at; keep it to this machine.
    if (!LOOPBACK.test(target)) throw new Error(`--target must be a loopback host:port (127.0.0.1:2023, localhost:2023), got "${target}"`);
    return { address: target, pid: () => undefined, embedded: false, stop: async () => undefined };
  }
  const server = await startServer({ env: { FILLY_LOG_LEVEL: 'warn' }, readyTimeoutMs: 60_000 });
  return { address: server.address, pid: () => server.pid(), embedded: true, stop: () => server.stop() };
}
