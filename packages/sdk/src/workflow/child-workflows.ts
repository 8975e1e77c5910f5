import type { VariableAssignment } from '@filly/proto';
import type { ThreadInternals } from './compile-context.ts';
import { assignmentOf, type AnyValue, type ValueSource } from './expression.ts';
import { NodeOutput } from './node-output.ts';

/** Upstream's RunChildWfNode major version meaning "the latest". */
export const LATEST_MAJOR_VERSION = -1;

/** Bound on inputs of one child WfRun. */
const MAX_CHILD_INPUTS = 1_000;

/** A child WfRun started by runWf(); its output is the child's WfRunId. */
export class SpawnedChildWf extends NodeOutput<'WF_RUN_ID'> {
  /** The thread whose RUN_CHILD_WF node started it: only that thread can wait for it. */
  readonly threadName: string;

  /** @internal */
  constructor(nodeName: string, t: ThreadInternals) {
    super(nodeName, 'WF_RUN_ID', t.access);
    this.threadName = t.threadName;
  }
}

/**
 * Starts a child WfRun of `wfSpec` (a WfSpec name, or a STR value naming one at run
 * time), latest major version, with `inputs` as its variables.
 */
export function runWf(t: ThreadInternals, wfSpec: string | ValueSource<'STR'> | ValueSource<'ANY'>, inputs: Readonly<Record<string, AnyValue>>): SpawnedChildWf {
  t.assertActive();
  const keys = Object.keys(inputs);
  if (keys.length > MAX_CHILD_INPUTS) throw new Error(`a child WfRun may have at most ${MAX_CHILD_INPUTS} inputs`);
  const assigned: Record<string, VariableAssignment> = {};
  for (const key of keys) assigned[key] = assignmentOf(inputs[key]);
  let nodeName: string;
  if (typeof wfSpec === 'string') {
    if (wfSpec.length === 0) throw new Error('a WfSpec name must not be empty');
    nodeName = t.graph.addNode(`run-${wfSpec}`, {
      $case: 'runChildWf',
      value: { wfSpec: { $case: 'wfSpecName', value: wfSpec }, majorVersion: LATEST_MAJOR_VERSION, inputs: assigned },
    });
    t.ctx.childWfSpecNames.add(wfSpec);
  } else {
    nodeName = t.graph.addNode('run-child-wf', {
      $case: 'runChildWf',
      value: { wfSpec: { $case: 'wfSpecVar', value: wfSpec.toAssignment() }, majorVersion: LATEST_MAJOR_VERSION, inputs: assigned },
    });
  }
  return new SpawnedChildWf(nodeName, t);
}

/** Waits for a child WfRun started in this thread; the output is the child's output. */
export function waitForChildWf(t: ThreadInternals, child: SpawnedChildWf): NodeOutput<'ANY'> {
  t.assertActive();
  if (child.threadName !== t.threadName) throw new Error('cannot wait for a child WfRun started in another thread');
  const nodeName = t.graph.addNode('wait', {
    $case: 'waitForChildWf',
    value: { childWfRunId: { source: { $case: 'nodeOutput', value: { nodeName: child.nodeName } } }, childWfRunSourceNode: child.nodeName },
  });
  return new NodeOutput(nodeName, 'ANY', t.access);
}
