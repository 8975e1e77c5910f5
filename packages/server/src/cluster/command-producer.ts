// Ingress's commands on their way to the command topics. The idempotent producer keeps one
// Produce request in flight, so one request per command would make every command wait for the
// round trips of all commands before it. Instead the commands that arrive while a request is in
// flight go together as the next request: the same messages in the same order per partition,
// with one round trip for all of them.
import type { MessageToProduce, Producer } from '@platformatic/kafka';
import type { Command } from '@filly/proto/internal';
import { METADATA_PARTITION } from '../commands/routing.ts';
import { KAFKA_CALL_TIMEOUT_MS, withTimeout } from './kafka-calls.ts';

/** Commands in one Produce request at most (small commands: a few hundred kB). */
const MAX_MESSAGES_PER_REQUEST = 1_000;

export type IngressMessage = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;

interface Queued {
  message: IngressMessage;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class IngressBatcher {
  readonly #send: (messages: IngressMessage[]) => Promise<unknown>;
  readonly #maxQueued: number;
  #queued: Queued[] = [];
  #inFlight = false;

  /** `send` produces one request (acks=all); `maxQueued` bounds the commands waiting for it. */
  constructor(send: (messages: IngressMessage[]) => Promise<unknown>, maxQueued: number) {
    if (!(maxQueued > 0)) throw new Error('maxQueued must be positive');
    this.#send = send;
    this.#maxQueued = maxQueued;
  }

  /** False when too many commands are already waiting (the caller answers RESOURCE_EXHAUSTED). */
  hasRoom(): boolean {
    return this.#queued.length < this.#maxQueued;
  }

  /** Resolves once the message is acknowledged by the brokers. */
  send(message: IngressMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queued.push({ message, resolve, reject });
      if (!this.#inFlight) this.#flush();
    });
  }

  #flush(): void {
    const batch = this.#queued.splice(0, MAX_MESSAGES_PER_REQUEST);
    if (batch.length === 0) {
      this.#inFlight = false;
      return;
    }
    this.#inFlight = true;
    let sent: Promise<unknown>;
    try {
      sent = this.#send(batch.map((q) => q.message));
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.then(
      () => {
        for (const q of batch) q.resolve();
      },
      (err: unknown) => {
        for (const q of batch) q.reject(err);
      },
    ).finally(() => this.#flush());
  }
}

/** Ingress's producer of commands: each to its partition of the core or metadata command topic. */
export class CommandProducer {
  readonly #producer: Producer;
  readonly #batcher: IngressBatcher;
  readonly #topics: { coreCommand: string; metadataCommand: string };

  constructor(producer: Producer, topics: { coreCommand: string; metadataCommand: string }, maxQueued: number) {
    this.#producer = producer;
    this.#topics = topics;
    this.#batcher = new IngressBatcher((messages) => producer.send({ messages, acks: -1 }), maxQueued);
  }

  hasRoom(): boolean {
    return this.#batcher.hasRoom();
  }

  /** Resolves once the brokers acknowledge the command; rejects after KAFKA_CALL_TIMEOUT_MS. */
  produce(command: Command, payload: Uint8Array): Promise<void> {
    const metadata = command.partition === METADATA_PARTITION;
    const message: IngressMessage = {
      topic: metadata ? this.#topics.metadataCommand : this.#topics.coreCommand,
      partition: metadata ? 0 : command.partition,
      key: Buffer.from(command.commandId, 'utf8'),
      value: Buffer.from(payload),
    };
    return withTimeout(this.#batcher.send(message), KAFKA_CALL_TIMEOUT_MS, 'producing a command');
  }

  close(): Promise<void> {
    return this.#producer.close();
  }
}
