// A load-generating process: starts WfRuns (and, for W5, reads them back) at the pace the
// coordinator asks for. Latency is measured from the INTENDED send time, so a stalled client or
// server shows up as latency instead of silently slowing the load (coordinated omission). Calls
// go over raw-unary.ts, so that the client's own garbage collection stays out of the figures.
import { RunWfRequest, VariableValue, WfRun, WfRunId } from '@filly/proto';
import { status } from '@grpc/grpc-js';
import { nowUs } from '../clock.ts';
import { Histogram } from '../histogram.ts';
import type { ClientInit, ClientPhase, ClientStats, ToClient } from '../messages.ts';
import { intValue } from '../task-input.ts';
import { fatal, listenToParent, sendToParent } from './ipc.ts';
import { RawUnaryClient, type CallError } from './raw-unary.ts';

const RPC_DEADLINE_MS = 30_000;
/** Wait for in-flight calls at the end of a phase at most this long. */
const DRAIN_TIMEOUT_MS = RPC_DEADLINE_MS + 5_000;
/** The open loop wakes up this often and sends everything that fell due. */
const OPEN_LOOP_TICK_MS = 1;
/** Sends one tick may make; more would starve the event loop of replies. */
const MAX_SENDS_PER_TICK = 5_000;
/** WfRun ids kept for GetWfRun in the run-get mix. */
const RECENT_IDS = 1_024;
const MAX_RECORDED_STARTS = 1_000_000;

let init: ClientInit | undefined;
let clients: RawUnaryClient[] = [];
let nextClient = 0;
let staticVariables: Record<string, VariableValue> = {};

let phase: ClientPhase | undefined;
let stats: ClientStats | undefined;
const runWfUs = new Histogram();
const getWfRunUs = new Histogram();
let inFlight = 0;
let credits = 0;
let sentInPhase = 0;
let stopSending = false;
let pumpScheduled = false;
const recentIds: string[] = [];
let recentNext = 0;

function emptyStats(): ClientStats {
  return { runs: 0, accepted: 0, gets: 0, skipped: 0, errors: {}, runWfUs: runWfUs.snapshot(), getWfRunUs: getWfRunUs.snapshot(), starts: [] };
}

function countError(err: CallError): void {
  if (stats === undefined) return;
  const name = status[err.code] ?? String(err.code);
  stats.errors[name] = (stats.errors[name] ?? 0) + 1;
}

function inWindow(intendedUs: number): boolean {
  return phase !== undefined && intendedUs >= phase.window.measureFromUs && intendedUs < phase.window.endUs;
}

/** The instance for the next call. */
function pickClient(): RawUnaryClient | undefined {
  const c = clients[nextClient];
  nextClient = (nextClient + 1) % Math.max(1, clients.length);
  return c;
}

function sendRunWf(intendedUs: number, done: (ok: boolean) => void): void {
  const client = pickClient();
  if (init === undefined || client === undefined || stats === undefined) throw new Error('client not initialised');
  const s = stats;
  const req: RunWfRequest = {
    wfSpecName: init.wfSpecName,
    variables: { ...staticVariables, client: intValue(init.index), sent: intValue(intendedUs) },
  };
  s.runs++;
  inFlight++;
  client.call('RunWf', RunWfRequest.encode(req).finish(), RPC_DEADLINE_MS, (err, reply) => {
    inFlight--;
    const ackUs = nowUs();
    if (err !== null || reply === undefined) {
      if (err !== null) countError(err);
      done(false);
      return;
    }
    s.accepted++;
    if (inWindow(intendedUs)) runWfUs.record(ackUs - intendedUs);
    const run = WfRun.decode(reply);
    const id = run.id?.id;
    if (id !== undefined) {
      recentIds[recentNext] = id;
      recentNext = (recentNext + 1) % RECENT_IDS;
      if (phase?.recordStarts === true && run.startTime !== undefined && s.starts.length < MAX_RECORDED_STARTS) {
        s.starts.push([id, Number(run.startTime.seconds) * 1000 + run.startTime.nanos / 1e6]);
      }
    }
    done(true);
  });
}

function sendGetWfRun(intendedUs: number, id: string): void {
  const client = pickClient();
  if (client === undefined || stats === undefined) throw new Error('client not initialised');
  const s = stats;
  s.gets++;
  inFlight++;
  client.call('GetWfRun', WfRunId.encode({ id }).finish(), RPC_DEADLINE_MS, (err) => {
    inFlight--;
    if (err !== null) return countError(err);
    if (inWindow(intendedUs)) getWfRunUs.record(nowUs() - intendedUs);
  });
}

/** Closed loop and burst: keep `credits` WfRuns going; a credit comes back when one completes. */
function pump(): void {
  pumpScheduled = false;
  const p = phase;
  if (p === undefined || stopSending) return;
  const burst = p.mode.kind === 'burst' ? p.mode : undefined;
  let budget = MAX_SENDS_PER_TICK;
  while (credits > 0 && budget-- > 0) {
    const now = nowUs();
    if (burst === undefined && now >= p.window.endUs) break;
    if (burst !== undefined && sentInPhase >= burst.total) break;
    credits--;
    sentInPhase++;
    // A burst has nothing to wait for but the reply; a closed loop waits for the WfRun to finish.
    sendRunWf(now, (ok) => {
      if (!ok || burst !== undefined) {
        credits++;
        schedulePump();
      }
    });
  }
  if (budget < 0) schedulePump();
}

function schedulePump(): void {
  if (pumpScheduled) return;
  pumpScheduled = true;
  setImmediate(pump);
}

async function runOpenLoop(p: ClientPhase, ratePerSec: number, offsetUs: number): Promise<void> {
  const intervalUs = 1e6 / ratePerSec;
  let i = 0;
  let getTurn = false;
  while (!stopSending) {
    const now = nowUs();
    let budget = MAX_SENDS_PER_TICK;
    let intended = p.window.startUs + offsetUs + i * intervalUs;
    while (intended <= now && intended < p.window.endUs && budget-- > 0) {
      if (inFlight >= p.maxInFlight) {
        if (stats !== undefined) stats.skipped++;
      } else if (p.mix === 'run-get' && getTurn && recentIds.length > 0) {
        sendGetWfRun(intended, recentIds[(recentNext + RECENT_IDS - 1) % RECENT_IDS] ?? recentIds[0]!);
      } else {
        sendRunWf(intended, () => undefined);
      }
      getTurn = !getTurn;
      i++;
      intended = p.window.startUs + offsetUs + i * intervalUs;
    }
    if (intended >= p.window.endUs) return;
    await new Promise((r) => setTimeout(r, OPEN_LOOP_TICK_MS));
  }
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadlineMs) await new Promise((r) => setTimeout(r, 5));
}

/** Sleeps until a monotonic time; timers may wake a little early, so the last stretch spins. */
async function untilUs(tUs: number): Promise<void> {
  const coarseMs = (tUs - nowUs()) / 1000 - 2;
  if (coarseMs > 0) await new Promise((r) => setTimeout(r, coarseMs));
  for (let i = 0; i < 100_000 && nowUs() < tUs; i++) await new Promise((r) => setImmediate(r));
}

async function runPhase(p: ClientPhase): Promise<void> {
  phase = p;
  runWfUs.reset();
  getWfRunUs.reset();
  stats = emptyStats();
  sentInPhase = 0;
  stopSending = false;
  await untilUs(p.window.startUs);
  const mode = p.mode;
  if (mode.kind === 'open') {
    await runOpenLoop(p, mode.ratePerSec, mode.offsetUs);
  } else {
    credits = mode.concurrency;
    pump();
    if (mode.kind === 'closed') {
      await untilUs(p.window.endUs);
    } else {
      await waitUntil(() => sentInPhase >= mode.total && inFlight === 0, 24 * 3600 * 1000);
    }
  }
  stopSending = true;
  credits = 0;
  await waitUntil(() => inFlight === 0, DRAIN_TIMEOUT_MS);
  const done: ClientStats = { ...stats, runWfUs: runWfUs.snapshot(), getWfRunUs: getWfRunUs.snapshot() };
  sendToParent({ type: 'phase-done', stats: done });
}

listenToParent<ToClient>((msg) => {
  switch (msg.type) {
    case 'init': {
      if (msg.addresses.length === 0) throw new Error('no server address');
      init = msg;
      clients = msg.addresses.map((a) => new RawUnaryClient(a, msg.tenant));
      // Start each process on a different instance, so that one client per instance spreads too.
      nextClient = msg.index % clients.length;
      staticVariables = Object.fromEntries(Object.entries(msg.staticVariables).map(([k, v]) => [k, VariableValue.fromJSON(v)]));
      Promise.all(clients.map((c) => c.ready(10_000))).then(() => sendToParent({ type: 'ready' }), fatal);
      break;
    }
    case 'phase':
      runPhase(msg).catch(fatal);
      break;
    case 'credit':
      if (phase?.mode.kind === 'closed' && !stopSending) {
        credits += msg.n;
        schedulePump();
      }
      break;
    case 'stop':
      for (const c of clients) c.close();
      process.exit(0);
  }
});
