import { sql } from '../../sql/statement.js';
import type { Database } from '../ports.js';
import type { JobSettings } from './assignment.js';
import { endLeases } from './endLeases.js';

/**
 * Handoff could not produce a job it assigned: its lease is released and the job waits first in line
 * again. The freed slot takes nothing now (producing is failing; the sweeper fills it later).
 */
export function giveBackJob(db: Database, leaseId: string, reason: string, settings: JobSettings) {
  return endLeases(db, 'RELEASED', sql`l.id = ${leaseId}::uuid`, { ...settings, reason: sql`${reason}`, released: 'retry' });
}
