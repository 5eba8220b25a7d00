// The Handoff SDK.
export { HandoffConsumer, type HandoffConsumerOptions, type Job, LeaseLostError } from './consumer.js';
export { type BacklogJob, HandoffProducer, type HandoffProducerOptions, type JobInput, type Order, type Sent } from './producer.js';
export { GraphQLClient, HandoffError, type GraphQLClientOptions } from './graphqlClient.js';
export { type ErrorCode, errorCodes } from '../protocol/errors.js';
export { intakeHeaders, recordHeaders } from '../protocol/headers.js';
export * as operations from './operations.js';
export type * from './generated/graphql.js';
