// EXPERIMENT, not Filly: loaded into servers the bench starts with `--server-experiment
// batch-ingress`, to measure a proposed engine change before anyone makes it. An idempotent
// @platformatic/kafka producer allows one request in flight per connection, and kafka mode's
// ingress sends each command as its own Produce request, so commands queue behind each other's
// round trips. This wraps Producer.prototype.send so that plain (non-transactional, promise-style)
// sends made while one is in flight wait and go together as ONE request when it returns: the same
// messages, acks and order per partition, fewer round trips. Transactional sends (they pass a
// callback) are untouched. Figures taken with it are labelled as the experiment's.
import { Producer } from '@platformatic/kafka';

/** Sends per coalesced request; a Produce request of 1,000 small commands is ~200 KB. */
const MAX_BATCH_SENDS = 1_000;

interface Pending {
  options: { messages: unknown[] } & Record<string, unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Lane {
  inFlight: boolean;
  pending: Pending[];
}

type Send = (this: Producer, options: Pending['options'], callback?: unknown) => unknown;

function install(): void {
  const proto = Producer.prototype as unknown as { send: Send };
  const original = proto.send;
  // Per producer, per acks setting: only sends that differ in nothing but their messages merge.
  const lanes = new WeakMap<object, Map<unknown, Lane>>();

  const flush = (producer: Producer, lane: Lane): void => {
    const batch = lane.pending.splice(0, MAX_BATCH_SENDS);
    if (batch.length === 0) {
      lane.inFlight = false;
      return;
    }
    lane.inFlight = true;
    const first = batch[0]!.options;
    const messages = batch.flatMap((b) => b.options.messages);
    Promise.resolve(original.call(producer, { ...first, messages })).then(
      (result) => { for (const b of batch) b.resolve(result); },
      (err: unknown) => { for (const b of batch) b.reject(err); },
    ).finally(() => flush(producer, lane));
  };

  proto.send = function send(this: Producer, options: Pending['options'], callback?: unknown): unknown {
    const plain = callback === undefined && Object.getOwnPropertySymbols(options).length === 0 && Array.isArray(options.messages) &&
      Object.keys(options).every((k) => k === 'messages' || k === 'acks');
    if (!plain) return original.call(this, options, callback);
    let byAcks = lanes.get(this);
    if (byAcks === undefined) lanes.set(this, (byAcks = new Map()));
    let l = byAcks.get(options['acks']);
    if (l === undefined) byAcks.set(options['acks'], (l = { inFlight: false, pending: [] }));
    const lane = l;
    return new Promise((resolve, reject) => {
      lane.pending.push({ options, resolve, reject });
      if (!lane.inFlight) flush(this, lane);
    });
  };
}

install();
