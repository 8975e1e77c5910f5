// Reads, waits and watches on any partition of a kafka-mode cluster: served by LocalPartitions
// when the ClusterView says this instance owns the partition, forwarded to the owner's internal
// API otherwise. When the owner is unknown, refuses (FAILED_PRECONDITION: our view is stale) or is
// unreachable (UNAVAILABLE: it died), the router waits for the view to change and tries again,
// bounded by attempts and a total deadline, then gives up with UNAVAILABLE.
import { status, type ServiceError } from '@grpc/grpc-js';
import type { CommandOutcome } from '../engine/engine-api.ts';
import { ApiError, Code } from '../processor/api-error.ts';
import type { KvEntry } from '../store/kv-store.ts';
import type { ClusterView, MemberInfo } from './cluster-view.ts';
import type { InternalClients } from './internal-clients.ts';
import type { LocalPartitions } from './local-partitions.ts';

export class PartitionUnavailableError extends ApiError {
  constructor(partition: number) {
    super(Code.UNAVAILABLE, `partition ${partition} has no owner right now; retry`);
    this.name = 'PartitionUnavailableError';
  }
}

export interface PartitionRouterOptions {
  view: ClusterView;
  local: LocalPartitions;
  clients: InternalClients;
  /** Owners tried per call before giving up. */
  maxAttempts?: number;
  /** Longest time a read spends retrying before it gives up (waits use their own timeout). */
  retryBudgetMs?: number;
  /** First pause between attempts when the view does not change; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

const DEFAULTS = { maxAttempts: 10, retryBudgetMs: 15_000, minBackoffMs: 50, maxBackoffMs: 1_000 } as const;

/** Errors that mean "ask the owner again, once the view has moved on". */
function isRetryable(err: unknown): boolean {
  const code = (err as Partial<ServiceError> | undefined)?.code;
  return code === status.FAILED_PRECONDITION || code === status.UNAVAILABLE;
}

/** A remote failure that is not about ownership keeps its status for the caller. */
function asApiError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  const e = err as Partial<ServiceError> | undefined;
  if (typeof e?.code === 'number' && e.code !== status.OK) return new ApiError(e.code as Code, e.details ?? e.message ?? 'internal call failed');
  return err;
}

/** A local wait abandoned because this instance no longer owns the partition. */
class PartitionMovedAway extends Error {}

type Where = { kind: 'self' } | { kind: 'remote'; member: MemberInfo } | { kind: 'none' };

export class PartitionRouter {
  readonly #view: ClusterView;
  readonly #local: LocalPartitions;
  readonly #clients: InternalClients;
  readonly #maxAttempts: number;
  readonly #retryBudgetMs: number;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;

  constructor(options: PartitionRouterOptions) {
    this.#view = options.view;
    this.#local = options.local;
    this.#clients = options.clients;
    this.#maxAttempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
    this.#retryBudgetMs = options.retryBudgetMs ?? DEFAULTS.retryBudgetMs;
    this.#minBackoffMs = options.minBackoffMs ?? DEFAULTS.minBackoffMs;
    this.#maxBackoffMs = options.maxBackoffMs ?? DEFAULTS.maxBackoffMs;
  }

  #where(partition: number): Where {
    const owner = this.#view.ownerOf(partition);
    if (owner === undefined) return { kind: 'none' };
    if (owner.instanceId === this.#view.self.instanceId) {
      // Owned but still restoring: nothing is served yet.
      return this.#local.isServing(partition) ? { kind: 'self' } : { kind: 'none' };
    }
    return { kind: 'remote', member: owner };
  }

  /** Resolves on the next view change, or after `ms`, whichever comes first. */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let unsubscribe: (() => void) | undefined;
      const timer = setTimeout(() => done(), Math.max(0, ms));
      const done = (): void => {
        clearTimeout(timer);
        unsubscribe?.();
        resolve();
      };
      unsubscribe = this.#view.onChange(done);
    });
  }

  async #route<T>(partition: number, deadline: number, local: () => Promise<T>, remote: (m: MemberInfo) => Promise<T>): Promise<T> {
    let backoff = this.#minBackoffMs;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const where = this.#where(partition);
      if (where.kind === 'self') {
        try {
          return await local();
        } catch (err) {
          if (!(err instanceof PartitionMovedAway)) throw err;
        }
      } else if (where.kind === 'remote') {
        try {
          return await remote(where.member);
        } catch (err) {
          if (!isRetryable(err)) throw asApiError(err);
        }
      }
      const left = deadline - Date.now();
      if (left <= 0 || attempt === this.#maxAttempts) break;
      await this.#pause(Math.min(backoff, left));
      backoff = Math.min(backoff * 2, this.#maxBackoffMs);
    }
    throw new PartitionUnavailableError(partition);
  }

  get(partition: number, key: string): Promise<Uint8Array | undefined> {
    return this.#route(partition, Date.now() + this.#retryBudgetMs,
      () => this.#local.get(partition, key),
      (m) => this.#clients.getKey(m, partition, key));
  }

  scan(partition: number, prefix: string, afterKey: string | undefined, limit: number): Promise<KvEntry[]> {
    return this.#route(partition, Date.now() + this.#retryBudgetMs,
      () => this.#local.scan(partition, prefix, afterKey, limit),
      async (m) => {
        // An owner cuts a page at its response size cap: fetch the rest from the same owner.
        const rows: KvEntry[] = [];
        let after = afterKey;
        while (rows.length < limit) {
          const page = await this.#clients.scan(m, partition, prefix, after, limit - rows.length);
          for (const r of page.rows) rows.push({ key: r.key, value: new Uint8Array(r.value) });
          const last = page.rows.at(-1);
          if (!page.truncated || last === undefined) break;
          after = last.key;
        }
        return rows;
      });
  }

  /**
   * Waits for the outcome of a command of `partition`, at whichever instance owns it. When the
   * owner changes during the wait (it died, or the partition moved), waiting again at the new
   * owner is correct: the command is already in the partition's log, so the new owner applies it
   * (or has applied it while restoring) and answers it; the command is never submitted twice.
   * Resolves DEADLINE_EXCEEDED when timeoutMs passes first, like LocalPartitions.waitForCommand.
   */
  async waitForCommand(partition: number, commandId: string, timeoutMs: number): Promise<CommandOutcome> {
    const deadline = Date.now() + timeoutMs;
    const timedOut: CommandOutcome = { ok: false, code: Code.DEADLINE_EXCEEDED, message: `command ${commandId} was not applied within ${timeoutMs} ms` };
    try {
      return await this.#route(partition, deadline,
        () => this.#waitLocally(partition, commandId, deadline),
        async (m) => {
          try {
            return await this.#clients.waitForCommand(m, partition, commandId, Math.max(0, deadline - Date.now()));
          } catch (err) {
            if ((err as Partial<ServiceError>).code === status.DEADLINE_EXCEEDED) return timedOut;
            throw err;
          }
        });
    } catch (err) {
      if (err instanceof PartitionUnavailableError && Date.now() >= deadline) return timedOut;
      throw err;
    }
  }

  /** A local wait that is abandoned (to re-wait at the new owner) if the partition moves away. */
  #waitLocally(partition: number, commandId: string, deadline: number): Promise<CommandOutcome> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const unsubscribe = this.#view.onChange(() => {
        if (this.#where(partition).kind !== 'self') finish(() => reject(new PartitionMovedAway(`partition ${partition} moved away`)));
      });
      const finish = (f: () => void): void => {
        if (settled) return;
        settled = true;
        unsubscribe();
        f();
      };
      this.#local.waitForCommand(partition, commandId, Math.max(0, deadline - Date.now())).then(
        (outcome) => finish(() => resolve(outcome)),
        (err: unknown) => finish(() => reject(err)));
    });
  }

  /**
   * Like EngineApi.watch: `listener` gets every notify detail of `topic` committed on `partition`,
   * wherever it is owned; after the subscription moves to another owner it is called with '' so
   * that it re-reads what it waits for. Returns the function that stops watching.
   */
  watch(partition: number, topic: string, listener: (detail: string) => void): () => void {
    let stopped = false;
    // Set when notifications may have been missed (a moved, ended or delayed subscription).
    let missed = false;
    let current: { where: string; stop: () => void } | undefined;
    let retryTimer: NodeJS.Timeout | undefined;
    let backoff = this.#minBackoffMs;

    const announce = (): void => {
      backoff = this.#minBackoffMs;
      if (missed) listener('');
      missed = false;
    };
    const drop = (): void => {
      if (current === undefined) return;
      current.stop();
      current = undefined;
      missed = true;
    };
    const retryLater = (): void => {
      missed = true;
      if (stopped || retryTimer !== undefined) return;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        subscribe();
      }, backoff);
      backoff = Math.min(backoff * 2, this.#maxBackoffMs);
    };
    const subscribe = (): void => {
      if (stopped || current !== undefined) return;
      const where = this.#where(partition);
      if (where.kind === 'none') return retryLater();
      if (where.kind === 'self') {
        current = { where: this.#view.self.instanceId, stop: this.#local.watch(partition, topic, (d) => {
          if (!stopped) listener(d);
        }) };
        announce();
        return;
      }
      const entry = { where: where.member.instanceId, stop: (): void => undefined };
      current = entry;
      entry.stop = this.#clients.watch(where.member, partition, topic, {
        onSubscribed: () => {
          // A remote subscription starts later than this call: whatever the caller read before it
          // may be stale, so even the first one asks for a re-read.
          missed = true;
          if (!stopped && current === entry) announce();
        },
        onDetail: (d) => {
          if (!stopped && current === entry) listener(d);
        },
        onEnd: () => {
          // The owner stopped serving the partition, died, or refused: follow the view.
          if (current !== entry) return;
          current = undefined;
          retryLater();
        },
      });
    };
    const unsubscribeView = this.#view.onChange(() => {
      if (stopped) return;
      const where = this.#where(partition);
      const target = where.kind === 'self' ? this.#view.self.instanceId : where.kind === 'remote' ? where.member.instanceId : undefined;
      if (current !== undefined && current.where === target) return;
      drop();
      if (retryTimer !== undefined) {
        clearTimeout(retryTimer);
        retryTimer = undefined;
      }
      subscribe();
    });
    subscribe();
    return () => {
      if (stopped) return;
      stopped = true;
      unsubscribeView();
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      current?.stop();
      current = undefined;
    };
  }
}
