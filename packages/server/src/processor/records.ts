// The codecs of every record the processor stores. Public objects are stored exactly as the API
// returns them (before masking), so a Get is a single read with no translation.
import {
  ExternalEvent,
  ExternalEventDef,
  NodeRun,
  Principal,
  ScheduledTask,
  TaskDef,
  TaskRun,
  Tenant,
  Variable,
  WfRun,
  WfSpec,
} from '@filly/proto';
import { StoredTimer } from '@filly/proto/internal';
import type { RecordCodec } from './context.ts';

interface ProtoFns<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

function codec<T>(name: string, fns: ProtoFns<T>): RecordCodec<T> {
  return {
    name,
    encode: (value) => fns.encode(value).finish(),
    decode: (bytes) => fns.decode(bytes),
  };
}

export const Records = {
  taskDef: codec('TaskDef', TaskDef),
  wfSpec: codec('WfSpec', WfSpec),
  externalEventDef: codec('ExternalEventDef', ExternalEventDef),
  tenant: codec('Tenant', Tenant),
  principal: codec('Principal', Principal),
  wfRun: codec('WfRun', WfRun),
  nodeRun: codec('NodeRun', NodeRun),
  taskRun: codec('TaskRun', TaskRun),
  variable: codec('Variable', Variable),
  externalEvent: codec('ExternalEvent', ExternalEvent),
  scheduledTask: codec('ScheduledTask', ScheduledTask),
  timer: codec('StoredTimer', StoredTimer),
} as const;
