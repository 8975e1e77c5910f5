// Gauges of what the engine holds right now, read when /metrics is scraped (prom-client
// `collect`), so keeping them costs the engine nothing between scrapes. A source leaves out what
// its engine cannot tell; a gauge without a source is not registered at all, rather than
// reporting a made-up 0.
import { Gauge, type Registry } from 'prom-client';

export interface QueuedTaskCount {
  tenant: string;
  taskDefName: string;
  tasks: number;
}

export interface EngineGaugeSource {
  /** Commands accepted by submit() and not yet taken into a batch. */
  pendingCommands?: () => number;
  /** WfRuns whose state is held in the engine's cache. */
  cachedWfRuns?: () => number;
  /** Timers held in memory waiting for their due time. */
  timersLoaded?: () => number;
  /** Timers that came due and whose command has not been applied yet. */
  timersFiring?: () => number;
  /** Tasks waiting for a poller, per (tenant, TaskDef) queue of this instance. */
  queuedTasks?: () => Iterable<QueuedTaskCount>;
}

export const ENGINE_GAUGE_NAMES = {
  pendingCommands: 'filly_submit_queue_commands',
  cachedWfRuns: 'filly_cached_wf_runs',
  timersLoaded: 'filly_timers_loaded',
  timersFiring: 'filly_timers_firing',
  queuedTasks: 'filly_task_queue_tasks',
} as const;

/** One scrape shows at most this many TaskDef queues (the fullest); the rest are summed apart. */
export const MAX_TASK_QUEUE_SERIES = 500;

/** Registers a gauge for each thing `source` can tell; returns the names registered. */
export function registerEngineGauges(registry: Registry, source: EngineGaugeSource): string[] {
  const registers = [registry];
  const names: string[] = [];
  const simple = (name: string, help: string, read: (() => number) | undefined): void => {
    if (read === undefined) return;
    names.push(name);
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  };
  const n = ENGINE_GAUGE_NAMES;
  simple(n.pendingCommands, 'Commands waiting in the engine\'s submit queue for the next batch.', source.pendingCommands);
  simple(n.cachedWfRuns, 'WfRuns whose state the engine holds in its in-memory cache.', source.cachedWfRuns);
  simple(n.timersLoaded, 'Timers held in memory, waiting for their due time (the rest stay in the store).', source.timersLoaded);
  simple(n.timersFiring, 'Timers that came due and whose command is on its way through the engine.', source.timersFiring);
  const queued = source.queuedTasks;
  if (queued !== undefined) {
    names.push(n.queuedTasks);
    new Gauge({
      name: n.queuedTasks,
      help: `Tasks waiting for a worker, per tenant and TaskDef, on this server (the ${MAX_TASK_QUEUE_SERIES} fullest queues; the others together under task_def="" and tenant="").`,
      labelNames: ['tenant', 'task_def'],
      registers,
      collect() {
        // Queues come and go with their tasks: start each scrape from nothing.
        this.reset();
        const counts = [...queued()].sort((a, b) => b.tasks - a.tasks);
        let rest = 0;
        counts.forEach((c, i) => {
          if (i < MAX_TASK_QUEUE_SERIES) this.set({ tenant: c.tenant, task_def: c.taskDefName }, c.tasks);
          else rest += c.tasks;
        });
        if (counts.length > MAX_TASK_QUEUE_SERIES) this.set({ tenant: '', task_def: '' }, rest);
      },
    });
  }
  return names;
}
