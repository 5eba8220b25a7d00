// Input checks run before any SQL, so a refused request changes nothing.
import type { Limits } from '../config.js';
import { reservedHeaderPrefix } from '../protocol/headers.js';
import { isName, isTopicName, isUuid, nameAlphabet, quoted } from '../protocol/names.js';
import { badInput } from './errors.js';
import type { JobMessage } from './ports.js';
import { type SettableStatus, consumerStatuses } from './types.js';

export function checkName(kind: string, value: string, maxLength: number): string {
  if (!isName(value, maxLength)) throw badInput(`${kind} must be 1–${maxLength} characters of ${nameAlphabet} (got ${quoted(value)})`);
  return value;
}

export const checkId = (limits: Limits, id: string) => checkName('id', id, limits.maxIdLength);
export const checkPool = (limits: Limits, pool: string) => checkName('pool', pool, limits.maxIdLength);

/** Free text that is stored: anything but NUL, which PostgreSQL text and jsonb cannot hold. */
export function checkText(kind: string, value: string): string {
  if (value.includes('\0')) throw badInput(`${kind} must not contain the NUL character (\\u0000)`);
  return value;
}

export function checkTopic(topic: string): string {
  if (!isTopicName(topic)) throw badInput(`topic must be a valid Kafka topic name: 1–249 characters of [A-Za-z0-9._-] (got ${quoted(topic, 300)})`);
  return topic;
}

/** The suffixes of a pool's own topics, `<prefix>.<pool>.<suffix>`, that no consumer may read from. */
export const reservedTopicSuffixes = ['dlq', 'intake'] as const;

/**
 * A consumer's topic: a Kafka name, never Kafka's own (`__…`) nor a pool's dead-letter or intake
 * topic; and, for a caller limited to its pool, one of that pool's topics (`<prefix>.<pool>.…`),
 * so no consumer squats another pool's.
 */
export function checkConsumerTopic(prefix: string, pool: string, topic: string, choice: 'any' | 'own pool'): string {
  checkTopic(topic);
  if (topic.startsWith('__')) throw badInput(`topic ${topic}: names starting with __ are Kafka's own`);
  const reserved = reservedTopicSuffixes.find((suffix) => topic.startsWith(`${prefix}.`) && topic.endsWith(`.${suffix}`));
  if (reserved) throw badInput(`topic ${topic}: topics ending in .${reserved} are Handoff's own (a pool's ${reserved === 'dlq' ? 'dead letters' : 'intake'})`);
  const own = `${prefix}.${pool}.`;
  if (choice === 'own pool' && !(topic.startsWith(own) && topic.length > own.length)) {
    throw badInput(`topic ${topic}: this key may only choose a topic of its consumer's pool, ${own}<name>`);
  }
  return topic;
}

/** Why an epoch is refused, said for both ways it can be wrong. */
export function staleEpochMessage(id: string, given: number, current: number): string {
  return given < current
    ? `epoch ${given} of consumer ${id} is not current (${current}): it was re-registered since`
    : `epoch ${given} of consumer ${id} is newer than its current one (${current}): epochs come from registerConsumer`;
}

export function checkLabels(limits: Limits, labels: readonly string[] | null | undefined): string[] {
  const list = labels ?? [];
  if (list.length > limits.maxLabels) throw badInput(`at most ${limits.maxLabels} labels are allowed (got ${list.length})`);
  for (const label of list) checkName('label', label, limits.maxLabelLength);
  return [...new Set(list)].sort();
}

export function checkCapacity(limits: Limits, capacity: number | null | undefined): number {
  const value = capacity ?? 1;
  if (!Number.isInteger(value) || value < limits.minCapacity || value > limits.maxCapacity) {
    throw badInput(`capacity must be an integer from ${limits.minCapacity} to ${limits.maxCapacity} (got ${value})`);
  }
  return value;
}

export function checkTtl(limits: Limits, ttlMs: number | null | undefined, fallback: number, name = 'ttlMs'): number {
  const value = ttlMs ?? fallback;
  if (!Number.isInteger(value) || value < limits.minLeaseTtlMs || value > limits.maxLeaseTtlMs) {
    throw badInput(`${name} must be an integer from ${limits.minLeaseTtlMs} to ${limits.maxLeaseTtlMs} (got ${value})`);
  }
  return value;
}

export function checkSettableStatus(status: string): SettableStatus {
  if (status === 'OFFLINE' || !(consumerStatuses as readonly string[]).includes(status)) {
    throw badInput(`status must be FREE, BUSY or DRAINING; OFFLINE is set by Handoff (got ${status})`);
  }
  return status as SettableStatus;
}

export function checkLeaseId(id: string): string {
  if (!isUuid(id)) throw badInput(`lease id must be a UUID (got ${quoted(id)})`);
  return id.toLowerCase();
}

export function checkPageSize(limits: Limits, first: number | null | undefined): number {
  const value = first ?? 50;
  if (!Number.isInteger(value) || value < 1 || value > limits.maxPageSize) {
    throw badInput(`first must be an integer from 1 to ${limits.maxPageSize} (got ${value})`);
  }
  return value;
}

/** What a claim, a wait or a dispatch asks for: a pool, labels and a time to live, checked once. */
export interface ClaimRequest {
  pool: string;
  labels: string[];
  ttlMs: number;
}

export function checkClaim(
  limits: Limits,
  input: { pool: string; labels?: readonly string[] | null; ttlMs?: number | null },
  defaultTtlMs: number,
): ClaimRequest {
  return { pool: checkPool(limits, input.pool), labels: checkLabels(limits, input.labels), ttlMs: checkTtl(limits, input.ttlMs, defaultTtlMs) };
}

export interface MessageInput {
  key?: string | null;
  value: string;
  headers?: readonly { key: string; value: string }[] | null;
}

/** A job as Kafka will carry it, within the size limit and without reserved header names. */
export function checkMessage(limits: Limits, message: MessageInput): JobMessage {
  const key = message.key == null ? null : checkText('message.key', message.key);
  checkText('message.value', message.value);
  for (const header of message.headers ?? []) {
    checkText('a header name', header.key);
    checkText(`header ${quoted(header.key)}`, header.value);
  }
  const headers = Object.fromEntries((message.headers ?? []).map((header) => [header.key, header.value]));
  const size = [key ?? '', message.value, ...Object.entries(headers).flat()].reduce((sum, part) => sum + Buffer.byteLength(part), 0);
  if (size > limits.maxMessageBytes) throw badInput(`message is ${size} bytes; the limit is ${limits.maxMessageBytes}`);
  if (Object.keys(headers).some((name) => name.startsWith(reservedHeaderPrefix))) {
    throw badInput(`header names starting with ${reservedHeaderPrefix} are reserved`);
  }
  return { key, value: message.value, headers };
}

/** Priorities a job or a waiting producer may carry: higher goes first; 0 by default. */
export const priorityRange = { min: -10, max: 10 } as const;

/** Where a job goes in its pool's line: its priority and its fairness key (a tenant, a customer). */
export interface OrderInput {
  priority?: number | null;
  fairnessKey?: string | null;
}

export function checkOrder(input: OrderInput): { priority: number; fairnessKey: string } {
  const priority = input.priority ?? 0;
  if (!Number.isInteger(priority) || priority < priorityRange.min || priority > priorityRange.max) {
    throw badInput(`priority must be an integer from ${priorityRange.min} to ${priorityRange.max} (got ${priority})`);
  }
  const fairnessKey = input.fairnessKey == null ? '' : checkName('fairnessKey', input.fairnessKey, 128);
  return { priority, fairnessKey };
}
