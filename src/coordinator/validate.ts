// Input checks run before any SQL, so a refused request changes nothing.
import type { Limits } from '../config.js';
import { badInput } from './errors.js';
import { type SettableStatus, consumerStatuses } from './types.js';

const namePattern = /^[A-Za-z0-9._:-]+$/;

/** Ids, pool names and labels share one alphabet: safe in Kafka topic names, URLs and logs. */
export function checkName(kind: string, value: string, maxLength: number): string {
  if (value.length < 1 || value.length > maxLength || !namePattern.test(value)) {
    throw badInput(`${kind} must be 1–${maxLength} characters of [A-Za-z0-9._:-] (got ${JSON.stringify(value.slice(0, 200))})`);
  }
  return value;
}

export const checkId = (limits: Limits, id: string) => checkName('id', id, limits.maxIdLength);
export const checkPool = (limits: Limits, pool: string) => checkName('pool', pool, limits.maxIdLength);

/** Kafka topic names: up to 249 characters of [A-Za-z0-9._-]. */
export function checkTopic(topic: string): string {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') {
    throw badInput(`topic must be a valid Kafka topic name: 1–249 characters of [A-Za-z0-9._-] (got ${JSON.stringify(topic.slice(0, 300))})`);
  }
  return topic;
}

export function checkLabels(limits: Limits, labels: readonly string[] | null | undefined): string[] {
  const list = labels ?? [];
  if (list.length > limits.maxLabels) {
    throw badInput(`at most ${limits.maxLabels} labels are allowed (got ${list.length})`);
  }
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

export function checkTtl(limits: Limits, ttlMs: number | null | undefined, fallback: number): number {
  const value = ttlMs ?? fallback;
  if (!Number.isInteger(value) || value < limits.minLeaseTtlMs || value > limits.maxLeaseTtlMs) {
    throw badInput(`ttlMs must be an integer from ${limits.minLeaseTtlMs} to ${limits.maxLeaseTtlMs} (got ${value})`);
  }
  return value;
}

export function checkSettableStatus(status: string): SettableStatus {
  if (status === 'OFFLINE' || !(consumerStatuses as readonly string[]).includes(status)) {
    throw badInput(`status must be FREE, BUSY or DRAINING; OFFLINE is set by Handoff (got ${status})`);
  }
  return status as SettableStatus;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkLeaseId(id: string): string {
  if (!uuidPattern.test(id)) throw badInput(`lease id must be a UUID (got ${JSON.stringify(id.slice(0, 200))})`);
  return id.toLowerCase();
}

export function checkPageSize(limits: Limits, first: number | null | undefined): number {
  const value = first ?? 50;
  if (!Number.isInteger(value) || value < 1 || value > limits.maxPageSize) {
    throw badInput(`first must be an integer from 1 to ${limits.maxPageSize} (got ${value})`);
  }
  return value;
}
