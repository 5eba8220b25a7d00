// The one SchemaBuilder. Fields are non-null unless a field says otherwise.
import SchemaBuilder from '@pothos/core';
import type { Coordinator } from '../coordinator/coordinator.js';
import type { ChangeFeed } from '../events/changeFeed.js';

export interface Context {
  coordinator: Coordinator;
  feed: ChangeFeed;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
  };
}>({
  defaultFieldNullability: false,
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
