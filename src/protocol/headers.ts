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

/** Header names callers may not set themselves. */
export const reservedHeaderPrefix = 'handoff-';

/** The headers of a job record for `lease`, on top of the job's own. */
export const jobRecordHeaders = (headers: Record<string, string>, lease: { id: string; attempt: number }): Record<string, string> => ({
  ...headers,
  [recordHeaders.leaseId]: lease.id,
  [recordHeaders.attempt]: String(lease.attempt),
});
