import type { WorkloadName } from '../cli-args.ts';
import type { Workload } from './common.ts';
import { w1 } from './w1-one-task.ts';
import { w2 } from './w2-sequential.ts';
import { w3 } from './w3-fan-out.ts';
import { w4 } from './w4-timers.ts';
import { w5 } from './w5-steady-api.ts';

export const WORKLOADS: Readonly<Record<WorkloadName, Workload>> = { w1, w2, w3, w4, w5 };
