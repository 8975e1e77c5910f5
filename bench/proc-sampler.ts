// Samples memory and CPU of the processes in a run once a second, from /proc (Linux only; on
// other systems the samples are simply empty).
import fs from 'node:fs';

/** Kernel clock ticks per second of /proc/<pid>/stat times; 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SEC = 100;
const MAX_SAMPLES = 24 * 3600;

export interface ProcSample {
  /** Seconds since the sampler started. */
  tSec: number;
  serverRssMb: number | undefined;
  /** CPU used since the previous sample, in percent of one core. */
  serverCpuPct: number | undefined;
  clientsCpuPct: number | undefined;
  workersCpuPct: number | undefined;
}

export interface PidGroups {
  server: () => number | undefined;
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

function sumTicks(pids: number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const t = cpuTicks(pid);
    if (t === undefined) return undefined;
    total += t;
  }
  return total;
}

export class ProcSampler {
  readonly samples: ProcSample[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #startMs = Date.now();
  #last: { ms: number; server?: number | undefined; clients?: number | undefined; workers?: number | undefined } | undefined;

  constructor(groups: PidGroups, intervalMs = 1_000) {
    const take = (): void => {
      const ms = Date.now();
      const serverPid = groups.server();
      const now = {
        ms,
        server: serverPid === undefined ? undefined : cpuTicks(serverPid),
        clients: sumTicks(groups.clients),
        workers: sumTicks(groups.workers),
      };
      const last = this.#last;
      const pct = (a: number | undefined, b: number | undefined): number | undefined =>
        last === undefined || a === undefined || b === undefined ? undefined
          : Math.round(((a - b) / CLOCK_TICKS_PER_SEC / ((ms - last.ms) / 1000)) * 1000) / 10;
      if (last !== undefined && this.samples.length < MAX_SAMPLES) {
        const rss = serverPid === undefined ? undefined : rssMb(serverPid);
        this.samples.push({
          tSec: Math.round((ms - this.#startMs) / 100) / 10,
          serverRssMb: rss === undefined ? undefined : Math.round(rss * 10) / 10,
          serverCpuPct: pct(now.server, last.server),
          clientsCpuPct: pct(now.clients, last.clients),
          workersCpuPct: pct(now.workers, last.workers),
        });
      }
      this.#last = now;
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
