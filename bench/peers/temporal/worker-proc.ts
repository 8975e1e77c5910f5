// The Temporal peer's worker process: runs the workflows and the activity for one task queue,
// as the Filly bench runs its task worker in a process of its own. Started by run-peer.ts with
// the server address and task queue; says {type:'ready'} when polling, stops on {type:'stop'}.
import { fileURLToPath } from 'node:url';
import { loadTemporalWorker } from './sdk.ts';

/** One machine-wide wall clock with sub-millisecond resolution (both marks come from here). */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The activity: reports when it was delivered and when it finished (= its report is sent). */
async function benchTask(_step: number): Promise<{ startMs: number; endMs: number }> {
  const startMs = nowMs();
  return { startMs, endMs: nowMs() };
}

async function main(): Promise<void> {
  const [address, taskQueue, concurrencyRaw] = process.argv.slice(2);
  if (address === undefined || taskQueue === undefined) throw new Error('usage: worker-proc.ts host:port taskQueue [maxConcurrent]');
  const maxConcurrent = Number(concurrencyRaw ?? '256');
  const sdk = await loadTemporalWorker();
  if (typeof sdk === 'string') throw new Error(sdk);
  // The SDK logs every state change at INFO; the bench's output is its figures.
  sdk.Runtime.install({ logger: new sdk.DefaultLogger('WARN') });
  const connection = await sdk.NativeConnection.connect({ address });
  const worker = await sdk.Worker.create({
    connection,
    namespace: 'default',
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./workflows.js', import.meta.url)),
    activities: { benchTask },
    maxConcurrentActivityTaskExecutions: maxConcurrent,
    maxConcurrentWorkflowTaskExecutions: maxConcurrent,
  });
  process.on('message', (m: { type?: string }) => {
    if (m.type === 'stop') worker.shutdown();
  });
  const running = worker.run();
  process.send?.({ type: 'ready' });
  await running;
  await connection.close();
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(`temporal worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
