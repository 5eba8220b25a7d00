// The Kafka intake, as the domain sees it: records a producer wrote to a pool's intake topic become
// backlog jobs (or, when they cannot be jobs, dead letters with a reason), and the caller commits
// their offsets only once they are recorded. A record read again — after a crash between recording
// and committing — is known by its topic, partition and offset and is not a second job. The Kafka
// side (src/kafka/intake.ts) reads the records and pauses a pool's intake while its backlog is full.
import { randomUUID } from 'node:crypto';
import { CodedError } from '../protocol/errors.js';
import { intakeHeaders, reservedHeaderPrefix, valueEncodingHeader } from '../protocol/headers.js';
import type { Filler } from './filler.js';
import type { Database, JobMessage } from './ports.js';
import type { CoordinatorSettings } from './settings.js';
import { countPending } from './sql/countPending.js';
import { type NewJob, enqueueJobs } from './sql/enqueueJobs.js';
import { listPools } from './sql/listPools.js';
import { type RefusedRecord, recordRefusedRecords } from './sql/recordRefusedRecords.js';
import { checkLabels, checkMessage, checkName, checkOrder } from './validate.js';

/** One record of an intake topic, as Kafka gave it. */
export interface IntakeRecord {
  partition: number;
  offset: string;
  key: Uint8Array | null;
  value: Uint8Array | null;
  /** In the record's order; a name may repeat (Kafka allows it). A header without a value is null. */
  headers: readonly (readonly [name: string, value: Uint8Array | null])[];
}

export interface Taken {
  /** How many records, from the first, are recorded (as jobs or dead letters): their offsets may be committed. */
  taken: number;
  /** The pool's backlog is at its limit: the records after them wait in Kafka. */
  full: boolean;
  /** Of those taken, how many were jobs already (read again, or an idempotency key the pool knows): not added twice. */
  known: number;
}

/** `<prefix>.<pool>.intake`, with ':' (allowed in pool names, not in Kafka topic names) written as '_'. */
export const intakeTopic = (prefix: string, pool: string): string => `${prefix}.${pool}.intake`.replaceAll(':', '_');

const text = new TextDecoder('utf-8', { fatal: true });

export class Intake {
  constructor(
    private readonly db: Database,
    private readonly settings: CoordinatorSettings,
    private readonly filler: Filler,
    /** Kafka is configured and HANDOFF_INTAKE is not off: the pools' intake topics are read. */
    readonly enabled: boolean,
  ) {}

  topic(pool: string): string {
    return intakeTopic(this.settings.topicPrefix, pool);
  }

  /** Every pool Handoff knows; each has an intake topic. */
  pools(): Promise<string[]> {
    return listPools(this.db);
  }

  /** How many more pending jobs the pool's backlog takes before its limit. */
  async room(pool: string): Promise<number> {
    return Math.max(0, this.settings.backlogLimit - (await countPending(this.db, pool)));
  }

  /**
   * Records a batch of one intake partition's records, in order, as far as the pool's backlog limit
   * allows: records that are jobs go to the backlog, the others become dead letters with their reason.
   * Nothing is taken out of order, so the caller may commit the offset after the last one taken.
   */
  async take(pool: string, topic: string, records: readonly IntakeRecord[]): Promise<Taken> {
    const read = records.map((record) => readRecord(this.settings, topic, record));
    let room = await this.room(pool);
    let taken = 0;
    for (const record of read) {
      if ('job' in record) {
        if (room === 0) break;
        room -= 1;
      }
      taken += 1;
    }
    const jobs = read.slice(0, taken).flatMap((record) => ('job' in record ? [record.job] : []));
    const refused = read.slice(0, taken).flatMap((record) => ('refused' in record ? [record.refused] : []));
    const known = await this.db.transaction(async (tx) => {
      let existed = 0;
      if (jobs.length > 0) {
        const rows = await enqueueJobs(tx, { pool, jobs, limit: this.settings.backlogLimit });
        // Another replica's intake or a submitJobs took the room first: nothing was added; wait for more room.
        if (rows.some((row) => row.refused)) return undefined;
        existed = rows.filter((row) => row.existed).length;
      }
      if (refused.length > 0) await recordRefusedRecords(tx, pool, refused);
      return existed;
    });
    if (known === undefined) return { taken: 0, full: true, known: 0 };
    if (jobs.length > known) this.filler.fill(pool);
    return { taken, full: taken < records.length, known };
  }
}

type ReadRecord = { job: NewJob } | { refused: RefusedRecord };

/** A record as a job, or refused with the reason: the headers name its labels, priority, fairness key and idempotency key. */
function readRecord(settings: CoordinatorSettings, topic: string, record: IntakeRecord): ReadRecord {
  const source = { topic, partition: record.partition, offset: record.offset };
  const refuse = (reason: string, message: JobMessage = keptMessage(record)): ReadRecord => ({
    refused: { id: randomUUID(), message, reason: `the intake refused the record at ${topic}/${record.partition}/${record.offset}: ${reason}`, source },
  });
  try {
    if (record.value === null) return refuse('it has no value (a tombstone); a job needs one');
    const size = [record.key, record.value, ...record.headers.flatMap(([name, value]) => [Buffer.from(name), value])].reduce(
      (sum, part) => sum + (part?.byteLength ?? 0),
      0,
    );
    if (size > settings.limits.maxMessageBytes) {
      // Not kept: a dead letter that large may not fit the dead-letter topic either. It stays in the intake topic.
      return refuse(`it is ${size} bytes; the limit is ${settings.limits.maxMessageBytes} (HANDOFF_MAX_MESSAGE_BYTES)`, { key: null, value: '', headers: {} });
    }
    const key = record.key === null ? null : asText('its key', record.key);
    const value = asText('its value', record.value);
    const own = new Map<string, string>();
    const headers: { key: string; value: string }[] = [];
    for (const [name, raw] of record.headers) {
      if (name.includes('\u0000')) throw refusal('a header name contains a NUL character, which Handoff cannot keep');
      const headerValue = raw === null ? '' : asText(`header ${name}`, raw);
      if (own.has(name) || headers.some((header) => header.key === name)) throw refusal(`header ${name} appears more than once; a job has one value per header`);
      if (name.startsWith(reservedHeaderPrefix)) {
        if (!(Object.values(intakeHeaders) as string[]).includes(name)) throw refusal(`header ${name} is reserved for Handoff (an intake record may set ${Object.values(intakeHeaders).join(', ')})`);
        own.set(name, headerValue);
      } else headers.push({ key: name, value: headerValue });
    }
    const labels = (own.get(intakeHeaders.labels) ?? '').split(',').map((label) => label.trim()).filter((label) => label !== '');
    const priority = own.get(intakeHeaders.priority);
    if (priority !== undefined && !/^\s*[+-]?\d+\s*$/.test(priority)) throw refusal(`${intakeHeaders.priority} must be an integer (got ${JSON.stringify(priority.slice(0, 40))})`);
    const idempotencyKey = own.get(intakeHeaders.idempotencyKey);
    return {
      job: {
        id: randomUUID(),
        message: checkMessage(settings.limits, { key, value, headers }),
        labels: checkLabels(settings.limits, labels),
        ...checkOrder({ priority: priority === undefined ? null : Number(priority), fairnessKey: own.get(intakeHeaders.fairnessKey) ?? null }),
        idempotencyKey: idempotencyKey === undefined ? undefined : checkName(intakeHeaders.idempotencyKey, idempotencyKey, 256),
        source,
      },
    };
  } catch (error) {
    // The checks refuse with a message that says what is wrong; anything else is a fault here.
    if (error instanceof CodedError) return refuse(error.message);
    throw error;
  }
}

const refusal = (message: string) => new CodedError('BAD_USER_INPUT', message);

/** Text the database can keep: UTF-8, without NUL (PostgreSQL's text and jsonb refuse it). */
function asText(what: string, bytes: Uint8Array): string {
  let decoded: string;
  try {
    decoded = text.decode(bytes);
  } catch {
    throw refusal(`${what} is not UTF-8 text`); // the decoder's own error says only that it failed
  }
  if (decoded.includes('\u0000')) throw refusal(`${what} contains a NUL character, which Handoff cannot keep`);
  return decoded;
}

/** What a dead letter of a refused record carries: its key and headers where they are text, its value (in base64 if it is not). */
function keptMessage(record: IntakeRecord): JobMessage {
  const keep = (bytes: Uint8Array | null): string | null => {
    if (bytes === null) return null;
    try {
      return asText('', bytes);
    } catch {
      return null; // not text: left out of the dead letter (the record stays in the intake topic)
    }
  };
  const headers: Record<string, string> = {};
  for (const [name, raw] of record.headers) {
    const value = raw === null ? '' : keep(raw);
    if (value !== null && !name.includes('\u0000')) headers[name] = value;
  }
  const value = record.value === null ? '' : keep(record.value);
  if (value === null) headers[valueEncodingHeader] = 'base64';
  return { key: keep(record.key), value: value ?? Buffer.from(record.value ?? []).toString('base64'), headers };
}
