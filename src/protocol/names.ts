// Ids, pool names and labels share one alphabet: safe in Kafka topic names, URLs and logs.

export const nameAlphabet = '[A-Za-z0-9._:-]';
const namePattern = /^[A-Za-z0-9._:-]+$/;

export const isName = (value: string, maxLength: number): boolean =>
  value.length >= 1 && value.length <= maxLength && namePattern.test(value);

/** Kafka topic names: up to 249 characters of [A-Za-z0-9._-], not '.' or '..'. */
export const isTopicName = (topic: string): boolean => /^[A-Za-z0-9._-]{1,249}$/.test(topic) && topic !== '.' && topic !== '..';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => uuidPattern.test(value);

/** How a value is quoted in a refusal: JSON, shortened, so a long or odd input cannot flood a message. */
export const quoted = (value: string, max = 200): string => JSON.stringify(value.slice(0, max));
