// Samples memory and CPU of the processes in a run once a second, from /proc (Linux only; on
// other systems the samples are simply empty).
import fs from 'node:fs';

/** Kernel clock ticks per second of /proc/<pid>/stat times; 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SEC = 100;
const MAX_SAMPLES = 24 * 3600;

export interface ProcSample {
  /** Seconds since the sampler started. */
  tSec: number;
  /** Of all server instances together. */
  serverRssMb: number | undefined;
  /** CPU used since the previous sample, in percent of one core; all server instances together. */
  serverCpuPct: number | undefined;
  /** Per server instance (kafka mode has several), in the order of the target's addresses. */
  serversRssMb: Array<number | undefined>;
  serversCpuPct: Array<number | undefined>;
  /**
   * Per server: share of the interval its main thread (the event loop) was runnable but waiting
   * for a CPU (/proc/<pid>/schedstat). High when other work on the machine crowds it out.
   */
  serversRunQueuePct: Array<number | undefined>;
  /** The Kafka broker, when it runs on this machine. */
  brokerRssMb: number | undefined;
  brokerCpuPct: number | undefined;
  clientsCpuPct: number | undefined;
  workersCpuPct: number | undefined;
}

export interface PidGroups {
  servers: () => number[];
  broker: () => number | undefined;
  clients: number[];
  workers: number[];
}

function rssMb(pid: number): number | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** Nanoseconds the main thread has waited on a run queue (second field of /proc/<pid>/schedstat). */
function runQueueNs(pid: number): number | undefined {
  try {
    const wait = Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
    return Number.isFinite(wait) ? wait : undefined;
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; fields after it are space-separated.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}

const round1 = (x: number | undefined): number | undefined => (x === undefined ? undefined : Math.round(x * 10) / 10);

function sumOf(xs: Array<number | undefined>): number | undefined {
  if (xs.length === 0 || xs.some((x) => x === undefined)) return undefined;
  return xs.reduce<number>((a, x) => a + (x ?? 0), 0);
}

export class ProcSampler {
  readonly samples: ProcSample[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #startMs = Date.now();
  #last: { ms: number; ticks: Map<number, number | undefined>; waits: Map<number, number | undefined> } | undefined;

  constructor(groups: PidGroups, intervalMs = 1_000) {
    const take = (): void => {
      const ms = Date.now();
      const servers = groups.servers();
      const broker = groups.broker();
      const all = [...servers, ...(broker === undefined ? [] : [broker]), ...groups.clients, ...groups.workers];
      const ticks = new Map<number, number | undefined>(all.map((pid) => [pid, cpuTicks(pid)]));
      const waits = new Map<number, number | undefined>(servers.map((pid) => [pid, runQueueNs(pid)]));
      const last = this.#last;
      const pct = (pid: number): number | undefined => {
        const a = ticks.get(pid);
        const b = last?.ticks.get(pid);
        if (last === undefined || a === undefined || b === undefined) return undefined;
        return Math.round(((a - b) / CLOCK_TICKS_PER_SEC / ((ms - last.ms) / 1000)) * 1000) / 10;
      };
      const groupPct = (pids: number[]): number | undefined => round1(sumOf(pids.map(pct)));
      const waitPct = (pid: number): number | undefined => {
        const a = waits.get(pid);
        const b = last?.waits.get(pid);
        if (last === undefined || a === undefined || b === undefined) return undefined;
        return round1(((a - b) / 1e6 / (ms - last.ms)) * 100);
      };
      if (last !== undefined && this.samples.length < MAX_SAMPLES) {
        const serversRss = servers.map((pid) => round1(rssMb(pid)));
        const serversCpu = servers.map(pct);
        this.samples.push({
          tSec: Math.round((ms - this.#startMs) / 100) / 10,
          serverRssMb: round1(sumOf(serversRss)),
          serverCpuPct: round1(sumOf(serversCpu)),
          serversRssMb: serversRss,
          serversCpuPct: serversCpu,
          serversRunQueuePct: servers.map(waitPct),
          brokerRssMb: broker === undefined ? undefined : round1(rssMb(broker)),
          brokerCpuPct: broker === undefined ? undefined : pct(broker),
          clientsCpuPct: groupPct(groups.clients),
          workersCpuPct: groupPct(groups.workers),
        });
      }
      this.#last = { ms, ticks, waits };
    };
    take();
    this.#timer = setInterval(take, intervalMs);
    this.#timer.unref();
  }

  stop(): ProcSample[] {
    clearInterval(this.#timer);
    return this.samples;
  }
}
