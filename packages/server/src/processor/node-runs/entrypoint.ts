// ENTRYPOINT: the first NodeRun of every thread (position 0); done as soon as it is reached.
import type { NodeKind } from './kind.ts';

export const entrypointKind: NodeKind = {
  create: () => ({ $case: 'entrypoint', value: {} }),
  arrive: () => undefined,
  checkCompleted: () => true,
  // Never in progress long enough to be asked; an in-progress NodeRun cannot halt by default.
  canHalt: () => false,
};
