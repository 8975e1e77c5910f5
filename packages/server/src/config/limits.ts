// Every bound the engine enforces, in one place. Each has a configuration key (LHS_*) so an
// operator can move it; the defaults are what a user gets without asking.
export interface Limits {
  /** Largest stored record or request payload (upstream: LHS_PRODUCER_MAX_REQUEST_SIZE). */
  maxRecordBytes: number;
  /** ThreadRuns one WfRun may create before it fails with a clear error. */
  maxThreadRunsPerWfRun: number;
  /**
   * COMPLETED ThreadRuns (other than the entrypoint) a WfRun keeps inline; past this, or when the
   * WfRun nears maxThreadRunsPerWfRun, they are archived (GetInactiveThreadRun still serves them).
   */
  maxCompletedThreadRunsPerWfRun: number;
  /** Node advances one command may perform; a tighter loop than this is a WfSpec bug. */
  maxAdvanceStepsPerCommand: number;
  /** Nodes one ThreadSpec may declare. */
  maxNodesPerThreadSpec: number;
  /** Variables one ThreadSpec may declare. */
  maxVariablesPerThreadSpec: number;
  /** Nested depth accepted in JSON values. */
  maxJsonDepth: number;
  /** Commands applied and committed together in one group commit. */
  maxCommandsPerBatch: number;
  /**
   * Time one batch may spend applying commands before it is cut short (the rest wait for the
   * next batch): the engine answers nothing and fires no timer while it applies.
   */
  maxBatchApplyMs: number;
  /** Commands waiting for the log before new writes are refused with RESOURCE_EXHAUSTED. */
  maxPendingCommands: number;
  /** Default page size of List and Search calls when the caller gives none. */
  defaultPageSize: number;
  /** Largest page size a caller may ask for. */
  maxPageSize: number;
  /** WfRuns whose state is kept decoded in memory between commands. */
  maxCachedWfRuns: number;
  /** How long a unary write waits for its command to commit before DEADLINE_EXCEEDED. */
  commandTimeoutMs: number;
  /** Longest AwaitWorkflowEvent wait (upstream: 60 s); a shorter client deadline wins. */
  maxAwaitWorkflowEventMs: number;
  /** AwaitWorkflowEvent calls waiting at once on this server; more are RESOURCE_EXHAUSTED. */
  maxWorkflowEventWaiters: number;
  /** Open client connections (all listeners together); calls on more are RESOURCE_EXHAUSTED. */
  maxConnections: number;
  /** Unary calls being served at once (long polls excluded); more are RESOURCE_EXHAUSTED. */
  maxInFlightRequests: number;
  /** Open PollTask streams on this server; more are refused with RESOURCE_EXHAUSTED. */
  maxPollTaskStreams: number;
  /** Unanswered PollTask requests one stream may hold; more close it with RESOURCE_EXHAUSTED. */
  maxOutstandingPollsPerStream: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxRecordBytes: 1_047_000,
  maxThreadRunsPerWfRun: 1_000,
  maxCompletedThreadRunsPerWfRun: 200,
  maxAdvanceStepsPerCommand: 512,
  maxNodesPerThreadSpec: 2_000,
  maxVariablesPerThreadSpec: 1_000,
  maxJsonDepth: 64,
  maxCommandsPerBatch: 1_000,
  maxBatchApplyMs: 10,
  maxPendingCommands: 20_000,
  defaultPageSize: 100,
  maxPageSize: 10_000,
  maxCachedWfRuns: 10_000,
  commandTimeoutMs: 60_000,
  maxAwaitWorkflowEventMs: 60_000,
  maxWorkflowEventWaiters: 10_000,
  maxConnections: 10_000,
  maxInFlightRequests: 5_000,
  maxPollTaskStreams: 5_000,
  maxOutstandingPollsPerStream: 1_024,
};
