// The end of a lease, and its life until then: completed by its consumer, released by its producer,
// failed, or extended while a long job runs.
import { Batcher } from './batcher.js';
import { conflict, notFound, staleEpoch } from './errors.js';
import type { Clock, Database } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import type { JobSettings } from './sql/assignment.js';
import { type OwnedLease, completeLeasesWithoutLine, endLease } from './sql/endLease.js';
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

/** The most completions one statement carries. */
const maxCompletionBatch = 64;
/** How long a consumer whose pool had a line completes alone before trying a batch again. */
const lineMemoryMs = 1_000;

export class Leases {
  /**
   * Completions that arrive while one is in flight end together (completeTogether); one alone, or one
   * the batch left, ends in its own statement (endChecked).
   */
  private readonly completions = new Batcher<OwnedLease, Lease>(
    (lease) => this.endChecked('COMPLETED', lease),
    (leases) => this.completeTogether(leases),
    maxCompletionBatch,
  );
  /** Consumers whose last batched completion found a line in their pool, until when: they complete alone meanwhile. */
  private readonly lined = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
    private readonly jobSettings: JobSettings,
    /** What happens after a statement that ended a lease: jobs to produce, pools whose line grew. */
    private readonly after: (rows: readonly EndedRow[]) => void,
    private readonly clock: Clock,
  ) {}

  async lease(id: string): Promise<Lease | undefined> {
    const row = await findLease(this.db, checkLeaseId(id));
    return row && leaseFromRow(row);
  }

  /**
   * The consumer finished the job: the lease ends and its slot is free again (taking the next job in
   * line, if one waits). Completions that arrive while one is in flight are ended together.
   */
  completeLease(id: string, owner: LeaseOwner = {}): Promise<Lease> {
    const lease = this.owned(id, owner);
    const consumerId = lease.owner.consumerId;
    const linedUntil = consumerId === undefined ? undefined : this.lined.get(consumerId);
    if (linedUntil !== undefined && linedUntil > this.clock.now()) return this.endChecked('COMPLETED', lease);
    return this.completions.add(lease);
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

  private endLease(state: 'COMPLETED' | 'RELEASED', id: string, owner: LeaseOwner): Promise<Lease> {
    return this.endChecked(state, this.owned(id, owner));
  }

  /** The lease and who says they hold it, checked. */
  private owned(id: string, owner: LeaseOwner): OwnedLease {
    return { leaseId: checkLeaseId(id), owner: this.checkOwner(owner) };
  }

  /** One lease ends in its own statement: its slot takes the next job in line there and then. */
  private async endChecked(state: 'COMPLETED' | 'RELEASED', { leaseId, owner }: OwnedLease): Promise<Lease> {
    const rows = await endLease(this.db, state, leaseId, owner, this.jobSettings);
    this.after(rows);
    return this.endedOrRefused(rows[0], leaseId, owner);
  }

  /**
   * Completions that arrived together, in one statement per kind of owner check. A lease whose pool
   * has a line (its slot must take the next job as it frees), or whose owner or state is not right,
   * is left out and ends alone (the Batcher's doing), which also says precisely why one cannot. A
   * lease asked twice is completed for the first call; the second, left out, is told it is already
   * COMPLETED.
   */
  private async completeTogether(leases: readonly OwnedLease[]): Promise<Map<OwnedLease, Lease>> {
    const completed = new Map<OwnedLease, Lease>();
    for (const signOfLife of [true, false]) {
      const group = leases.filter((lease) => (lease.owner.epoch !== undefined) === signOfLife);
      if (group.length === 0) continue;
      const rows = await completeLeasesWithoutLine(this.db, group, signOfLife, this.jobSettings);
      this.after(rows);
      const ended = new Map(rows.map((row) => [row.leaseId, row]));
      for (const lease of group) {
        const row = ended.get(lease.leaseId);
        ended.delete(lease.leaseId);
        if (row) completed.set(lease, leaseFromRow(row));
      }
    }
    const until = this.clock.now() + lineMemoryMs;
    for (const lease of leases) {
      if (!completed.has(lease) && lease.owner.consumerId !== undefined) this.lined.set(lease.owner.consumerId, until);
    }
    if (this.lined.size > 10_000) this.forgetLines();
    return completed;
  }

  /** Drops the line memories that ran out (a bound on the map, whatever consumers come and go). */
  private forgetLines(): void {
    const now = this.clock.now();
    for (const [consumerId, until] of this.lined) if (until <= now) this.lined.delete(consumerId);
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
