// What the workloads share: deploying their WfSpec, the process fleet, sampling, result shape.
import type { PutWfSpecRequest } from '@filly/proto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { connect } from '../../tests/harness/grpc-client.ts';
import { sleepMs } from '../clock.ts';
import { pick, type BenchArgs } from '../cli-args.ts';
import { Fleet, type PhaseRequest } from '../fleet.ts';
import { ProcSampler, type ProcSample } from '../proc-sampler.ts';
import { phaseFigures, type PhaseFigures } from '../report.ts';
import { benchTaskDef } from '../specs.ts';
import { BENCH_TASK_DEF } from '../task-input.ts';
import type { Target } from '../target.ts';

export interface WorkloadContext {
  args: BenchArgs;
  target: Target;
}

export interface WorkloadResult {
  title: string;
  /** False when the server refused the WfSpec as not supported yet: nothing was measured. */
  supported: boolean;
  message?: string;
  settings: Record<string, unknown>;
  phases: PhaseFigures[];
  /** The workload's headline numbers (also inside phases). */
  figures: Record<string, unknown>;
  procSamples: ProcSample[];
  /** An SVG document to write beside the JSON. */
  svg?: string;
}

export interface Workload {
  title: string;
  run(ctx: WorkloadContext): Promise<WorkloadResult>;
}

/** The server refused a WfSpec because it uses something it cannot run yet. */
export class NotSupportedYet extends Error {}

/** How long an instance may take to see metadata another instance wrote (kafka mode). */
const METADATA_VISIBLE_TIMEOUT_MS = 30_000;

/**
 * Registers the bench TaskDef and the workload's WfSpec on the first instance, then waits until
 * every instance can read both: in kafka mode the others follow the metadata changelog, and a
 * RunWf that reached one of them first would be refused.
 */
export async function deploy(ctx: WorkloadContext, spec: PutWfSpecRequest): Promise<void> {
  const client = connect(ctx.target.address, { tenant: ctx.args.tenant, deadlineMs: 30_000 });
  try {
    await client.call.putTaskDef(benchTaskDef());
    try {
      await client.call.putWfSpec(spec);
    } catch (err) {
      const e = err as ServiceError;
      if (e.code === status.INVALID_ARGUMENT && /does not run|not supported|not implemented/i.test(e.details ?? e.message)) {
        throw new NotSupportedYet(e.details ?? e.message);
      }
      throw err;
    }
  } finally {
    client.close();
  }
  await Promise.all(ctx.target.addresses.map((a) => waitForMetadata(a, ctx.args.tenant, spec.name)));
}

async function waitForMetadata(address: string, tenant: string | undefined, wfSpecName: string): Promise<void> {
  const client = connect(address, { tenant, deadlineMs: 5_000 });
  const deadline = Date.now() + METADATA_VISIBLE_TIMEOUT_MS;
  let last: unknown;
  try {
    while (Date.now() < deadline) {
      try {
        await client.call.getTaskDef({ name: BENCH_TASK_DEF });
        await client.call.getLatestWfSpec({ name: wfSpecName });
        return;
      } catch (err) {
        last = err;
      }
      await sleepMs(100);
    }
    throw new Error(`${address} did not see WfSpec ${wfSpecName} within ${METADATA_VISIBLE_TIMEOUT_MS} ms: ${(last as Error | undefined)?.message ?? ''}`);
  } finally {
    client.close();
  }
}

export interface FleetSettings {
  clients: number;
  workers: number;
  workerCredits: number;
}

export function fleetSettings(args: BenchArgs): FleetSettings {
  return {
    clients: pick(args.clients, args.smoke, 1, 1),
    workers: pick(args.workers, args.smoke, 1, 1),
    workerCredits: pick(args.workerCredits, args.smoke, 32, 256),
  };
}

export interface Running {
  fleet: Fleet;
  sampler: ProcSampler;
}

/** Starts the fleet and a sampler of its processes, runs `body`, and always cleans up. */
export async function withFleet<T>(
  ctx: WorkloadContext,
  wfSpecName: string,
  staticVariables: Record<string, unknown>,
  body: (r: Running) => Promise<T>,
): Promise<{ value: T; samples: ProcSample[] }> {
  const fs = fleetSettings(ctx.args);
  const t = ctx.target;
  const fleet = await Fleet.start({
    addresses: t.addresses, expectHosts: t.addresses.length, tenant: ctx.args.tenant, ...fs, taskDefName: BENCH_TASK_DEF, wfSpecName, staticVariables,
  });
  if (t.addresses.length > 1) console.log(`  workers poll: ${[...new Set(fleet.workerHosts.flat())].sort().join(', ')}`);
  const pids = fleet.pids();
  const sampler = new ProcSampler({ servers: () => t.serverPids(), broker: () => t.brokerPid(), clients: pids.clients, workers: pids.workers });
  try {
    const value = await body({ fleet, sampler });
    return { value, samples: sampler.stop() };
  } finally {
    sampler.stop();
    fleet.close();
  }
}

/** Settings shared by every workload, for the result file. */
export function commonSettings(args: BenchArgs): Record<string, unknown> {
  return {
    ...fleetSettings(args),
    target: args.targets?.join(',') ?? (args.mode === 'kafka' ? 'kafka cluster started by the bench' : 'embedded'),
    tenant: args.tenant ?? 'default',
    smoke: args.smoke,
  };
}

export function notSupported(title: string, settings: Record<string, unknown>, message: string): WorkloadResult {
  return { title, supported: false, message, settings, phases: [], figures: {}, procSamples: [] };
}

/** Warm-up and measured time from the flags; smoke runs are short. */
export function phaseTiming(args: BenchArgs, smokeDurationSec = 1.5): { warmupMs: number; durationMs: number } {
  return {
    warmupMs: pick(args.warmupSec, args.smoke, 0.3, 3) * 1000,
    durationMs: pick(args.durationSec, args.smoke, smokeDurationSec, 20) * 1000,
  };
}

/**
 * The shape of a workload that measures one phase on a fresh fleet (W2, W3, W5): run it, and
 * answer with its figures plus the headline numbers `pickFigures` takes from them.
 */
export async function singlePhaseResult(
  ctx: WorkloadContext,
  title: string,
  settings: Record<string, unknown>,
  wfSpecName: string,
  staticVariables: Record<string, unknown>,
  label: string,
  request: PhaseRequest,
  pickFigures: (phase: PhaseFigures) => Record<string, unknown>,
): Promise<WorkloadResult> {
  const { value: outcome, samples } = await withFleet(ctx, wfSpecName, staticVariables, ({ fleet }) => fleet.runPhase(request));
  const phase = phaseFigures(label, request.mode, outcome);
  return measuredResult(title, settings, [phase], pickFigures(phase), samples);
}

/** The result of a workload that ran: its phases, headline figures and process samples. */
export function measuredResult(
  title: string,
  settings: Record<string, unknown>,
  phases: PhaseFigures[],
  figures: Record<string, unknown>,
  procSamples: ProcSample[],
): WorkloadResult {
  return { title, supported: true, settings, phases, figures, procSamples };
}
