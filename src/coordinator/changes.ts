// How a consumer change travels from a committed statement to listeners on every replica: the
// statement announces the changed row on this channel (see announceChanged), and the change source
// (src/events) reads it back with parseChange.
import { type ChangedRow, changeFromRow } from './sql/rows.js';
import type { ConsumerChange } from './types.js';

export const changesChannel = 'handoff_consumer_changes';

/** Reads a NOTIFY payload written by announceChanged. */
export function parseChange(payload: string): ConsumerChange {
  return changeFromRow(JSON.parse(payload) as ChangedRow);
}
