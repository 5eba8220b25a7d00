// The end of a lease, and its life until then: completed by its consumer, released by its producer,
// failed, or extended while a long job runs.
import { conflict, notFound, staleEpoch } from './errors.js';
import type { Database } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import type { JobSettings } from './sql/assignment.js';
import { endLease } from './sql/endLease.js';
import type { EndedRow } from './sql/endLeases.js';
import { extendLease } from './sql/extendLease.js';
import { failLease } from './sql/failLease.js';
import { findLease } from './sql/findLease.js';
import type { LeaseOwnerCheck } from './sql/fragments.js';
import { type LeaseRow, leaseFromRow } from './sql/rows.js';
import type { Lease } from './types.js';
import { checkId, checkLeaseId, checkText, checkTtl, staleEpochMessage } from './validate.js';

/** Who says they hold a lease: checked when given, so a replaced instance cannot complete it. */
export interface LeaseOwner {
  consumerId?: string | null;
  epoch?: number | null;
}

export class Leases {
  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
    private readonly jobSettings: JobSettings,
    /** What happens after a statement that ended a lease: jobs to produce, pools whose line grew. */
    private readonly after: (rows: readonly EndedRow[]) => void,
  ) {}

  async lease(id: string): Promise<Lease | undefined> {
    const row = await findLease(this.db, checkLeaseId(id));
    return row && leaseFromRow(row);
  }

  /** The consumer finished the job: the lease ends and its slot is free again. */
  completeLease(id: string, owner: LeaseOwner = {}): Promise<Lease> {
    return this.endLease('COMPLETED', id, owner);
  }

  /** The producer gives the slot back without sending anything. */
  releaseLease(id: string, owner: LeaseOwner = {}): Promise<Lease> {
    return this.endLease('RELEASED', id, owner);
  }

  /** A long job keeps its lease: the deadline moves to `ms` from now. */
  async extendLease(id: string, ms: number, owner: LeaseOwner = {}): Promise<Lease> {
    const leaseId = checkLeaseId(id);
    const checked = this.checkOwner(owner);
    const duration = checkTtl(this.settings.limits, ms, ms, 'ms');
    return this.endedOrRefused(await extendLease(this.db, leaseId, duration, checked), leaseId, checked);
  }

  /** The consumer reports that the job failed: it will be sent again (attempt + 1), or dead-lettered. */
  async failLease(id: string, reason: string | null | undefined, owner: LeaseOwner = {}): Promise<Lease> {
    const leaseId = checkLeaseId(id);
    const checked = this.checkOwner(owner);
    const why = checkText('reason', reason ?? 'the consumer reported a failure').slice(0, 1000);
    const rows = await failLease(this.db, leaseId, checked, why, this.jobSettings);
    this.after(rows);
    return this.endedOrRefused(rows[0], leaseId, checked);
  }

  private async endLease(state: 'COMPLETED' | 'RELEASED', id: string, owner: LeaseOwner): Promise<Lease> {
    const leaseId = checkLeaseId(id);
    const checked = this.checkOwner(owner);
    const rows = await endLease(this.db, state, leaseId, checked, this.jobSettings);
    this.after(rows);
    return this.endedOrRefused(rows[0], leaseId, checked);
  }

  private checkOwner(owner: LeaseOwner): LeaseOwnerCheck {
    return {
      ...(owner.consumerId != null && { consumerId: checkId(this.settings.limits, owner.consumerId) }),
      ...(owner.epoch != null && { epoch: owner.epoch }),
    };
  }

  /** The lease the statement changed, or why it changed none, said precisely. */
  private async endedOrRefused(row: LeaseRow | undefined, leaseId: string, owner: LeaseOwnerCheck): Promise<Lease> {
    if (row) return leaseFromRow(row);
    const found = await findLease(this.db, leaseId);
    if (!found) throw notFound(`lease ${leaseId} does not exist`);
    const { consumer, state } = leaseFromRow(found);
    if (owner.consumerId !== undefined && consumer.id !== owner.consumerId) {
      throw conflict(`lease ${leaseId} belongs to consumer ${consumer.id}, not ${owner.consumerId}`);
    }
    if (owner.epoch !== undefined && consumer.epoch !== owner.epoch) {
      throw staleEpoch(staleEpochMessage(consumer.id, owner.epoch, consumer.epoch));
    }
    throw conflict(`lease ${leaseId} is already ${state}`);
  }
}
