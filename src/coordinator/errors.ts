// Every refusal the domain gives, with the code clients see in `extensions.code`.
import { CodedError } from '../protocol/errors.js';

export { CodedError as CoordinatorError };

export const badInput = (message: string) => new CodedError('BAD_USER_INPUT', message);
export const notFound = (message: string) => new CodedError('NOT_FOUND', message);
export const conflict = (message: string) => new CodedError('CONFLICT', message);
export const staleEpoch = (message: string) => new CodedError('STALE_EPOCH', message);
export const noFreeConsumer = (message: string, details?: Record<string, unknown>) => new CodedError('NO_FREE_CONSUMER', message, details);
export const kafkaUnavailable = (message: string) => new CodedError('KAFKA_UNAVAILABLE', message);
export const shuttingDown = (message: string) => new CodedError('SHUTTING_DOWN', message);
