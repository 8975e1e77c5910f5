// The few parts of the Temporal TypeScript SDK the peer uses, loaded at run time: the packages
// are optional (only the peer run needs them), so the bench builds and runs without them and the
// peer says what to install instead of failing.

export const TEMPORAL_PACKAGES = ['@temporalio/client@1.24.0', '@temporalio/worker@1.24.0', '@temporalio/workflow@1.24.0', '@temporalio/activity@1.24.0'];

export interface TemporalClientSdk {
  Connection: { connect(options: { address: string }): Promise<{ close(): Promise<void> }> };
  Client: new (options: { connection: unknown; namespace?: string }) => {
    workflow: {
      execute(workflow: string, options: { taskQueue: string; workflowId: string; args: unknown[] }): Promise<unknown>;
    };
  };
}

export interface TemporalWorkerSdk {
  Runtime: { install(options: { logger: unknown }): void };
  DefaultLogger: new (level: 'WARN' | 'ERROR' | 'INFO') => unknown;
  NativeConnection: { connect(options: { address: string }): Promise<{ close(): Promise<void> }> };
  Worker: {
    create(options: Record<string, unknown>): Promise<{ run(): Promise<void>; shutdown(): void }>;
  };
}

function missing(err: unknown): string {
  const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return `the Temporal TypeScript SDK is not installed (${why}); add ${TEMPORAL_PACKAGES.join(', ')}`;
}

// The specifiers are variables so that TypeScript does not need the packages' types.
const CLIENT_MODULE = '@temporalio/client';
const WORKER_MODULE = '@temporalio/worker';

export async function loadTemporalClient(): Promise<TemporalClientSdk | string> {
  try {
    return (await import(CLIENT_MODULE)) as TemporalClientSdk;
  } catch (err) {
    return missing(err);
  }
}

export async function loadTemporalWorker(): Promise<TemporalWorkerSdk | string> {
  try {
    return (await import(WORKER_MODULE)) as TemporalWorkerSdk;
  } catch (err) {
    return missing(err);
  }
}
