// The Kafka record headers Handoff and its clients read and write. A producer that produces a job
// itself must set leaseId and attempt; Handoff sets them on everything it produces.

export const recordHeaders = {
  /** The lease the job was claimed under: the consumer completes it by this id. */
  leaseId: 'handoff-lease-id',
  /** 1 for the first delivery, + 1 for each redelivery. */
  attempt: 'handoff-attempt',
  /** Dead letters: the last failure. */
  deadLetterReason: 'handoff-dead-letter-reason',
  /** Dead letters: the topic of the consumer that had the job last. */
  originalTopic: 'handoff-original-topic',
} as const;

/**
 * What a producer may set on a plain record it writes to a pool's intake topic (all optional): where
 * the job goes in line and who may take it. The record's other headers become the job's headers.
 */
export const intakeHeaders = {
  /** Labels a consumer must carry, comma-separated: `gpu,eu`. */
  labels: 'handoff-labels',
  /** Higher goes first, -10 … 10; 0 when absent. */
  priority: 'handoff-priority',
  /** A tenant or customer: slots go round-robin (weighted) across the keys with work. */
  fairnessKey: 'handoff-fairness-key',
  /** A record written again with the same key (in this pool) is not a second job. */
  idempotencyKey: 'handoff-idempotency-key',
} as const;

/**
 * On a dead letter of an intake record Handoff refused: `base64` when the value is the record's
 * bytes in base64 (they were not text Handoff could keep as it is).
 */
export const valueEncodingHeader = 'handoff-value-encoding';

/** Header names callers may not set themselves. */
export const reservedHeaderPrefix = 'handoff-';

/** The headers of a job record for `lease`, on top of the job's own. */
export const jobRecordHeaders = (headers: Record<string, string>, lease: { id: string; attempt: number }): Record<string, string> => ({
  ...headers,
  [recordHeaders.leaseId]: lease.id,
  [recordHeaders.attempt]: String(lease.attempt),
});
