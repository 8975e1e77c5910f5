// SearchWfRun: walks the WfRun search index (keys.wfRunSearchKey) partition by partition, in start
// time order within each, filtering by status, version, parent and variable values. The bookmark
// names the partition and the last index key returned.
import type { LHStatus, SearchWfRunRequest, VariableMatch, WfRunId, WfRunIdList, WfSpec } from '@filly/proto';
import type { WfRunSearchEntry } from '@filly/proto/internal';
import { partitionForKey } from '../commands/partition.ts';
import { invalidArgument } from '../processor/api-error.ts';
import { latestWfSpecIn, wfSpecIn } from './wf-spec-lookup.ts';
import { Records } from '../processor/records.ts';
import { valuesEqual } from '../processor/values/equal.ts';
import { wfRunSearchEntryCodec } from '../processor/wf-run/search-index.ts';
import { msFromTs } from '../processor/wf-run/time.ts';
import * as keys from '../store/keys.ts';
import type { CallContext } from './call-context.ts';
import type { IngressDeps } from './deps.ts';
import { FOREIGN_BOOKMARK, pageSizeOf } from './pages.ts';
import { encodePartitionBookmark, parsePartitionBookmark, type PartitionPosition } from './partition-bookmark.ts';
import { requireWfRunId } from './validate.ts';

/** Index entries one call examines at most; a sparse match returns a short page and a bookmark. */
const MAX_SCANNED_PER_CALL = 50_000;
const SCAN_CHUNK = 500;
const START_DIGITS = 15;

interface Criteria {
  wfSpecName: string | undefined;
  majorVersion: number | undefined;
  revision: number | undefined;
  status: LHStatus | undefined;
  earliestMs: number | undefined;
  latestMs: number | undefined;
  parent: WfRunId | undefined;
  fullTree: boolean;
  variables: VariableMatch[];
}

export async function searchWfRun(deps: IngressDeps, ctx: CallContext, req: SearchWfRunRequest): Promise<WfRunIdList> {
  const criteria = await criteriaOf(deps, ctx, req);
  const pageSize = pageSizeOf(deps, req.limit);
  const partitions = partitionsToSearch(deps, criteria);
  let position = parsePartitionBookmark(req.bookmark, partitions);
  const results: WfRunId[] = [];
  let scanned = 0;
  let lastReturned: PartitionPosition | undefined;

  while (position !== undefined && scanned < MAX_SCANNED_PER_CALL) {
    const prefix = keys.wfRunSearchPrefix(position.partition, ctx.tenant, criteria.wfSpecName);
    if (position.afterKey !== undefined && !position.afterKey.startsWith(prefix)) {
      throw invalidArgument(FOREIGN_BOOKMARK);
    }
    const afterKey = position.afterKey ?? startKey(prefix, criteria.earliestMs);
    const rows = await deps.engine.scan(wfRunSearchEntryCodec, prefix, afterKey === undefined ? { limit: SCAN_CHUNK } : { afterKey, limit: SCAN_CHUNK });
    let partitionDone = rows.length < SCAN_CHUNK;
    for (const row of rows) {
      scanned += 1;
      if (criteria.latestMs !== undefined && startMsOfKey(row.key, prefix) > criteria.latestMs) {
        partitionDone = true;
        break;
      }
      if (!(await matches(deps, ctx, position.partition, row.value, criteria))) continue;
      // A match beyond a full page: there is more; resume after the last result returned.
      if (results.length === pageSize && lastReturned !== undefined) return { results, bookmark: encodePartitionBookmark(lastReturned) };
      if (row.value.id !== undefined) results.push(row.value.id);
      lastReturned = { partition: position.partition, afterKey: row.key };
    }
    const last = rows[rows.length - 1];
    if (partitionDone || last === undefined) {
      const next = partitions.indexOf(position.partition) + 1;
      position = next < partitions.length ? { partition: partitions[next]!, afterKey: undefined } : undefined;
    } else {
      position = { partition: position.partition, afterKey: last.key };
    }
  }
  // Out of budget: resume exactly where the scan stopped.
  return { results, bookmark: position === undefined ? undefined : encodePartitionBookmark(position) };
}

async function criteriaOf(deps: IngressDeps, ctx: CallContext, req: SearchWfRunRequest): Promise<Criteria> {
  const wfSpecName = req.wfSpecName === '' ? undefined : req.wfSpecName;
  if (wfSpecName === undefined && (req.wfSpecMajorVersion !== undefined || req.wfSpecRevision !== undefined)) {
    throw invalidArgument('Cannot provide wfSpecMajorVersion or wfSpecRevision without wfSpecName');
  }
  if (req.wfSpecRevision !== undefined && req.wfSpecMajorVersion === undefined) {
    throw invalidArgument('Cannot provide wfSpecRevision without wfSpecMajorVersion');
  }
  if (wfSpecName === undefined && req.variableFilters.length > 0) {
    throw invalidArgument('Cannot filter by variables without specifying wfSpecName');
  }
  if (wfSpecName !== undefined) {
    const spec = req.wfSpecMajorVersion !== undefined && req.wfSpecRevision !== undefined
      ? await wfSpecIn(deps, ctx.tenant, { name: wfSpecName, majorVersion: req.wfSpecMajorVersion, revision: req.wfSpecRevision })
      : await latestWfSpecIn(deps, ctx.tenant, wfSpecName, req.wfSpecMajorVersion);
    if (spec === undefined) {
      throw invalidArgument(`Couldn't find wfSpec ${wfSpecName} ${req.wfSpecMajorVersion ?? 'null'} ${req.wfSpecRevision ?? 'null'}`);
    }
    checkVariableFilters(spec, wfSpecName, req.variableFilters);
  }
  return {
    wfSpecName,
    majorVersion: req.wfSpecMajorVersion,
    revision: req.wfSpecRevision,
    status: req.status,
    earliestMs: msFromTs(req.earliestStart),
    latestMs: msFromTs(req.latestStart),
    parent: req.parentWfRunId === undefined ? undefined : requireWfRunId(req.parentWfRunId, 'parent_wf_run_id'),
    fullTree: req.showFullTree === true,
    variables: req.variableFilters,
  };
}

function checkVariableFilters(spec: WfSpec, wfSpecName: string, filters: VariableMatch[]): void {
  const entry = spec.threadSpecs[spec.entrypointThreadName];
  for (const filter of filters) {
    if (!entry?.variableDefs.some((d) => d.varDef?.name === filter.varName)) {
      throw invalidArgument(`Variable ${filter.varName} not present in main thread of workflow ${wfSpecName}`);
    }
  }
}

/** Children share their root's partition, so a search by parent reads one partition only. */
function partitionsToSearch(deps: IngressDeps, criteria: Criteria): number[] {
  if (criteria.parent !== undefined) return [partitionForKey(keys.rootWfRunId(criteria.parent), deps.engine.partitionCount)];
  return Array.from({ length: deps.engine.partitionCount }, (_, p) => p);
}

async function matches(deps: IngressDeps, ctx: CallContext, partition: number, entry: WfRunSearchEntry, c: Criteria): Promise<boolean> {
  if (entry.id === undefined) return false;
  if (c.status !== undefined && entry.status !== c.status) return false;
  if (c.majorVersion !== undefined && entry.majorVersion !== c.majorVersion) return false;
  if (c.revision !== undefined && entry.revision !== c.revision) return false;
  if (c.parent !== undefined && !descendsFrom(entry.id, c.parent, c.fullTree)) return false;
  for (const filter of c.variables) {
    const key = keys.variableKey(partition, ctx.tenant, { wfRunId: entry.id, threadRunNumber: 0, name: filter.varName });
    const variable = await deps.engine.get(Records.variable, key);
    if (variable === undefined || !valuesEqual(variable.value, filter.value)) return false;
  }
  return true;
}

function descendsFrom(id: WfRunId, parent: WfRunId, fullTree: boolean): boolean {
  const parentString = keys.wfRunIdString(parent);
  if (id.parentWfRunId === undefined) return false;
  if (keys.wfRunIdString(id.parentWfRunId) === parentString) return true;
  return fullTree && keys.wfRunIdString(id).startsWith(`${parentString}_`);
}

function startKey(prefix: string, earliestMs: number | undefined): string | undefined {
  if (earliestMs === undefined || earliestMs <= 0) return undefined;
  // Every key of a WfRun started at earliestMs sorts after this one (it continues with '/').
  return `${prefix}${String(Math.floor(earliestMs)).padStart(START_DIGITS, '0')}`;
}

function startMsOfKey(key: string, prefix: string): number {
  return Number(key.slice(prefix.length, prefix.length + START_DIGITS));
}
