// The node types the runtime can run, by the Node's oneof case. The WfSpec validator refuses the
// others, so meeting one here is a bug.
import type { Node } from '@filly/proto';
import type { NodeKind } from './kind.ts';
import { entrypointKind } from './entrypoint.ts';
import { exitKind } from './exit.ts';
import { taskKind } from './task.ts';
import { nopKind } from './nop.ts';
import { sleepKind } from './sleep.ts';
import { externalEventKind } from './external-event.ts';
import { userTaskKind } from './user-task.ts';
import { runChildWfKind } from './run-child-wf.ts';
import { waitForChildWfKind } from './wait-for-child-wf.ts';
import { startThreadKind } from './start-thread.ts';
import { startMultipleThreadsKind } from './start-multiple-threads.ts';
import { waitForThreadsKind } from './wait-for-threads.ts';
import { waitForConditionKind } from './wait-for-condition.ts';
import { throwEventKind } from './throw-event.ts';

export function kindOfNode(node: Node): NodeKind {
  const which = node.node?.$case;
  switch (which) {
    case 'entrypoint':
      return entrypointKind;
    case 'exit':
      return exitKind;
    case 'task':
      return taskKind;
    case 'nop':
      return nopKind;
    case 'sleep':
      return sleepKind;
    case 'externalEvent':
      return externalEventKind;
    case 'userTask':
      return userTaskKind;
    case 'runChildWf':
      return runChildWfKind;
    case 'waitForChildWf':
      return waitForChildWfKind;
    case 'startThread':
      return startThreadKind;
    case 'startMultipleThreads':
      return startMultipleThreadsKind;
    case 'waitForThreads':
      return waitForThreadsKind;
    case 'waitForCondition':
      return waitForConditionKind;
    case 'throwEvent':
      return throwEventKind;
    default:
      throw new Error(`node type ${which ?? 'unset'} is not supported by the runtime`);
  }
}
