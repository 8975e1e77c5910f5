// A protocol-level task worker for tests: polls one TaskDef over PollTask with a fixed number of
// credits and lets the test decide what to do with each task (report success, fail, throw a
// business exception, stay silent, report twice). Real users use the SDK's worker.
import { LHErrorType, TaskStatus, type ScheduledTask, type VariableValue, type PollTaskResponse, type ReportTaskRun } from '@filly/proto';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { TestClient } from './grpc-client.ts';

export type TaskOutcome =
  | { kind: 'success'; output?: VariableValue; log?: string }
  | { kind: 'failed'; message: string }
  | { kind: 'exception'; name: string; message: string; content?: VariableValue }
  | { kind: 'silent' };

export interface TestWorker {
  /** Tasks received, in order. */
  received: ScheduledTask[];
  stop(): void;
}

export function startTestWorker(
  client: TestClient,
  taskDefName: string,
  handle: (task: ScheduledTask) => TaskOutcome | Promise<TaskOutcome>,
  opts: { credits?: number; clientId?: string } = {},
): TestWorker {
  const received: ScheduledTask[] = [];
  const clientId = opts.clientId ?? `test-worker-${taskDefName}`;
  const stream: ClientDuplexStream<never, PollTaskResponse> = client.raw.pollTask(client.metadata()) as never;
  let stopped = false;
  const ask = (): void => {
    if (!stopped) stream.write({ taskDefId: { name: taskDefName }, clientId, taskWorkerVersion: 'test' } as never);
  };
  stream.on('data', (res: PollTaskResponse) => {
    const task = res.result;
    if (!task) return ask();
    received.push(task);
    Promise.resolve(handle(task))
      .then((outcome) => report(client, task, outcome))
      .catch(() => undefined)
      .finally(ask);
  });
  stream.on('error', () => undefined);
  for (let i = 0; i < (opts.credits ?? 1); i++) ask();
  return {
    received,
    stop() {
      stopped = true;
      stream.cancel();
    },
  };
}

export async function report(client: TestClient, task: ScheduledTask, outcome: TaskOutcome): Promise<void> {
  if (outcome.kind === 'silent') return;
  const base = { taskRunId: task.taskRunId, time: { seconds: BigInt(Math.floor(Date.now() / 1000)), nanos: 0 }, attemptNumber: task.attemptNumber, totalCheckpoints: 0 };
  let req: ReportTaskRun;
  if (outcome.kind === 'success') {
    req = { ...base, status: TaskStatus.TASK_SUCCESS, result: { $case: 'output', value: outcome.output ?? {} },
      logOutput: outcome.log === undefined ? undefined : { value: { $case: 'str', value: outcome.log } } };
  } else if (outcome.kind === 'failed') {
    req = { ...base, status: TaskStatus.TASK_FAILED, result: { $case: 'error', value: { type: LHErrorType.TASK_FAILURE, message: outcome.message } }, logOutput: undefined };
  } else {
    req = { ...base, status: TaskStatus.TASK_EXCEPTION, result: { $case: 'exception', value: { name: outcome.name, message: outcome.message, content: outcome.content } }, logOutput: undefined };
  }
  await client.call.reportTask(req);
}
