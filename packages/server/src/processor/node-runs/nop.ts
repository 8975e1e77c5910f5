// NOP: a branching point. Upstream records its NodeRun with an (empty) entrypoint sub-structure,
// since NodeRun has no NOP member; we do the same so clients see identical NodeRuns.
import type { NodeKind } from './kind.ts';

export const nopKind: NodeKind = {
  create: () => ({ $case: 'entrypoint', value: {} }),
  arrive: () => undefined,
  checkCompleted: () => true,
  canHalt: () => false,
};
