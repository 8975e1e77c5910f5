// Waits until a kafka-mode cluster is settled: every instance knows every member (its
// RegisterTaskWorker answer names them all) and every partition is served (a GetWfRun of an id
// on that partition, asked of every instance, answers NOT_FOUND rather than UNAVAILABLE). Two
// clean rounds in a row, so a rebalance that was still under way is not mistaken for the end.
import { status, type ServiceError } from '@grpc/grpc-js';
import { partitionForKey } from '../packages/server/src/commands/partition.ts';
import { connect, type TestClient } from '../tests/harness/grpc-client.ts';
import { sleepMs } from './clock.ts';
import { BENCH_TASK_DEF } from './task-input.ts';

const PROBE_DEADLINE_MS = 5_000;
const ROUND_PAUSE_MS = 500;
const CLEAN_ROUNDS = 2;
/** Candidate ids tried per partition before giving up on covering it (murmur2 spreads ids evenly). */
const MAX_ID_TRIES = 100_000;

/** One WfRun id per partition, none of which exists. */
export function probeIds(partitions: number): string[] {
  const ids: Array<string | undefined> = new Array(partitions).fill(undefined);
  let missing = partitions;
  for (let i = 0; i < MAX_ID_TRIES * partitions && missing > 0; i++) {
    const id = `filly-bench-probe-${i}`;
    const p = partitionForKey(id, partitions);
    if (ids[p] === undefined) {
      ids[p] = id;
      missing--;
    }
  }
  if (missing > 0) throw new Error(`no probe id found for ${missing} of ${partitions} partitions`);
  return ids as string[];
}

function codeName(err: unknown): string {
  const code = (err as ServiceError).code;
  return code === undefined ? String(err) : (status[code] ?? String(code));
}

/** What is still wrong with the cluster, or undefined when this round found nothing. */
async function round(clients: TestClient[], addresses: string[], ids: string[]): Promise<string | undefined> {
  const problems: string[] = [];
  await Promise.all(clients.map(async (c, i) => {
    try {
      const r = await c.call.registerTaskWorker({ taskWorkerId: 'filly-bench-probe', taskDefId: { name: BENCH_TASK_DEF } });
      if (r.yourHosts.length < addresses.length) problems.push(`${addresses[i]} knows ${r.yourHosts.length} of ${addresses.length} instances`);
    } catch (err) {
      problems.push(`${addresses[i]} RegisterTaskWorker: ${codeName(err)}`);
    }
    const unserved: number[] = [];
    await Promise.all(ids.map(async (id, p) => {
      try {
        await c.call.getWfRun({ id, parentWfRunId: undefined });
        problems.push(`${addresses[i]}: probe WfRun ${id} exists`);
      } catch (err) {
        if ((err as ServiceError).code !== status.NOT_FOUND) unserved.push(p);
      }
    }));
    if (unserved.length > 0) problems.push(`${addresses[i]}: partitions ${unserved.sort((a, b) => a - b).join(',')} not served yet`);
  }));
  return problems.length === 0 ? undefined : problems.join('; ');
}

/** Resolves with the milliseconds it took; throws with the last problem seen after timeoutMs. */
export async function waitForSettledCluster(addresses: string[], partitions: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const ids = probeIds(partitions);
  const clients = addresses.map((a) => connect(a, { deadlineMs: PROBE_DEADLINE_MS }));
  try {
    let clean = 0;
    let last = 'no round finished';
    while (Date.now() - started < timeoutMs) {
      const problem = await round(clients, addresses, ids);
      if (problem === undefined) {
        if (++clean >= CLEAN_ROUNDS) return Date.now() - started;
      } else {
        clean = 0;
        last = problem;
      }
      await sleepMs(ROUND_PAUSE_MS);
    }
    throw new Error(`the kafka-mode cluster did not settle within ${timeoutMs} ms: ${last}`);
  } finally {
    for (const c of clients) c.close();
  }
}
