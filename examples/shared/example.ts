// What every example shares: a client configured from LHC_* settings, workers started and
// stopped around the example, polling a WfRun until it ends, and an exit code that says
// whether the example saw what it expected (0) or not (1).
import { LHStatus, lHStatusToJSON, type Variable, type WfRun } from '@filly/proto';
import { decodeVariableValue, LHTaskWorker, LittleHorseClient, type TaskDefinition } from '@filly/sdk';

const POLL_INTERVAL_MS = 100;
const DEFAULT_WAIT_MS = 60_000;

const TERMINAL: ReadonlySet<LHStatus> = new Set([LHStatus.COMPLETED, LHStatus.ERROR, LHStatus.EXCEPTION, LHStatus.HALTED]);

/** A check the example makes on what the server did; failing one exits 1. */
export class UnexpectedOutcome extends Error {
  override readonly name = 'UnexpectedOutcome';
}

export function expect(ok: boolean, message: string): asserts ok {
  if (!ok) throw new UnexpectedOutcome(message);
}

export function statusName(status: LHStatus): string {
  return lHStatusToJSON(status);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs an example: gives it a client, then stops its workers, closes the client and exits
 * with 0, or with 1 (and the reason on stderr) when anything went wrong.
 */
export function runExample(name: string, body: (client: LittleHorseClient, workers: Workers) => Promise<void>): void {
  const client = new LittleHorseClient();
  const workers = new Workers(client);
  console.log(`[${name}] server ${client.address}`);
  body(client, workers)
    .then(
      () => 0,
      (err: unknown) => {
        console.error(`[${name}] FAILED: ${err instanceof Error ? err.message : String(err)}`);
        return 1;
      },
    )
    .then(async (code) => {
      await workers.stopAll();
      client.close();
      process.exit(code);
    });
}

/** The task workers an example runs; each TaskDef is registered before its worker starts. */
export class Workers {
  readonly #client: LittleHorseClient;
  readonly #running: LHTaskWorker[] = [];

  constructor(client: LittleHorseClient) {
    this.#client = client;
  }

  async start(...tasks: TaskDefinition[]): Promise<void> {
    for (const task of tasks) {
      const worker = new LHTaskWorker(task, this.#client, { concurrency: 4 });
      await worker.registerTaskDef();
      await worker.start();
      this.#running.push(worker);
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.#running.splice(0).map((w) => w.stop()));
  }
}

/** Polls GetWfRun until the WfRun ends (or halts); fails after timeoutMs. */
export async function waitForWfRun(client: LittleHorseClient, id: string, timeoutMs = DEFAULT_WAIT_MS): Promise<WfRun> {
  const deadline = Date.now() + timeoutMs;
  let last: WfRun | undefined;
  while (Date.now() < deadline) {
    last = await client.getWfRun({ id });
    if (TERMINAL.has(last.status)) return last;
    await sleep(POLL_INTERVAL_MS);
  }
  throw new UnexpectedOutcome(`WfRun ${id} did not finish within ${timeoutMs} ms (last status ${last !== undefined ? statusName(last.status) : 'unknown'})`);
}

/** Polls `read` until `done` holds; fails after timeoutMs. */
export async function waitUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await read();
    if (done(value)) return value;
    await sleep(POLL_INTERVAL_MS);
  }
  throw new UnexpectedOutcome(`${what} did not happen within ${timeoutMs} ms`);
}

/** The decoded value of a WfRun variable (INT as bigint, JSON parsed), null when unset. */
export async function variableOf(client: LittleHorseClient, wfRunId: string, name: string, threadRunNumber = 0): Promise<unknown> {
  const v: Variable = await client.getVariable({ wfRunId: { id: wfRunId }, threadRunNumber, name });
  return decodeVariableValue(v.value);
}
