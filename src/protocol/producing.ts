// How Handoff produces to Kafka, for the server (src/kafka/gateway.ts) and the SDK's HandoffProducer
// alike: an idempotent kafkajs producer, and one send at a time on it. docs/kafka-broker.md has the
// measurements behind both rules.
import { type ProducerConfig, type RetryOptions, Partitioners } from 'kafkajs';

/**
 * Idempotent: a retried produce request carries the producer id and sequence number of the first
 * try, so a broker that already appended it answers with the first offset instead of appending it
 * again. Without it, a lost answer (a connection dropped after the broker wrote) or an error on one
 * partition of a request made kafkajs write the records twice. kafkajs requires acks -1 (its default,
 * which Handoff never overrides) and at least one retry; one request in flight keeps the sequence
 * numbers in order.
 *
 * The retries are bounded (kafkajs would otherwise retry for ever, and keep reconnecting after the
 * caller has given up): the callers replace the producer after a failed send, so a batch whose
 * answer never came never shares a producer id — and so a sequence number — with a later send.
 */
export const idempotentProducer = (retry: RetryOptions): ProducerConfig => ({
  createPartitioner: Partitioners.DefaultPartitioner,
  idempotent: true,
  maxInFlightRequests: 1,
  retry,
});

/**
 * kafkajs warns at every producer start that bounded retries "may invalidate EoS guarantees". Not
 * for these producers (see idempotentProducer), so the warning is logged at debug level instead.
 */
export const boundedRetriesWarning = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/**
 * Sends one at a time on one producer. kafkajs's idempotent producer is not safe for concurrent
 * sends: when a send fails it gives its sequence numbers back, and a second send waiting for the
 * connection takes them — if the broker had appended the first one (its answer was lost), the
 * broker takes the second for a duplicate of the first and drops it, while the first is retried
 * under a new number and lands twice. Measured here with 5 concurrent senders and every third answer
 * dropped: 30 records for 30 sends, but only 21–25 different ones. One at a time, every send lands
 * exactly once.
 */
export class OneAtATime {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `send` after every earlier one has settled; skips it if `signal` aborted while it waited. */
  run<T>(send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const turn = this.tail.then(() => {
      signal?.throwIfAborted();
      return send();
    });
    // The next send waits for this one to settle either way; this one's outcome reaches its caller through `turn`.
    this.tail = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }
}
