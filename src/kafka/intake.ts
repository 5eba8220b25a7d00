// The Kafka intake's reading side (kafkajs): one consumer group of all replicas reads every pool's
// intake topic (Kafka spreads the partitions over the replicas), hands each batch to the domain to
// record as jobs, and commits an offset only after the records before it are recorded. A pool whose
// backlog is at its limit is paused — its records wait in Kafka — and resumed once there is room.
import type { Batch, Consumer, EachBatchPayload, IHeaders, KafkaMessage } from 'kafkajs';
import type { IntakeConfig } from '../config.js';
import type { Intake, IntakeRecord } from '../coordinator/intake.js';
import type { Logger } from '../logger.js';
import type { KafkaGateway } from './gateway.js';

/** Records recorded per statement: a large fetch is taken in steps, with a heartbeat between them. */
const chunkSize = 500;

export interface IntakeParts {
  intake: Intake;
  gateway: KafkaGateway;
  config: IntakeConfig;
  /** The consumer group of every replica's intake. */
  groupId: string;
  /** How often a paused pool's room is looked at. */
  pollMs: number;
  log: Logger;
}

export type IntakeState = 'starting' | 'reading' | 'down' | 'closed';

export class KafkaIntake {
  /** Intake topic → its pool, for the topics the running consumer reads. */
  private poolOf = new Map<string, string>();
  private consumer: Consumer | undefined;
  private readonly paused = new Set<string>();
  private state: IntakeState = 'starting';
  private refreshing: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly log: Logger;

  constructor(private readonly parts: IntakeParts) {
    this.log = parts.log.child({ component: 'intake' });
  }

  /** A pool got a consumer (announced by the replica that registered it): read its topic now if this replica does not yet. */
  poolAnnounced(pool: string): void {
    if (![...this.poolOf.values()].includes(pool)) this.refresh();
  }

  /** Starts reading (in the background: Kafka may be down now and come up later). */
  start(): void {
    this.refresh();
    const every = setInterval(() => this.refresh(), this.parts.config.refreshMs);
    const resume = setInterval(() => void this.resumeWhereRoom(), this.parts.pollMs);
    every.unref();
    resume.unref();
    this.timers.push(every, resume);
  }

  /** For /ready: whether this replica reads its share of the intake topics now. */
  status(): { state: IntakeState; topics: number; paused: string[] } {
    return { state: this.state, topics: this.poolOf.size, paused: [...this.paused].sort() };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.refreshing;
    // Waits for the batch being recorded; its offsets are committed, or read again by another replica.
    await this.consumer?.disconnect();
    this.consumer = undefined;
    this.state = 'closed';
  }

  /** Looks for new pools: creates their intake topics and, when the set changed, reads it anew. One refresh at a time. */
  refresh(): void {
    if (this.closed) return;
    if (this.refreshing) {
      this.again = true;
      return;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        try {
          await this.subscribe(await this.topics());
        } catch (error) {
          this.state = 'down';
          this.log.error({ err: error }, 'the intake cannot read now; trying again at the next refresh');
        }
      } while (this.again && !this.closed);
    })().finally(() => (this.refreshing = undefined));
  }

  /** Every known pool's intake topic, created if missing. */
  private async topics(): Promise<Map<string, string>> {
    const { intake, gateway, config } = this.parts;
    const poolOf = new Map<string, string>();
    for (const pool of await intake.pools()) {
      const topic = intake.topic(pool);
      const other = poolOf.get(topic);
      // `a:b` and `a_b` share a topic name: the pool that spells it exactly keeps it.
      if (other !== undefined) {
        if (!pool.includes(':')) poolOf.set(topic, pool);
        this.log.warn({ topic, pools: [other, pool] }, 'two pools have the same intake topic name; it feeds the one without ":"');
        continue;
      }
      poolOf.set(topic, pool);
    }
    for (const topic of poolOf.keys()) await gateway.ensureTopic(topic, config.partitions);
    return poolOf;
  }

  private async subscribe(poolOf: Map<string, string>): Promise<void> {
    const same = poolOf.size === this.poolOf.size && [...poolOf].every(([topic, pool]) => this.poolOf.get(topic) === pool);
    if (same && this.consumer) return;
    // kafkajs cannot add topics to a running consumer: this replica leaves the group and joins again with them (rarely: a new pool).
    await this.consumer?.disconnect();
    this.consumer = undefined;
    this.poolOf = poolOf;
    if (this.closed || poolOf.size === 0) {
      this.state = 'reading';
      return;
    }
    const consumer = this.parts.gateway.consumer({ groupId: this.parts.groupId, maxWaitTimeInMs: 500, retry: { retries: 8 } });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.log.error({ err: payload.error, restart: payload.restart }, 'the intake consumer crashed; its uncommitted records are read again');
    });
    // Set before it runs: its first batches may already pause a pool on it.
    this.consumer = consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...poolOf.keys()], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 4,
        eachBatch: (payload) => this.record(payload),
      });
    } catch (error) {
      this.consumer = undefined;
      // The next refresh subscribes again from scratch.
      this.poolOf = new Map();
      await consumer.disconnect().catch((closeError: unknown) => this.log.warn({ err: closeError }, 'could not close the intake consumer that failed to start'));
      throw error;
    }
    this.state = 'reading';
    this.log.info({ topics: poolOf.size }, 'reading the intake topics');
  }

  /** One fetched batch of one partition, recorded in steps: each step's offset is committed to Kafka after the step committed in the database. */
  private async record({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary, uncommittedOffsets }: EachBatchPayload): Promise<void> {
    const pool = this.poolOf.get(batch.topic);
    if (pool === undefined) return; // not a topic this consumer reads any more: left for the next one
    if (this.paused.has(pool)) {
      this.pause(pool, batch.topic);
      return;
    }
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      if (!isRunning() || isStale()) break;
      const messages = batch.messages.slice(start, start + chunkSize);
      const { taken, full, known } = await this.parts.intake.take(pool, batch.topic, messages.map((message) => recordOf(batch, message)));
      if (known > 0) this.log.info({ pool, partition: batch.partition, known }, 'records that were jobs already (read again, or a known idempotency key) were not added twice');
      const last = messages[taken - 1];
      if (last) {
        resolveOffset(last.offset);
        // After each step, not only at the batch's end: a replica that dies mid-batch leaves little to read again.
        await commitOffsetsIfNecessary(uncommittedOffsets());
      }
      if (full) {
        this.paused.add(pool);
        this.pause(pool, batch.topic);
        break;
      }
      await heartbeat();
    }
  }

  private pause(pool: string, topic: string): void {
    if (!this.consumer?.paused().some((paused) => paused.topic === topic)) this.log.info({ pool, topic }, "the pool's backlog is at its limit: its intake pauses");
    this.consumer?.pause([{ topic }]);
  }

  /** Resumes each paused pool whose backlog has room again; its records are read from the first one not recorded. */
  private async resumeWhereRoom(): Promise<void> {
    for (const pool of this.paused) {
      try {
        if ((await this.parts.intake.room(pool)) === 0) continue;
      } catch (error) {
        this.log.warn({ err: error, pool }, 'could not read the backlog of a paused pool; it stays paused');
        continue;
      }
      this.paused.delete(pool);
      const topic = this.parts.intake.topic(pool);
      this.consumer?.resume([{ topic }]);
      this.log.info({ pool, topic }, "the pool's backlog has room: its intake resumes");
    }
  }
}

function recordOf(batch: Batch, message: KafkaMessage): IntakeRecord {
  return { partition: batch.partition, offset: message.offset, key: message.key, value: message.value, headers: headerList(message.headers) };
}

/** kafkajs gives a repeated header as an array, and a header without a value as undefined. */
function headerList(headers: IHeaders | undefined): [string, Uint8Array | null][] {
  return Object.entries(headers ?? {}).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((one): [string, Uint8Array | null] => [name, one === undefined || one === null ? null : Buffer.from(one)]),
  );
}
