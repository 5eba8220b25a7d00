// The registry: consumers register, say FREE / BUSY / DRAINING, heartbeat and leave; anyone may read it.
import type { Logger } from '../logger.js';
import { isUniqueViolation } from '../sql/database.js';
import { conflict, notFound, staleEpoch } from './errors.js';
import { fillSlots } from './filler.js';
import { intakeTopic } from './intake.js';
import { announceIntakePool } from './sql/announceIntakePool.js';
import type { Database, JobTransport } from './ports.js';
import type { AssignedJob, JobSettings } from './sql/assignment.js';
import type { CoordinatorSettings } from './settings.js';
import { deregisterConsumer } from './sql/deregisterConsumer.js';
import { findConsumer } from './sql/findConsumer.js';
import { listConsumers } from './sql/listConsumers.js';
import { peekFreeConsumer } from './sql/peekFreeConsumer.js';
import { recordHeartbeat } from './sql/recordHeartbeat.js';
import { registerConsumer, uniqueTopicConstraint } from './sql/registerConsumer.js';
import { type ChangedRow, consumerFromRow } from './sql/rows.js';
import { setConsumerStatus } from './sql/setConsumerStatus.js';
import { type Consumer, type ConsumerStatus, type Page, pageOf } from './types.js';
import { checkCapacity, checkConsumerTopic, checkId, checkLabels, checkPageSize, checkPool, checkSettableStatus, staleEpochMessage } from './validate.js';

export interface RegisterInput {
  id: string;
  pool?: string | null;
  topic?: string | null;
  capacity?: number | null;
  labels?: readonly string[] | null;
  /** What it declares at once; FREE by default. A consumer that is not ready to take jobs yet registers BUSY. */
  status?: string | null;
}

/** Who may name which topic: a caller limited to its pool (every key but ADMIN) only one of that pool's. */
export type TopicChoice = 'any' | 'own pool';

export interface ConsumerFilter {
  pool?: string | null;
  status?: ConsumerStatus | null;
  first?: number | null;
  /** List consumers with ids after this one. */
  afterId?: string | null;
}

/** `<prefix>.<pool>.<id>`, with ':' (allowed in ids, not in Kafka topic names) written as '_'. */
export function defaultTopic(prefix: string, pool: string, id: string): string {
  return `${prefix}.${pool}.${id}`.replaceAll(':', '_');
}

export class Registry {
  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
    private readonly jobSettings: JobSettings,
    private readonly log: Logger,
    /** Kafka, when configured: a consumer's topic is created on registration. */
    private readonly transport: JobTransport | undefined,
    /** Produces jobs Handoff assigned itself. */
    private readonly deliver: (jobs: readonly AssignedJob[]) => void,
  ) {}

  /** Registers a consumer (FREE unless it says otherwise), or re-registers it with a new epoch. */
  async registerConsumer(input: RegisterInput, topicChoice: TopicChoice = 'any'): Promise<Consumer> {
    const { limits, topicPrefix } = this.settings;
    const id = checkId(limits, input.id);
    const pool = checkPool(limits, input.pool ?? 'default');
    const topic = checkConsumerTopic(topicPrefix, pool, input.topic ?? defaultTopic(topicPrefix, pool, id), topicChoice);
    const capacity = checkCapacity(limits, input.capacity);
    const labels = checkLabels(limits, input.labels);
    const status = checkSettableStatus(input.status ?? 'FREE');
    let row: ChangedRow | undefined;
    try {
      row = await this.thenFill((db) => registerConsumer(db, { id, pool, topic, status, capacity, labels }));
    } catch (error) {
      if (isUniqueViolation(error, uniqueTopicConstraint)) throw conflict(`topic ${topic} is already used by another consumer`);
      throw error;
    }
    if (!row) {
      // Only a re-registration with a capacity below the leases it holds, or into another pool while it holds any, changes nothing.
      const held = await findConsumer(this.db, id);
      if (held && held.pool !== pool) {
        throw conflict(`consumer ${id} holds ${held.inFlight} lease(s) in pool ${held.pool}; it can move to pool ${pool} once they end`);
      }
      throw conflict(
        `consumer ${id} holds ${held?.inFlight ?? 'some'} lease(s); re-register with a capacity of at least that, or let them end first`,
      );
    }
    const consumer = consumerFromRow(row);
    // The registry works without Kafka: a topic that cannot be created now is created again at dispatch.
    await this.transport?.ensureTopic(topic).catch((error: unknown) => {
      this.log.warn({ err: error, topic }, 'could not create the consumer topic now; dispatch will try again');
    });
    // The pool's intake topic exists once it has a consumer, so producers may write to it at once, and
    // every replica's intake hears of it (a replica that reads it already ignores the announcement).
    const { intake } = this.settings;
    if (intake.enabled && this.transport) {
      const intakeTopicName = intakeTopic(topicPrefix, pool);
      await this.transport.ensureTopic(intakeTopicName, intake.partitions).then(
        () => announceIntakePool(this.db, pool),
        (error: unknown) => this.log.warn({ err: error, topic: intakeTopicName }, "could not create the pool's intake topic now; the intake will try again"),
      );
    }
    return consumer;
  }

  async setStatus(id: string, status: string, epoch: number): Promise<Consumer> {
    checkId(this.settings.limits, id);
    const settable = checkSettableStatus(status);
    return this.changedOrRefused(await this.thenFill((db) => setConsumerStatus(db, id, epoch, settable)), id, epoch);
  }

  async heartbeat(id: string, epoch: number): Promise<Consumer> {
    checkId(this.settings.limits, id);
    return this.changedOrRefused(await this.thenFill((db) => recordHeartbeat(db, id, epoch)), id, epoch);
  }

  /** Removes a consumer that holds no lease. */
  async deregisterConsumer(id: string, epoch: number): Promise<Consumer> {
    checkId(this.settings.limits, id);
    const row = await deregisterConsumer(this.db, id, epoch);
    if (row) return consumerFromRow(row);
    const consumer = await this.currentConsumer(id, epoch);
    throw conflict(`consumer ${id} holds ${consumer.inFlight} lease(s); drain it (DRAINING) and let them end first`);
  }

  async consumer(id: string): Promise<Consumer | undefined> {
    checkId(this.settings.limits, id);
    const row = await findConsumer(this.db, id);
    return row && consumerFromRow(row);
  }

  /** A page of consumers ordered by id. */
  async consumers(filter: ConsumerFilter): Promise<Page<Consumer>> {
    const { limits } = this.settings;
    const limit = checkPageSize(limits, filter.first);
    const pool = filter.pool == null ? undefined : checkPool(limits, filter.pool);
    const afterId = filter.afterId == null ? undefined : checkId(limits, filter.afterId);
    // One row more than asked for says whether another page follows.
    const rows = await listConsumers(this.db, { pool, status: filter.status ?? undefined, afterId, limit: limit + 1 });
    return pageOf(rows, limit, consumerFromRow);
  }

  /** The consumer a claim would take now; reserves nothing. */
  async nextFreeConsumer(pool: string, labels?: readonly string[] | null): Promise<Consumer | undefined> {
    const { limits } = this.settings;
    const row = await peekFreeConsumer(this.db, checkPool(limits, pool), checkLabels(limits, labels));
    return row && consumerFromRow(row);
  }

  /**
   * Runs a change to one consumer and, when it opened slots (it turned FREE, came back alive, was
   * registered), gives them their next jobs in the same transaction. Jobs Handoff produces itself are
   * produced once it committed.
   */
  private async thenFill(change: (db: Database) => Promise<ChangedRow | undefined>): Promise<ChangedRow | undefined> {
    const { row, produce } = await this.db.transaction(async (tx) => {
      const changed = await change(tx);
      const filled = changed?.slotOpened ? await fillSlots(tx, { consumerId: changed.id }, this.jobSettings) : undefined;
      return { row: changed, produce: filled?.produce ?? [] };
    });
    this.deliver(produce);
    return row;
  }

  /** The consumer exists at this epoch, or the precise reason it does not. */
  private async currentConsumer(id: string, epoch: number): Promise<Consumer> {
    const row = await findConsumer(this.db, id);
    if (!row) throw notFound(`consumer ${id} is not registered`);
    if (row.epoch !== epoch) throw staleEpoch(staleEpochMessage(id, epoch, row.epoch));
    return consumerFromRow(row);
  }

  private async changedOrRefused(row: ChangedRow | undefined, id: string, epoch: number): Promise<Consumer> {
    if (row) return consumerFromRow(row);
    await this.currentConsumer(id, epoch);
    // It exists at this epoch now: it was re-registered between the statement and the check.
    throw staleEpoch(`consumer ${id} changed epoch while the request ran; retry with the current epoch`);
  }
}
