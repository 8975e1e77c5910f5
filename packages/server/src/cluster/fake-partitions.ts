// Test doubles for the internal API: a LocalPartitions backed by maps, and a ClusterView whose
// ownership a test moves by hand. Shared by the internal-server and partition-router tests.
import { Code } from '../processor/api-error.ts';
import type { CommandOutcome } from '../engine/engine-api.ts';
import type { KvEntry } from '../store/kv-store.ts';
import type { ClusterView, MemberInfo } from './cluster-view.ts';
import type { LocalPartitions } from './local-partitions.ts';

export class FakeLocalPartitions implements LocalPartitions {
  readonly serving = new Set<number>();
  readonly calls: string[] = [];
  readonly #data = new Map<number, Map<string, Uint8Array>>();
  readonly #outcomes = new Map<string, CommandOutcome>();
  readonly #waiters = new Map<string, Array<(o: CommandOutcome) => void>>();
  readonly #listeners = new Map<string, Set<(detail: string) => void>>();
  /** When set, get() never answers (a hung owner). */
  hangGets = false;

  constructor(serving: number[] = []) {
    for (const p of serving) this.serving.add(p);
  }

  put(partition: number, key: string, value: string | Uint8Array): void {
    let m = this.#data.get(partition);
    if (m === undefined) this.#data.set(partition, (m = new Map()));
    m.set(key, typeof value === 'string' ? new TextEncoder().encode(value) : value);
  }

  #assertServing(partition: number): void {
    if (!this.serving.has(partition)) throw new Error(`routing bug: partition ${partition} asked of an instance that does not serve it`);
  }

  isServing(partition: number): boolean {
    return this.serving.has(partition);
  }

  get(partition: number, key: string): Promise<Uint8Array | undefined> {
    this.calls.push(`get ${partition} ${key}`);
    this.#assertServing(partition);
    if (this.hangGets) return new Promise(() => undefined);
    return Promise.resolve(this.#data.get(partition)?.get(key));
  }

  scan(partition: number, prefix: string, afterKey: string | undefined, limit: number): Promise<KvEntry[]> {
    this.calls.push(`scan ${partition} ${prefix} ${afterKey ?? '-'} ${limit}`);
    this.#assertServing(partition);
    const keys = [...(this.#data.get(partition)?.keys() ?? [])].filter((k) => k.startsWith(prefix) && (afterKey === undefined || k > afterKey)).sort();
    return Promise.resolve(keys.slice(0, limit).map((key) => ({ key, value: this.#data.get(partition)!.get(key)! })));
  }

  /** Commits a command: its waiters (now and later) get `outcome`. */
  commit(partition: number, commandId: string, outcome: CommandOutcome): void {
    const id = `${partition}/${commandId}`;
    this.#outcomes.set(id, outcome);
    for (const w of this.#waiters.get(id) ?? []) w(outcome);
    this.#waiters.delete(id);
  }

  waitForCommand(partition: number, commandId: string, timeoutMs: number): Promise<CommandOutcome> {
    this.calls.push(`wait ${partition} ${commandId}`);
    this.#assertServing(partition);
    const id = `${partition}/${commandId}`;
    const known = this.#outcomes.get(id);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => {
      let done = false;
      const finish = (o: CommandOutcome): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(o);
      };
      const timer = setTimeout(() => finish({ ok: false, code: Code.DEADLINE_EXCEEDED, message: `timed out waiting for ${commandId}` }), timeoutMs);
      timer.unref();
      const list = this.#waiters.get(id) ?? [];
      list.push(finish);
      this.#waiters.set(id, list);
    });
  }

  watch(partition: number, topic: string, listener: (detail: string) => void): () => void {
    this.#assertServing(partition);
    const id = `${partition}/${topic}`;
    let set = this.#listeners.get(id);
    if (set === undefined) this.#listeners.set(id, (set = new Set()));
    const l = (d: string): void => listener(d);
    set.add(l);
    return () => set.delete(l);
  }

  notify(partition: number, topic: string, detail: string): void {
    for (const l of [...(this.#listeners.get(`${partition}/${topic}`) ?? [])]) l(detail);
  }

  watcherCount(partition: number, topic: string): number {
    return this.#listeners.get(`${partition}/${topic}`)?.size ?? 0;
  }
}

export function member(instanceId: string, internalPort: number): MemberInfo {
  return { instanceId, internalHost: '127.0.0.1', internalPort, advertised: [] };
}

/** Ownership shared by every FakeClusterView of one fake cluster; a move notifies them all. */
export class FakeOwnership {
  readonly #owners = new Map<number, MemberInfo>();
  readonly #members = new Map<string, MemberInfo>();
  readonly #listeners = new Set<() => void>();

  addMember(m: MemberInfo): void {
    this.#members.set(m.instanceId, m);
    this.#changed();
  }

  removeMember(instanceId: string): void {
    this.#members.delete(instanceId);
    for (const [p, m] of this.#owners) if (m.instanceId === instanceId) this.#owners.delete(p);
    this.#changed();
  }

  setOwner(partition: number, owner: MemberInfo | undefined): void {
    if (owner === undefined) this.#owners.delete(partition);
    else this.#owners.set(partition, owner);
    this.#changed();
  }

  ownerOf(partition: number): MemberInfo | undefined {
    return this.#owners.get(partition);
  }

  members(): MemberInfo[] {
    return [...this.#members.values()].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  listenerCount(): number {
    return this.#listeners.size;
  }

  #changed(): void {
    for (const l of [...this.#listeners]) l();
  }
}

export function fakeView(self: MemberInfo, ownership: FakeOwnership): ClusterView {
  return {
    self,
    ownerOf: (p) => ownership.ownerOf(p),
    members: () => ownership.members(),
    onChange: (l) => ownership.subscribe(l),
  };
}
