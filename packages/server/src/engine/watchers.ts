// In-memory listeners for notify effects: long polls (AwaitWorkflowEvent and the like) register
// here and re-read committed state when their topic fires. Nothing here is durable; a listener
// that misses a notification because it registered late re-reads state anyway.
export type WatchListener = (detail: string) => void;

/** A bound on listeners per topic: each one is an open client call. */
const MAX_LISTENERS_PER_TOPIC = 100_000;

export class Watchers {
  readonly #byTopic = new Map<string, Set<WatchListener>>();

  add(topic: string, listener: WatchListener): () => void {
    let set = this.#byTopic.get(topic);
    if (set === undefined) {
      set = new Set();
      this.#byTopic.set(topic, set);
    }
    if (set.size >= MAX_LISTENERS_PER_TOPIC) throw new Error(`too many listeners on ${topic}`);
    set.add(listener);
    return () => {
      const current = this.#byTopic.get(topic);
      if (current === undefined) return;
      current.delete(listener);
      if (current.size === 0) this.#byTopic.delete(topic);
    };
  }

  emit(topic: string, detail: string): void {
    const set = this.#byTopic.get(topic);
    if (set === undefined) return;
    // A copy: a listener commonly removes itself while being called.
    for (const listener of [...set]) listener(detail);
  }

  listenerCount(topic: string): number {
    return this.#byTopic.get(topic)?.size ?? 0;
  }
}
