// Invariants over stored records. RecordWatch sees every store write batch with the values it
// replaces (live commands and replay alike) and checks that WfRun / ThreadRun / NodeRun / task
// attempt statuses only make legal moves and that records agree with themselves; checkSearchIndex
// checks that the WfRun search index (processor/wf-run/search-index.ts) matches the WfRuns.
import { LHStatus, NodeRun, TaskRun, WfRun, type WfRunId } from '@filly/proto';
import { WfRunSearchEntry } from '@filly/proto/internal';
import { msFromTs } from '../processor/wf-run/time.ts';
import { wfRunKey, wfRunSearchKey } from '../store/keys.ts';
import { groupPrefixOfKey, unesc } from '../store/key-space.ts';
import type { KvEntry, KvWrite } from '../store/kv-store.ts';
import { ATTEMPT_INITIAL, illegalTransition, lhStatusName, RETRYABLE, taskStatusName } from './status-transitions.ts';
import { InvariantViolation } from './sim-types.ts';

type RecordKind = 'wfrun' | 'noderun' | 'taskrun';

/** The kind of a WfRun-group record key (the component after the group prefix). */
export function recordKindOf(key: string): RecordKind | undefined {
  const prefix = groupPrefixOfKey(key);
  if (prefix === undefined || !key.startsWith('/w/', prefix.indexOf('/', 2))) return undefined;
  const rest = key.slice(prefix.length);
  const kind = rest.slice(0, rest.indexOf('/'));
  return kind === 'wfrun' || kind === 'noderun' || kind === 'taskrun' ? kind : undefined;
}

export function isWfRunSearchKey(key: string): boolean {
  const parts = key.split('/');
  return parts[0] === 'c' && parts[2] === 'x' && parts[4] === 'wfrun';
}

function fail(invariant: string, message: string): never {
  throw new InvariantViolation(invariant, message);
}

/** Checks one store write: each changed record against its previous value. */
export function checkWrite(w: KvWrite, before: Uint8Array | undefined): void {
  const kind = recordKindOf(w.key);
  if (kind === undefined || w.value === null) return;
  switch (kind) {
    case 'wfrun':
      return checkWfRun(w.key, before === undefined ? undefined : WfRun.decode(before), WfRun.decode(w.value));
    case 'noderun':
      return checkNodeRun(w.key, before === undefined ? undefined : NodeRun.decode(before), NodeRun.decode(w.value));
    case 'taskrun':
      return checkTaskRun(w.key, before === undefined ? undefined : TaskRun.decode(before), TaskRun.decode(w.value));
  }
}

function checkWfRun(key: string, before: WfRun | undefined, after: WfRun): void {
  const entry = after.threadRuns.find((t) => t.number === 0);
  // Upstream moves the WfRun to HALTED only once thread 0 has halted: meanwhile it stays RUNNING.
  const halting = entry?.status === LHStatus.HALTING && after.status === LHStatus.RUNNING;
  if (entry !== undefined && entry.status !== after.status && !halting) {
    fail('wf-run-mirrors-entrypoint', `${key}: WfRun is ${lhStatusName(after.status)} but thread 0 is ${lhStatusName(entry.status)}`);
  }
  if (before === undefined) return;
  const bad = illegalTransition('WfRun', before.status, after.status);
  if (bad) fail('status-transition', `${key}: ${bad}`);
  for (const t of after.threadRuns) {
    const prev = before.threadRuns.find((p) => p.number === t.number);
    if (prev === undefined) continue;
    const badThread = illegalTransition('ThreadRun', prev.status, t.status);
    if (badThread) fail('status-transition', `${key} thread ${t.number}: ${badThread}`);
  }
}

function checkNodeRun(key: string, before: NodeRun | undefined, after: NodeRun): void {
  if (before === undefined) return;
  const bad = illegalTransition('NodeRun', before.status, after.status);
  if (bad) fail('status-transition', `${key}: ${bad}`);
}

function checkTaskRun(key: string, before: TaskRun | undefined, after: TaskRun): void {
  const latest = after.attempts[after.attempts.length - 1];
  if (latest === undefined) fail('task-run-shape', `${key}: a TaskRun without attempts`);
  if (after.status !== latest.status) {
    fail('task-run-shape', `${key}: TaskRun is ${taskStatusName(after.status)} but its latest attempt is ${taskStatusName(latest.status)}`);
  }
  if (after.attempts.length > after.totalAttempts) {
    fail('task-run-shape', `${key}: ${after.attempts.length} attempts, but only ${after.totalAttempts} allowed`);
  }
  for (let i = 1; i < after.attempts.length; i++) {
    const prev = after.attempts[i - 1]!.status;
    if (!RETRYABLE.has(prev)) fail('task-run-shape', `${key}: attempt ${i} follows an attempt that ended ${taskStatusName(prev)}`);
  }
  const known = before?.attempts.length ?? 0;
  if (after.attempts.length < known) fail('status-transition', `${key}: attempts went from ${known} to ${after.attempts.length}`);
  for (let i = 0; i < known; i++) {
    const bad = illegalTransition('TaskAttempt', before!.attempts[i]!.status, after.attempts[i]!.status);
    if (bad) fail('status-transition', `${key} attempt ${i}: ${bad}`);
  }
  // A brand-new attempt starts PENDING, SCHEDULED or failed on its inputs, and the same store
  // write may already show it claimed or finished; only those two steps are checked above.
  for (let i = known; i < after.attempts.length; i++) {
    const s = after.attempts[i]!.status;
    if (s === undefined || (!ATTEMPT_INITIAL.has(s) && illegalTransition('TaskAttempt', 0, s) !== undefined)) {
      fail('status-transition', `${key} attempt ${i} appeared as ${taskStatusName(s)}`);
    }
  }
}

/** Partition and tenant of a WfRun record key (c/ppp/w/tenant/root/wfrun/id). */
function placeOf(key: string): { partition: number; tenant: string } {
  const parts = key.split('/');
  return { partition: Number(parts[1]), tenant: unesc(parts[3]!) };
}

function expectedEntries(key: string, run: WfRun): Map<string, WfRunSearchEntry> {
  const { partition, tenant } = placeOf(key);
  const id: WfRunId = run.id ?? fail('search-index', `${key}: WfRun without an id`);
  const startMs = msFromTs(run.startTime) ?? 0;
  const entry: WfRunSearchEntry = {
    id,
    status: run.status,
    majorVersion: run.wfSpecId?.majorVersion ?? 0,
    revision: run.wfSpecId?.revision ?? 0,
  };
  return new Map([
    [wfRunSearchKey(partition, tenant, undefined, startMs, id), entry],
    [wfRunSearchKey(partition, tenant, run.wfSpecId?.name ?? '', startMs, id), entry],
  ]);
}

/**
 * The search index matches the WfRuns exactly: every WfRun has its two entries with its status
 * and version, and no entry is left without its WfRun.
 */
export function checkSearchIndex(rows: readonly KvEntry[]): void {
  const expected = new Map<string, { entry: WfRunSearchEntry; owner: string }>();
  const actual = new Map<string, Uint8Array>();
  for (const row of rows) {
    if (isWfRunSearchKey(row.key)) actual.set(row.key, row.value);
    else if (recordKindOf(row.key) === 'wfrun') {
      for (const [k, entry] of expectedEntries(row.key, WfRun.decode(row.value))) expected.set(k, { entry, owner: row.key });
    }
  }
  for (const [k, { entry, owner }] of expected) {
    const bytes = actual.get(k);
    if (bytes === undefined) fail('search-index', `WfRun ${owner} has no search entry ${k}`);
    const got = WfRunSearchEntry.decode(bytes);
    if (got.status !== entry.status || got.majorVersion !== entry.majorVersion || got.revision !== entry.revision) {
      fail('search-index', `entry ${k} says ${lhStatusName(got.status)} v${got.majorVersion}.${got.revision}, WfRun is ${lhStatusName(entry.status)} v${entry.majorVersion}.${entry.revision}`);
    }
  }
  for (const k of actual.keys()) if (!expected.has(k)) fail('search-index', `search entry ${k} has no WfRun`);
}

/** Every stored record is consistent in itself (the checks of checkWrite without a before). */
export function checkAllRecords(rows: readonly KvEntry[]): void {
  for (const row of rows) checkWrite({ key: row.key, value: row.value }, undefined);
  checkSearchIndex(rows);
}

/** WfRunId from its string form (ancestors first, joined by '_'), as keys.wfRunIdString writes it. */
function wfRunIdFromString(s: string): WfRunId {
  let id: WfRunId | undefined;
  for (const part of s.split('_')) id = { id: part, parentWfRunId: id };
  if (id === undefined) fail('search-index', `empty WfRun id in an index key`);
  return id;
}

/** The WfRun record key a search entry key points at. */
function ownerOfSearchKey(key: string): string {
  const parts = key.split('/');
  const idString = unesc(parts[parts.length - 1]!);
  return wfRunKey(Number(parts[1]), unesc(parts[3]!), wfRunIdFromString(idString));
}

/** The incremental form of checkSearchIndex, for the WfRuns and entries one write batch touched. */
export function checkSearchIndexAfterWrite(
  batch: readonly KvWrite[],
  before: ReadonlyArray<Uint8Array | undefined>,
  peek: (key: string) => Uint8Array | undefined,
): void {
  const owners = new Set<string>();
  batch.forEach((w, i) => {
    if (isWfRunSearchKey(w.key)) owners.add(ownerOfSearchKey(w.key));
    else if (recordKindOf(w.key) === 'wfrun') {
      owners.add(w.key);
      const prev = before[i];
      if (prev === undefined) return;
      const now = peek(w.key);
      const still = now === undefined ? new Map() : expectedEntries(w.key, WfRun.decode(now));
      for (const k of expectedEntries(w.key, WfRun.decode(prev)).keys()) {
        if (!still.has(k) && peek(k) !== undefined) fail('search-index', `search entry ${k} outlived its WfRun's change at ${w.key}`);
      }
    }
  });
  for (const owner of owners) {
    const bytes = peek(owner);
    if (bytes === undefined) continue;
    for (const [k, entry] of expectedEntries(owner, WfRun.decode(bytes))) {
      const got = peek(k);
      if (got === undefined) fail('search-index', `WfRun ${owner} has no search entry ${k}`);
      const e = WfRunSearchEntry.decode(got);
      if (e.status !== entry.status || e.majorVersion !== entry.majorVersion || e.revision !== entry.revision) {
        fail('search-index', `entry ${k} says ${lhStatusName(e.status)}, WfRun ${owner} is ${lhStatusName(entry.status)}`);
      }
    }
  }
  for (const w of batch) {
    if (!isWfRunSearchKey(w.key) || w.value === null) continue;
    if (peek(ownerOfSearchKey(w.key)) === undefined) fail('search-index', `search entry ${w.key} was written without its WfRun`);
  }
}
