// Summarises what profiled servers wrote into one directory: their V8 CPU profiles (*.cpuprofile,
// from --cpu-prof) as self time per function and per area of the code, and their waits-*.json
// (server-waits-preload.ts) as Kafka call latencies and event-loop figures, all servers merged.
// `node bench/profile/summarize.ts <dir>` prints the same for a directory kept from a run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Histogram } from '../histogram.ts';
import type { WaitsFile } from './server-waits-preload.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOP_FUNCTIONS = 25;
const MAX_FILES = 64;
/** V8's pseudo-functions: not code of ours. */
const IDLE = '(idle)';
const PSEUDO = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileTotals { file: string; durationSec: number; busySec: number; gcSec: number }
export interface SelfTime { name: string; selfMs: number; pctOfBusy: number }
export interface WaitFigures { kind: string; count: number; meanMs: number; p50Ms: number; p99Ms: number; maxMs: number }
export interface SizeFigures { kind: string; count: number; mean: number; p50: number; p99: number; max: number }

/** Monotonic microseconds (clock.ts nowUs, the clock V8's profiler stamps samples with). */
export interface ProfileWindow { fromUs: number; toUs: number }

export interface ServerProfileSummary {
  dir: string;
  /** CPU samples outside it (start-up, shut-down) were left out. */
  window: ProfileWindow | undefined;
  profiles: ProfileTotals[];
  topFunctions: SelfTime[];
  byArea: SelfTime[];
  waits: WaitFigures[];
  sizes: SizeFigures[];
  eventLoop: Array<{ pid: number; utilization: number; delayP99Ms: number; delayMaxMs: number }>;
}

/** Where a function lives, short: a server folder, a package, or Node itself. */
function areaOf(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node: internals';
  const file = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  if (pkg?.[1] !== undefined) return pkg[1];
  // Matched anywhere in the path: a copy of the tree elsewhere (a stable checkout) reads the same.
  const m = /(?:^|\/)packages\/([^/]+)\/src\/([^/]+)\//.exec(file);
  if (m !== null) return `${m[1]}/${m[2]}`;
  return path.dirname(path.relative(REPO_ROOT, file));
}

function shortWhere(url: string, line: number): string {
  if (url === '') return '';
  const file = url.replace(/^file:\/\//, '');
  const rel = file.startsWith(REPO_ROOT) ? path.relative(REPO_ROOT, file).replace(/^node_modules\//, '') : file;
  return `${rel}:${line + 1}`;
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

function ranked(m: Map<string, number>, busyMs: number, top: number): SelfTime[] {
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, ms]) => ({ name, selfMs: Math.round(ms), pctOfBusy: busyMs > 0 ? round((ms / busyMs) * 100) : 0 }));
}

function readCpuProfiles(dir: string, files: string[], window: ProfileWindow | undefined): Pick<ServerProfileSummary, 'profiles' | 'topFunctions' | 'byArea'> {
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  const profiles: ProfileTotals[] = [];
  let busyMs = 0;
  for (const f of files.filter((x) => x.endsWith('.cpuprofile')).slice(0, MAX_FILES)) {
    const p = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CpuProfile;
    const nodes = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
    const selfUs = new Map<number, number>();
    // timeDeltas[i] is the time before sample i; it belongs to the node sampled at i.
    let t = p.startTime;
    let fromUs = Math.max(p.startTime, window?.fromUs ?? -Infinity);
    let toUs = Math.min(p.endTime, window?.toUs ?? Infinity);
    if (toUs <= fromUs) [fromUs, toUs] = [p.startTime, p.endTime];
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i] ?? 0;
      t += dt;
      if (t < fromUs || t > toUs) continue;
      selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + dt);
    }
    let fileBusyMs = 0;
    let gcMs = 0;
    for (const [id, us] of selfUs) {
      const frame = nodes.get(id);
      if (frame === undefined) continue;
      const ms = us / 1000;
      if (frame.functionName === IDLE) continue;
      fileBusyMs += ms;
      if (frame.functionName === '(garbage collector)') gcMs += ms;
      const name = PSEUDO.has(frame.functionName) ? frame.functionName
        : `${frame.functionName || '(anonymous)'} ${shortWhere(frame.url, frame.lineNumber)}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
      const area = PSEUDO.has(frame.functionName) ? frame.functionName : areaOf(frame.url);
      byArea.set(area, (byArea.get(area) ?? 0) + ms);
    }
    busyMs += fileBusyMs;
    profiles.push({ file: f, durationSec: round((toUs - fromUs) / 1e6), busySec: round(fileBusyMs / 1000), gcSec: round(gcMs / 1000) });
  }
  return { profiles, topFunctions: ranked(byFunction, busyMs, TOP_FUNCTIONS), byArea: ranked(byArea, busyMs, 20) };
}

function readWaits(dir: string, files: string[]): Pick<ServerProfileSummary, 'waits' | 'sizes' | 'eventLoop'> {
  const calls = new Map<string, Histogram>();
  const sizes = new Map<string, Histogram>();
  const eventLoop: ServerProfileSummary['eventLoop'] = [];
  for (const f of files.filter((x) => /^waits-\d+\.json$/.test(x)).slice(0, MAX_FILES)) {
    const w = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as WaitsFile;
    for (const [k, snap] of Object.entries(w.callsUs)) (calls.get(k) ?? calls.set(k, new Histogram()).get(k)!).merge(snap);
    for (const [k, snap] of Object.entries(w.sizes)) (sizes.get(k) ?? sizes.set(k, new Histogram()).get(k)!).merge(snap);
    eventLoop.push({ pid: w.pid, utilization: round(w.eventLoopUtilization, 3), delayP99Ms: round(w.eventLoopDelayUs.p99 / 1000, 2), delayMaxMs: round(w.eventLoopDelayUs.max / 1000, 1) });
  }
  const waits = [...calls].sort((a, b) => a[0].localeCompare(b[0])).map(([kind, h]) => ({
    kind, count: h.count, meanMs: round(h.mean / 1000, 2), p50Ms: round(h.percentile(50) / 1000, 2), p99Ms: round(h.percentile(99) / 1000, 2), maxMs: round(h.max / 1000, 1),
  }));
  const sizeRows = [...sizes].sort((a, b) => a[0].localeCompare(b[0])).map(([kind, h]) => ({
    kind, count: h.count, mean: round(h.mean), p50: h.percentile(50), p99: h.percentile(99), max: h.max,
  }));
  return { waits, sizes: sizeRows, eventLoop };
}

/** Undefined when the directory holds nothing a server wrote (it may have been killed). */
export function summarizeServerProfile(dir: string, window?: ProfileWindow): ServerProfileSummary | undefined {
  let files: string[];
  try {
    files = fs.readdirSync(dir).sort();
  } catch {
    return undefined;
  }
  if (!files.some((f) => f.endsWith('.cpuprofile') || f.startsWith('waits-'))) return undefined;
  return { dir, window, ...readCpuProfiles(dir, files, window), ...readWaits(dir, files) };
}

export function printServerProfile(s: ServerProfileSummary): void {
  console.log(`\n  server profiles in ${s.dir}${s.window === undefined ? '' : ' (CPU: the workload only, start-up and shut-down left out)'}`);
  for (const p of s.profiles) console.log(`    ${p.file}: ${p.busySec} s on CPU in ${p.durationSec} s (${Math.round((p.busySec / Math.max(p.durationSec, 1e-9)) * 100)}% of a core; GC ${p.gcSec} s)`);
  console.log('  self time by area (share of on-CPU time, all servers):');
  for (const a of s.byArea.slice(0, 12)) console.log(`    ${String(a.pctOfBusy).padStart(5)}%  ${a.name}`);
  console.log('  top functions by self time:');
  for (const f of s.topFunctions) console.log(`    ${String(f.pctOfBusy).padStart(5)}%  ${f.name}`);
  if (s.waits.length > 0) {
    console.log('  Kafka and store calls (all servers, whole life): count, mean, p50, p99, max ms');
    for (const w of s.waits) console.log(`    ${w.kind.padEnd(36)} ${String(w.count).padStart(8)} ${String(w.meanMs).padStart(8)} ${String(w.p50Ms).padStart(8)} ${String(w.p99Ms).padStart(8)} ${String(w.maxMs).padStart(8)}`);
    for (const z of s.sizes) console.log(`    ${z.kind}: mean ${z.mean}, p50 ${z.p50}, p99 ${z.p99}, max ${z.max} (${z.count} calls)`);
  }
  for (const e of s.eventLoop) console.log(`    pid ${e.pid}: event loop busy ${Math.round(e.utilization * 100)}% of its life, delay p99 ${e.delayP99Ms} ms, max ${e.delayMaxMs} ms`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (dir === undefined) {
    console.error('usage: node bench/profile/summarize.ts <dir with *.cpuprofile and waits-*.json>');
    process.exit(2);
  }
  const s = summarizeServerProfile(path.resolve(dir));
  if (s === undefined) {
    console.error(`nothing to summarise in ${dir}`);
    process.exit(1);
  }
  printServerProfile(s);
}
