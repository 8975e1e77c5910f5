import type {
  ExponentialBackoffRetryPolicy,
  PutExternalEventDefRequest,
  PutWorkflowEventDefRequest,
  ThreadRetentionPolicy,
  VariableMutation,
} from '@filly/proto';
import type { VarTypeName } from '../common/variable-types.ts';
import type { NodeAccess } from './node-output.ts';
import type { ThreadGraph } from './thread-graph.ts';
import type { WfRunVariable } from './wf-run-variable.ts';
import type { WorkflowThread } from './workflow-thread.ts';

export type ThreadFunc = (wf: WorkflowThread) => void;

/** What a thread needs from the workflow being compiled. */
export interface CompileContext {
  /** Queues a ThreadSpec to build; throws if the name is taken. Returns the name. */
  addSubThread(name: string, func: ThreadFunc): string;
  recordMutation(m: VariableMutation): void;
  readonly defaultTimeoutSeconds: number | undefined;
  readonly defaultRetries: number;
  readonly defaultBackoff: ExponentialBackoffRetryPolicy | undefined;
  readonly defaultThreadRetention: ThreadRetentionPolicy | undefined;
  readonly taskDefNames: Set<string>;
  readonly externalEventDefNames: Set<string>;
  readonly workflowEventDefNames: Set<string>;
  readonly childWfSpecNames: Set<string>;
  /** ExternalEventDefs to create before the WfSpec (registeredAs / withEventType), by name. */
  readonly externalEventDefsToRegister: Map<string, PutExternalEventDefRequest>;
  readonly workflowEventDefsToRegister: Map<string, PutWorkflowEventDefRequest>;
}

/** The parts of a thread under construction that the feature modules (threads, user tasks...) use. */
export interface ThreadInternals {
  readonly threadName: string;
  readonly ctx: CompileContext;
  readonly graph: ThreadGraph;
  readonly access: NodeAccess;
  assertActive(): void;
  declarePrimitive<T extends VarTypeName>(name: string, type: T): WfRunVariable<T>;
}
