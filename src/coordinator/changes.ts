// How a consumer change travels from a committed statement to listeners on every replica.
import { type ChangedRow, changeFromRow, changesChannel } from './sql/fragments.js';
import type { ConsumerChange } from './types.js';

export { changesChannel };

/** Reads a NOTIFY payload written by `announceChanged`. */
export function parseChange(payload: string): ConsumerChange {
  return changeFromRow(JSON.parse(payload) as ChangedRow);
}
