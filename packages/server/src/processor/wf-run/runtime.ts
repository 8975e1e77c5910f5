// The state of one WfRun while a command is applied to it.
//
// Every record the runtime reads is decoded once and kept here, so the many small updates an
// advance makes land on one object per record. flush() writes back only the records whose bytes
// changed (or that are new), in the order they were first touched, which keeps the writes of a
// command deterministic and minimal.
import type { Node, NodeRun, ThreadRun, ThreadSpec, WfRun, WfRunId, WfSpec, WfSpecId } from '@filly/proto';
import type { ProcessorContext, RecordCodec } from '../context.ts';
import { Records } from '../records.ts';
import * as keys from '../../store/keys.ts';
import { wfSpecById } from '../metadata-reads.ts';
import { failedPrecondition } from '../api-error.ts';
import { writeWfRunSearchEntries } from './search-index.ts';
import { loadedIndexEntries, reindexFlushed } from '../search-index/update-indexes.ts';
import type { IndexEntries } from '../search-index/index-kind.ts';

interface Cached {
  codec: RecordCodec<unknown>;
  value: unknown;
  /** Bytes as loaded; undefined for a record created during this command. */
  original: Uint8Array | undefined;
  /** Index entries of the version in `original` (search-index/update-indexes.ts). */
  indexed: IndexEntries | undefined;
}

export class RunRuntime {
  readonly ctx: ProcessorContext;
  readonly wfRun: WfRun;
  readonly wfRunId: WfRunId;
  /** WfSpec versions by id string: a migrating WfRun has threads on two versions. */
  private readonly specs = new Map<string, WfSpec>();
  /** Outer advance passes made in this command; bounded by limits.maxAdvanceStepsPerCommand. */
  advancePasses = 0;
  private readonly cache = new Map<string, Cached>();
  private readonly wfRunKey: string;
  /** What the search index last saw ('' for a WfRun created by this command). */
  private indexedAs: string;

  constructor(ctx: ProcessorContext, wfRun: WfRun, wfSpec: WfSpec, loadedBytes: Uint8Array | undefined) {
    if (wfRun.id === undefined) throw new Error('WfRun without id');
    this.ctx = ctx;
    this.wfRun = wfRun;
    this.wfRunId = wfRun.id;
    this.specs.set(specKey(wfSpec.id), wfSpec);
    this.wfRunKey = keys.wfRunKey(ctx.partition, ctx.tenant, wfRun.id);
    this.cache.set(this.wfRunKey, loaded(ctx, Records.wfRun as RecordCodec<unknown>, wfRun, loadedBytes));
    this.indexedAs = loadedBytes === undefined ? '' : indexedFields(wfRun);
  }

  /** Loads a stored WfRun and its WfSpec; undefined when the WfRun does not exist. */
  static load(ctx: ProcessorContext, wfRunId: WfRunId): RunRuntime | undefined {
    const key = keys.wfRunKey(ctx.partition, ctx.tenant, wfRunId);
    const wfRun = ctx.get(Records.wfRun, key);
    if (wfRun === undefined) return undefined;
    if (wfRun.wfSpecId === undefined) throw new Error(`stored WfRun ${key} has no wf_spec_id`);
    const wfSpec = wfSpecById(ctx, ctx.tenant, wfRun.wfSpecId);
    // Upstream lets a WfSpec be deleted while WfRuns of it exist; such a WfRun can no longer move.
    if (wfSpec === undefined) {
      throw failedPrecondition(`The WfSpec of WfRun ${wfRunId.id} was deleted; the WfRun cannot advance.`);
    }
    return new RunRuntime(ctx, wfRun, wfSpec, originalBytes(ctx, Records.wfRun, key, wfRun));
  }

  get nowMs(): number {
    return this.ctx.nowMs;
  }

  /** The WfRun's WfSpec version: its entrypoint thread's (other threads start on their parent's). */
  get wfSpec(): WfSpec {
    return this.specOf(this.wfRun.wfSpecId);
  }

  /** A WfSpec version this WfRun's threads run on. */
  specOf(id: WfSpecId | undefined): WfSpec {
    if (id === undefined) throw new Error(`WfRun ${this.wfRunId.id} names no WfSpec`);
    const key = specKey(id);
    const hit = this.specs.get(key);
    if (hit !== undefined) return hit;
    const spec = wfSpecById(this.ctx, this.ctx.tenant, id);
    if (spec === undefined) {
      throw failedPrecondition(`WfSpec ${key} of WfRun ${this.wfRunId.id} was deleted; the WfRun cannot advance.`);
    }
    this.specs.set(key, spec);
    return spec;
  }

  get<T>(codec: RecordCodec<T>, key: string): T | undefined {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit.value as T | undefined;
    const value = this.ctx.get(codec, key);
    if (value === undefined) return undefined;
    this.cache.set(key, loaded(this.ctx, codec as RecordCodec<unknown>, value, originalBytes(this.ctx, codec, key, value)));
    return value;
  }

  /** Registers a record to be written at flush (new, or replacing what is cached). */
  put<T>(codec: RecordCodec<T>, key: string, value: T): void {
    const hit = this.cache.get(key);
    this.cache.set(key, { codec: codec as RecordCodec<unknown>, value, original: hit?.original, indexed: hit?.indexed });
  }

  /** Adopts records found by a scan so later reads and the flush see the same objects. */
  adopt<T>(codec: RecordCodec<T>, key: string, value: T): T {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit.value as T;
    this.cache.set(key, loaded(this.ctx, codec as RecordCodec<unknown>, value, originalBytes(this.ctx, codec, key, value)));
    return value;
  }

  flush(): void {
    const indexed = indexedFields(this.wfRun);
    if (indexed !== this.indexedAs) {
      writeWfRunSearchEntries(this.ctx, this.wfRun);
      this.indexedAs = indexed;
    }
    for (const [key, entry] of this.cache) {
      const bytes = entry.codec.encode(entry.value);
      if (entry.original !== undefined && sameBytes(entry.original, bytes)) continue;
      if (this.ctx.putEncoded) this.ctx.putEncoded(entry.codec, key, entry.value, bytes);
      else this.ctx.put(entry.codec, key, entry.value);
      entry.indexed = reindexFlushed(this.ctx, entry.codec, entry.original === undefined ? undefined : entry.indexed, entry.value);
      entry.original = bytes;
    }
  }

  // ---- navigation ---------------------------------------------------------------------------

  /** A thread by number: one the WfRun holds, else an archived one (wf-run/archival/). */
  thread(number: number): ThreadRun | undefined {
    const held = this.wfRun.threadRuns.find((t) => t.number === number);
    if (held !== undefined || number < 0 || number > this.wfRun.greatestThreadrunNumber) return held;
    return this.get(Records.inactiveThreadRun, keys.inactiveThreadRunKey(this.ctx.partition, this.ctx.tenant, this.wfRunId, number))
      ?.threadRun;
  }

  /** The thread's ThreadSpec, in the WfSpec version the thread runs on. */
  threadSpec(thread: ThreadRun): ThreadSpec {
    const spec = this.specOf(thread.wfSpecId ?? this.wfRun.wfSpecId).threadSpecs[thread.threadSpecName];
    if (spec === undefined) throw new Error(`ThreadSpec ${thread.threadSpecName} missing from WfSpec`);
    return spec;
  }

  node(thread: ThreadRun, nodeName: string): Node {
    const node = this.threadSpec(thread).nodes[nodeName];
    if (node === undefined) throw new Error(`node ${nodeName} missing from ThreadSpec ${thread.threadSpecName}`);
    return node;
  }

  nodeRunKey(threadNumber: number, position: number): string {
    return keys.nodeRunKey(this.ctx.partition, this.ctx.tenant, { wfRunId: this.wfRunId, threadRunNumber: threadNumber, position });
  }

  nodeRunAt(thread: ThreadRun, position: number): NodeRun | undefined {
    return this.get(Records.nodeRun, this.nodeRunKey(thread.number, position));
  }

  /** The NodeRun the thread is at; every started thread has one (the entrypoint at least). */
  currentNodeRun(thread: ThreadRun): NodeRun {
    const nodeRun = this.nodeRunAt(thread, thread.currentNodePosition);
    if (nodeRun === undefined) {
      throw new Error(`thread ${thread.number} has no NodeRun at position ${thread.currentNodePosition}`);
    }
    return nodeRun;
  }

  putNodeRun(nodeRun: NodeRun): void {
    const id = nodeRun.id;
    if (id === undefined) throw new Error('NodeRun without id');
    this.put(Records.nodeRun, this.nodeRunKey(id.threadRunNumber, id.position), nodeRun);
  }
}

function specKey(id: WfSpecId | undefined): string {
  return id === undefined ? '?' : `${id.name}/${id.majorVersion}.${id.revision}`;
}

/** The WfRun fields the search index stores; the entries are rewritten when these change. */
function indexedFields(wfRun: WfRun): string {
  return `${wfRun.status}/${wfRun.wfSpecId?.majorVersion}/${wfRun.wfSpecId?.revision}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The bytes a loaded record was committed as: from the transaction when it has them, else encoded. */
/** A record as loaded: its bytes and, before anyone changes it, its index entries. */
function loaded(ctx: ProcessorContext, codec: RecordCodec<unknown>, value: unknown, original: Uint8Array | undefined): Cached {
  return { codec, value, original, indexed: original === undefined ? undefined : loadedIndexEntries(ctx, codec, value) };
}

function originalBytes<T>(ctx: ProcessorContext, codec: RecordCodec<T>, key: string, value: T): Uint8Array {
  return ctx.committedBytes?.(key) ?? codec.encode(value);
}
