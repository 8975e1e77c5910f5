// Client
export { LittleHorseClient, type ClientOptions } from './client/client.ts';
export {
  loadConfig,
  ConfigError,
  CONFIG_DEFAULTS,
  type LHConfig,
  type LoadConfigOptions,
  type OAuthConfig,
  type ApiProtocol,
} from './client/config.ts';
export { OAuthTokenSource, OAuthError } from './client/oauth.ts';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './client/retry-policy.ts';
export { UNARY_METHOD_NAMES, type CallOptions, type UnaryMethodName, type RequestOf, type ResponseOf } from './client/rpc-types.ts';

// Values
export type { VarTypeName, InputJsType, OutputJsType } from './common/variable-types.ts';
export {
  toVariableValue,
  fromVariableValue,
  inferVariableValue,
  decodeVariableValue,
  ValueConversionError,
} from './common/variable-value.ts';

// Worker
export {
  defineTask,
  buildPutTaskDefRequest,
  type TaskDefinition,
  type TaskSpec,
  type TaskArgs,
  type TaskResult,
  type TaskInputSpec,
  type TaskOutputSpec,
} from './worker/task-definition.ts';
export { LHTaskWorker, type TaskWorkerOptions, type WorkerLogger } from './worker/task-worker.ts';
export { LHTaskException } from './worker/task-exception.ts';
export { WorkerContext, wfRunIdToString } from './worker/worker-context.ts';

// Workflow builder
export { Workflow, type CompiledWorkflow } from './workflow/workflow.ts';
export {
  WorkflowThread,
  type ThreadFunc,
  type ExecuteArgs,
  type ExecuteOptions,
  type SpawnedThread,
} from './workflow/workflow-thread.ts';
export { ThreadCore, type OutputTag } from './workflow/thread-core.ts';
export { WfRunVariable, type PathableTag } from './workflow/wf-run-variable.ts';
export { NodeOutput, TaskNodeOutput, type BackoffPolicy } from './workflow/node-output.ts';
export {
  ExternalEventNodeOutput,
  ThrowEventNodeOutput,
  InterruptHandler,
  type EventContentType,
  type CorrelatedEventOptions,
} from './workflow/events.ts';
export { SpawnedThreads, WaitForThreadsNodeOutput, type ThreadInputs } from './workflow/threads.ts';
export { SpawnedChildWf } from './workflow/child-workflows.ts';
export { UserTaskOutput, type StrValue } from './workflow/user-tasks.ts';
export { StructBuilder, InlineStructBuilder } from './workflow/structs.ts';
export type { ErrorTypeArg } from './workflow/failure-handling.ts';
export type {
  TypeSpec,
  StructTypeSpec,
  ArrayTypeSpec,
  MapTypeSpec,
  MapKeyType,
  TagOfSpec,
} from './workflow/type-spec.ts';
export { Condition, LHExpression, LHFormatString, type Assignable, type ValueSource, type ValueTag } from './workflow/expression.ts';
export { WorkflowIfStatement } from './workflow/branching.ts';
