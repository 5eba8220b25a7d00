// Relay-style connections built from the domain's plain pages: the cursor is the item's id, encoded.
import { isName } from '../protocol/names.js';
import type { Page } from '../coordinator/types.js';
import type { builder } from './builder.js';
import { codedError } from './errors.js';

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const encode = (kind: string, id: string) => Buffer.from(`${kind}:${id}`).toString('base64url');

type FieldBuilder = Parameters<Parameters<typeof builder.queryFields>[0]>[0];

/** The arguments of a listing's page: its size and the cursor of the previous page's end. */
export const pageArgs = (t: FieldBuilder) => ({
  first: t.arg.int({ description: '1–500; defaults to 50.' }),
  after: t.arg.string({ description: 'endCursor of the previous page.' }),
});

/** The id a cursor of `kind` names (null when none is given, the first page); BAD_USER_INPUT for anything else. */
export function idFromCursor(kind: string, cursor: string | null | undefined): string | null {
  if (cursor == null) return null;
  const decoded = Buffer.from(cursor, 'base64url').toString();
  const id = decoded.startsWith(`${kind}:`) ? decoded.slice(kind.length + 1) : '';
  if (!isName(id, 1_000)) throw codedError('BAD_USER_INPUT', `after is not a cursor returned by this listing`);
  return id;
}

export function toConnection<T extends { id: string }>(kind: string, page: Page<T>): Connection<T> {
  const edges = page.items.map((node) => ({ cursor: encode(kind, node.id), node }));
  return { edges, hasNextPage: page.hasMore, endCursor: edges.at(-1)?.cursor ?? null };
}
