// PollTask: a bidirectional stream on which each request is a credit for exactly one response.
// A request waits (with no server-side timeout) until a task of its TaskDef is queued; the match
// becomes a TaskClaimEvent command, and the task is sent only after that claim commits, so the
// attempt's timeout starts at the claim. A task someone else claimed first gives an empty
// response, and the worker simply asks again.
import { ScheduledTask, type PollTaskRequest, type PollTaskResponse } from '@filly/proto';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { ApiError, Code } from '../../processor/api-error.ts';
import { callContextOf } from '../call-context.ts';
import type { IngressDeps } from '../deps.ts';
import { submit } from '../submit.ts';
import { isLhName } from '../validate.ts';
import { toServiceError } from '../status.ts';

/** Credits one stream may hold at once; more means a misbehaving client. */
const MAX_OUTSTANDING_POLLS_PER_STREAM = 1_024;

export function pollTask(deps: IngressDeps, stream: ServerDuplexStream<PollTaskRequest, PollTaskResponse>): void {
  const ctx = callContextOf(stream.metadata);
  const cancels = new Set<() => void>();
  let taskDefName: string | undefined;
  let closed = false;

  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const cancel of cancels) cancel();
    cancels.clear();
  };
  const fail = (err: ApiError): void => {
    if (closed) return;
    close();
    stream.destroy(toServiceError(err, deps.log, 'PollTask'));
  };
  const respond = (response: PollTaskResponse): void => {
    if (!closed && !stream.destroyed && stream.writable) stream.write(response);
  };

  stream.on('data', (req: PollTaskRequest) => {
    if (closed) return;
    const name = req.taskDefId?.name ?? '';
    if (taskDefName === undefined) {
      if (!isLhName(name)) return fail(new ApiError(Code.INVALID_ARGUMENT, `PollTask needs a valid task_def_id.name; got "${name.slice(0, 80)}".`));
      if (req.clientId === '') return fail(new ApiError(Code.INVALID_ARGUMENT, 'PollTask needs a client_id.'));
      taskDefName = name;
    } else if (name !== taskDefName) {
      deps.log.warn({ expected: taskDefName, got: name }, 'PollTask stream switched TaskDef; keeping the first');
    }
    if (cancels.size >= MAX_OUTSTANDING_POLLS_PER_STREAM) {
      return fail(new ApiError(Code.RESOURCE_EXHAUSTED, `More than ${MAX_OUTSTANDING_POLLS_PER_STREAM} outstanding polls on one stream; send the next request after each response.`));
    }
    const defName = taskDefName;
    // The queue may hand a task over synchronously, before waitForTask returns its cancel.
    let served = false;
    let cancel: (() => void) | undefined;
    cancel = deps.engine.tasks.waitForTask(ctx.tenant, defName, (task) => {
      served = true;
      if (cancel) cancels.delete(cancel);
      claim(task, req).then(respond, (err: unknown) => {
        deps.log.warn({ err, taskDefName: defName }, 'task claim failed; answering the poll empty');
        respond({ result: undefined });
      });
    });
    if (!served) cancels.add(cancel);
  });
  stream.on('end', () => {
    close();
    stream.end();
  });
  stream.on('error', close);
  stream.on('close', close);

  async function claim(task: ScheduledTask, req: PollTaskRequest): Promise<PollTaskResponse> {
    try {
      const response = await submit(deps, ctx, {
        $case: 'taskClaimEvent',
        value: { taskRunId: task.taskRunId, taskWorkerId: req.clientId, taskWorkerVersion: req.taskWorkerVersion },
      });
      if (response === undefined) return { result: undefined };
      return { result: ScheduledTask.decode(response) };
    } catch (err) {
      if (err instanceof ApiError && (err.code === Code.FAILED_PRECONDITION || err.code === Code.NOT_FOUND)) return { result: undefined };
      throw err;
    }
  }
}
