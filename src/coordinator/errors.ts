// Every refusal the coordinator can give, with the code clients see in `extensions.code`.

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'STALE_EPOCH'
  | 'NO_FREE_CONSUMER'
  | 'KAFKA_UNAVAILABLE';

export class CoordinatorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CoordinatorError';
  }
}

export const badInput = (message: string) => new CoordinatorError('BAD_USER_INPUT', message);
export const notFound = (message: string) => new CoordinatorError('NOT_FOUND', message);
export const conflict = (message: string) => new CoordinatorError('CONFLICT', message);
export const staleEpoch = (message: string) => new CoordinatorError('STALE_EPOCH', message);
export const noFreeConsumer = (message: string) => new CoordinatorError('NO_FREE_CONSUMER', message);
export const kafkaUnavailable = (message: string) => new CoordinatorError('KAFKA_UNAVAILABLE', message);
