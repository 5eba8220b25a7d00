// How a consumer change travels from a committed statement to listeners on every replica: the
// statement announces the changed row on this channel (see announceChanged), and the change source
// (src/events) reads it back with parseChange.
import type { Assignment } from './ports.js';
import { type ConsumerRow, type ChangedRow, type LeaseRow, changeFromRow, leaseFromRow } from './sql/rows.js';
import type { ConsumerChange } from './types.js';

export { assignmentsChannel, changesChannel } from './channels.js';

/** Reads a NOTIFY payload written by announceChanged. */
export function parseChange(payload: string): ConsumerChange {
  return changeFromRow(JSON.parse(payload) as ChangedRow);
}

/** Reads a NOTIFY payload written by assignedResults (a waiting producer's lease). */
export function parseAssignment(payload: string): Assignment {
  const parsed = JSON.parse(payload) as { jobId: string; replicaId: string; lease: Omit<LeaseRow, keyof ConsumerRow>; consumer: ConsumerRow };
  const lease = { ...parsed.consumer, ...parsed.lease } as LeaseRow;
  return {
    jobId: parsed.jobId,
    replicaId: parsed.replicaId,
    lease: { ...leaseFromRow(lease), claimedAt: new Date(lease.claimedAt), expiresAt: new Date(lease.expiresAt) },
  };
}
