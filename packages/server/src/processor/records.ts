// The codecs of every record the processor stores. Public objects are stored exactly as the API
// returns them (before masking), so a Get is a single read with no translation.
import {
  ExternalEvent,
  ExternalEventDef,
  NodeRun,
  Principal,
  ScheduledTask,
  ScheduledWfRun,
  TaskDef,
  TaskRun,
  Tenant,
  UserTaskDef,
  UserTaskDefId,
  UserTaskRun,
  Variable,
  WfRun,
  WfSpec,
  WorkflowMigrationPlan,
} from '@filly/proto';
import { AttemptTimerPointer, StoredTimer } from '@filly/proto/internal';
import { Checkpoint, CorrelatedEvent, WorkflowEvent, WorkflowEventDef } from '@filly/proto';
import { CorrelationMarker } from '@filly/proto/internal';
import {
  CorrelatedEventIndexEntry,
  ExternalEventIndexEntry,
  NodeRunIndexEntry,
  TaskRunIndexEntry,
  UserTaskRunIndexEntry,
  VariableIndexEntry,
  WorkflowEventIndexEntry,
} from '@filly/proto/internal';
import { StructDef } from '@filly/proto';
import { InactiveThreadRun } from '@filly/proto';
import type { RecordCodec } from './context.ts';
import { encodeShared, type WriterEncoder } from './shared-writer.ts';

interface ProtoFns<T> extends WriterEncoder<T> {
  decode(input: Uint8Array): T;
}

function codec<T>(name: string, fns: ProtoFns<T>, sharedWhenRead = false): RecordCodec<T> {
  return {
    name,
    encode: (value) => encodeShared(fns, value),
    decode: (bytes) => fns.decode(bytes),
    sharedWhenRead,
  };
}

/** A metadata codec whose decoded records are shared, frozen, between commands (RecordCodec). */
const sharedCodec = <T>(name: string, fns: ProtoFns<T>): RecordCodec<T> => codec(name, fns, true);

export const Records = {
  taskDef: sharedCodec('TaskDef', TaskDef),
  wfSpec: sharedCodec('WfSpec', WfSpec),
  externalEventDef: sharedCodec('ExternalEventDef', ExternalEventDef),
  structDef: sharedCodec('StructDef', StructDef),
  tenant: codec('Tenant', Tenant),
  principal: codec('Principal', Principal),
  wfRun: codec('WfRun', WfRun),
  nodeRun: codec('NodeRun', NodeRun),
  taskRun: codec('TaskRun', TaskRun),
  variable: codec('Variable', Variable),
  externalEvent: codec('ExternalEvent', ExternalEvent),
  scheduledTask: codec('ScheduledTask', ScheduledTask),
  timer: codec('StoredTimer', StoredTimer),
  attemptTimerPointer: codec('AttemptTimerPointer', AttemptTimerPointer),
  userTaskDef: sharedCodec('UserTaskDef', UserTaskDef),
  /** Pointer to the newest version of a UserTaskDef. */
  userTaskDefPointer: codec('UserTaskDefIdPointer', UserTaskDefId),
  userTaskRun: codec('UserTaskRun', UserTaskRun),
  workflowEventDef: sharedCodec('WorkflowEventDef', WorkflowEventDef),
  workflowEvent: codec('WorkflowEvent', WorkflowEvent),
  correlatedEvent: codec('CorrelatedEvent', CorrelatedEvent),
  correlationMarker: codec('CorrelationMarker', CorrelationMarker),
  checkpoint: codec('Checkpoint', Checkpoint),
  scheduledWfRun: codec('ScheduledWfRun', ScheduledWfRun),
  workflowMigrationPlan: codec('WorkflowMigrationPlan', WorkflowMigrationPlan),
  /** A finished ThreadRun archived out of its WfRun. */
  inactiveThreadRun: codec('InactiveThreadRun', InactiveThreadRun),
} as const;

/** Entries of the secondary indexes (keys.ts "secondary indexes"; processor/search-index/). */
export const IndexRecords = {
  nodeRun: codec('NodeRunIndexEntry', NodeRunIndexEntry),
  taskRun: codec('TaskRunIndexEntry', TaskRunIndexEntry),
  userTaskRun: codec('UserTaskRunIndexEntry', UserTaskRunIndexEntry),
  variable: codec('VariableIndexEntry', VariableIndexEntry),
  externalEvent: codec('ExternalEventIndexEntry', ExternalEventIndexEntry),
  workflowEvent: codec('WorkflowEventIndexEntry', WorkflowEventIndexEntry),
  correlatedEvent: codec('CorrelatedEventIndexEntry', CorrelatedEventIndexEntry),
} as const;
