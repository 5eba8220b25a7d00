import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './consumer.js';
import './consumerSession.js';
import './lease.js';
import './job.js';
import './stats.js';
import './apiKey.js';
import './admin.js';

export type { Context } from './builder.js';

/** The whole API, sorted so the printed schema.graphql diffs cleanly. */
export const schema: GraphQLSchema = lexicographicSortSchema(builder.toSchema());
