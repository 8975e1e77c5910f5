// A sorted set of keys with binary-search insert, remove and prefix ranges. Used where the number
// of keys is modest (one WfRun group, the metadata space, the in-memory store of tests).
import { compareKeys } from './kv-store.ts';

export class SortedKeys {
  #keys: string[] = [];

  get size(): number {
    return this.#keys.length;
  }

  /** Index of the first key >= key. */
  lowerBound(key: string): number {
    let lo = 0;
    let hi = this.#keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.#keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(key: string): boolean {
    const i = this.lowerBound(key);
    return this.#keys[i] === key;
  }

  insert(key: string): void {
    const i = this.lowerBound(key);
    if (this.#keys[i] !== key) this.#keys.splice(i, 0, key);
  }

  remove(key: string): void {
    const i = this.lowerBound(key);
    if (this.#keys[i] === key) this.#keys.splice(i, 1);
  }

  /** Keys starting with prefix (and after afterKey, if given), at most limit of them. */
  range(prefix: string, afterKey: string | undefined, limit: number): string[] {
    const out: string[] = [];
    let i = this.lowerBound(afterKey !== undefined && compareKeys(afterKey, prefix) > 0 ? afterKey : prefix);
    if (afterKey !== undefined && this.#keys[i] === afterKey) i++;
    for (; i < this.#keys.length && out.length < limit; i++) {
      const k = this.#keys[i]!;
      if (!k.startsWith(prefix)) break;
      out.push(k);
    }
    return out;
  }

  clear(): void {
    this.#keys = [];
  }
}
