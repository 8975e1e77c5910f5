// The messages the coordinator exchanges with its load-client and worker processes over the
// fork IPC channel ('advanced' serialization, so plain objects and arrays only).
import type { HistogramSnapshot } from './histogram.ts';

/** Times of one phase, in monotonic microseconds (clock.ts nowUs), shared by all processes. */
export interface PhaseWindow {
  /** Load starts. */
  startUs: number;
  /** Samples whose start is before this are warm-up and not recorded. */
  measureFromUs: number;
  /** Load stops (open and closed loops); samples started later are not recorded. */
  endUs: number;
}

export interface ClientInit {
  type: 'init';
  /** Every instance of the server: RunWf and GetWfRun calls go round-robin over them. */
  addresses: string[];
  tenant: string | undefined;
  /** This process's number, 0-based; carried in every WfRun as variable `client`. */
  index: number;
  wfSpecName: string;
  /** Extra RunWf variables, in proto JSON form (e.g. { items: { jsonArr: '[1,2]' } }). */
  staticVariables: Record<string, unknown>;
}

export type LoadMode =
  | { kind: 'closed'; concurrency: number }
  | { kind: 'open'; ratePerSec: number; offsetUs: number }
  | { kind: 'burst'; total: number; concurrency: number };

export interface ClientPhase {
  type: 'phase';
  window: PhaseWindow;
  mode: LoadMode;
  /** 'run-get': every other request is a GetWfRun of a WfRun this process started. */
  mix: 'run' | 'run-get';
  /** Requests in flight before the open loop counts a send as skipped. */
  maxInFlight: number;
  /** Keep each started WfRun's id and server start time (W4 joins them with task deliveries). */
  recordStarts: boolean;
}

export type ToClient = ClientInit | ClientPhase | { type: 'credit'; n: number } | { type: 'stop' };

export interface ClientStats {
  /** RunWf calls made in the phase. */
  runs: number;
  /** RunWf calls the server accepted. */
  accepted: number;
  gets: number;
  /** Open loop: sends that were due while maxInFlight requests were outstanding. */
  skipped: number;
  errors: Record<string, number>;
  /** Intended send → reply, microseconds, for requests intended inside the measured window. */
  runWfUs: HistogramSnapshot;
  getWfRunUs: HistogramSnapshot;
  /** [wfRunId, server start time in epoch ms], when recordStarts. */
  starts: Array<[string, number]>;
}

export type FromClient =
  | { type: 'ready' }
  | { type: 'phase-done'; stats: ClientStats }
  | { type: 'fatal'; message: string };

export interface WorkerInit {
  type: 'init';
  /** Where the worker sends RegisterTaskWorker (it picks one by its index); it polls what that answers. */
  addresses: string[];
  /** Ready only once RegisterTaskWorker names at least this many hosts (the cluster's instances). */
  expectHosts: number;
  tenant: string | undefined;
  index: number;
  taskDefName: string;
  /** PollTask credits: tasks this process holds at once, split over the hosts it polls. */
  credits: number;
}

export interface WorkerPhase {
  type: 'phase';
  window: PhaseWindow;
  /** Check every n-th completed WfRun with a GetWfRun (0: never). */
  verifyEvery: number;
  /** Keep [wfRunId, delivery epoch ms, task created epoch ms] of every final task (W4). */
  recordRuns: boolean;
}

export type ToWorker = WorkerInit | WorkerPhase | { type: 'collect' } | { type: 'stop' };

export interface WorkerStats {
  /** Tasks delivered in the phase, and those delivered inside the measured window. */
  tasks: number;
  tasksInWindow: number;
  /** WfRuns completed (final task reported), and those reported inside the measured window. */
  completed: number;
  completedInWindow: number;
  reportErrors: Record<string, number>;
  /** RunWf intended send → first task delivered. */
  deliverUs: HistogramSnapshot;
  /** Previous task's report sent → this task delivered (multi-step workflows). */
  hopUs: HistogramSnapshot;
  /** RunWf intended send → final task's report acknowledged (the WfRun is then COMPLETED). */
  completeUs: HistogramSnapshot;
  /** Completion latency per second of the phase (second since window.startUs, by report time). */
  series: Array<[number, HistogramSnapshot]>;
  /** [wfRunId, delivery epoch ms, task created_at epoch ms], when recordRuns. */
  runs: Array<[string, number, number]>;
  /** GetWfRun checks after completion: how many, and the statuses seen. */
  verified: number;
  verifiedStatuses: Record<string, number>;
}

export type FromWorker =
  /** `hosts`: the instances it polls. */
  | { type: 'ready'; hosts: string[] }
  | { type: 'phase-ready' }
  | { type: 'credits'; byClient: Array<[number, number]> }
  | { type: 'progress'; tasks: number; completed: number }
  | { type: 'collected'; stats: WorkerStats }
  | { type: 'fatal'; message: string };
