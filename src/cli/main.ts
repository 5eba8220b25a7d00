// `handoff`: the operator's command line. `start` and `migrate` work on this machine's configuration
// (the same environment variables as the server); every other command talks to a running server over
// GraphQL, with HANDOFF_URL / --url and HANDOFF_TOKEN / --token.
import { parseArgs } from 'node:util';
import { GraphQLClient, HandoffError } from '../client/graphqlClient.js';
import { CreateApiKey, GetConsumer, ListApiKeys, ListConsumers, ListPools, RevokeApiKey, SetStatus } from '../client/operations.js';
import type { ApiKeyRole, ConsumerFieldsFragment, ConsumerStatus } from '../client/generated/graphql.js';
import { ConfigError, loadCliSettings, loadConfig } from '../config.js';
import { age, table } from './format.js';

type Values = Record<string, string | boolean | undefined>;

interface Command {
  usage: string;
  summary: string;
  options?: Record<string, { type: 'string' | 'boolean'; help: string }>;
  /** How many positionals it takes. */
  positionals: number;
  run(positionals: string[], values: Values): Promise<void>;
}

/** Misuse of the command line: printed with the command's usage, exit code 2. */
class UsageError extends Error {}

const connection = {
  url: { type: 'string', help: 'the server, e.g. http://127.0.0.1:4000/graphql (HANDOFF_URL)' },
  token: { type: 'string', help: 'an API key (HANDOFF_TOKEN); most commands need an ADMIN key' },
} as const;
const json = { json: { type: 'boolean', help: 'print JSON instead of a table' } } as const;

/** The server could not be reached: said in one line, exit code 1. */
class UnreachableServerError extends Error {}

/** Runs `work` with a client for the configured server and closes it, whatever happens. */
async function withClient(values: Values, work: (client: GraphQLClient) => Promise<void>): Promise<void> {
  const settings = loadCliSettings(undefined, { url: stringOf(values.url), token: stringOf(values.token) });
  const client = new GraphQLClient({
    url: settings.url,
    failoverMs: 2_000,
    ...(settings.token && { headers: { authorization: `Bearer ${settings.token}` } }),
  });
  try {
    await work(client);
  } catch (error) {
    // fetch's own failure (connection refused, DNS, TLS): its cause says which.
    if (error instanceof TypeError && error.message === 'fetch failed') {
      const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
      throw new UnreachableServerError(`cannot reach Handoff at ${settings.url} (${cause}); is it running? (--url / HANDOFF_URL)`);
    }
    throw error;
  } finally {
    await client.close();
  }
}

const stringOf = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);

const statuses: readonly ConsumerStatus[] = ['FREE', 'BUSY', 'DRAINING', 'OFFLINE'];
const settableStatuses: readonly ConsumerStatus[] = ['FREE', 'BUSY', 'DRAINING'];
const roles: readonly ApiKeyRole[] = ['ADMIN', 'PRODUCER', 'CONSUMER'];

/** `value` (any letter case) if it is one of `allowed`. */
function oneOf<T extends string>(what: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((option) => option === value.toUpperCase());
  if (!found) throw new UsageError(`${what} must be one of ${allowed.join(', ')} (got "${value}")`);
  return found;
}

const print = (values: Values, data: unknown, render: () => string) => console.log(values.json ? JSON.stringify(data, null, 2) : render());

const commands: Record<string, Command> = {
  start: {
    usage: 'handoff start',
    summary: 'run the server, configured by environment variables (PORT, DATABASE_URL, KAFKA_BROKERS, … see the README)',
    positionals: 0,
    // The server and the database are loaded only by the commands that need them: the others start fast.
    run: async () => (await import('../serve.js')).runServer(),
  },
  migrate: {
    usage: 'handoff migrate',
    summary: 'apply pending migrations to DATABASE_URL, or to the embedded database in HANDOFF_DATA_DIR',
    positionals: 0,
    run: async () => console.log(await (await import('../db/migrate.js')).migrateConfiguredDatabase(loadConfig())),
  },
  consumers: {
    usage: 'handoff consumers [--pool <pool>] [--status FREE|BUSY|DRAINING|OFFLINE] [--json]',
    summary: 'list consumers: status, slots in use, heartbeat age',
    options: { pool: { type: 'string', help: 'only this pool' }, status: { type: 'string', help: 'only this status' }, ...json, ...connection },
    positionals: 0,
    run: (_positionals, values) =>
      withClient(values, async (client) => {
        const status = oneOf('--status', stringOf(values.status), statuses);
        const consumers: ConsumerFieldsFragment[] = [];
        let after: string | null | undefined;
        do {
          const page = (await client.request(ListConsumers, { pool: stringOf(values.pool) ?? null, status: status ?? null, first: 500, after: after ?? null })).consumers;
          consumers.push(...page.nodes);
          after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
        } while (after);
        print(values, consumers, () =>
          table(
            ['ID', 'POOL', 'STATUS', 'IN FLIGHT', 'HEARTBEAT', 'LABELS', 'TOPIC'],
            consumers.map((c) => [c.id, c.pool, c.status, `${c.inFlight}/${c.capacity}`, age(c.lastHeartbeatAt), c.labels.join(','), c.topic]),
            'no consumers',
          ),
        );
      }),
  },
  pools: {
    usage: 'handoff pools [--json]',
    summary: 'counts per pool: consumers by status, slots, waiting producers, claims, dead letters',
    options: { ...json, ...connection },
    positionals: 0,
    run: (_positionals, values) =>
      withClient(values, async (client) => {
        const { pools } = await client.request(ListPools, {});
        print(values, pools, () =>
          table(
            ['POOL', 'CONSUMERS', 'FREE', 'BUSY', 'DRAINING', 'OFFLINE', 'SLOTS IN USE', 'WAITING', 'CLAIMS/MIN', 'DEAD LETTERS'],
            pools.map((p) => [p.pool ?? '', p.consumers, p.free, p.busy, p.draining, p.offline, `${p.inFlight}/${p.capacity}`, p.waitingProducers, p.claimsLastMinute, p.deadLettered].map(String)),
            'no pools',
          ),
        );
      }),
  },
  status: {
    usage: 'handoff status <consumer-id> FREE|BUSY|DRAINING',
    summary: "set a consumer's status as an operator (DRAINING: it takes no new job and finishes what it holds)",
    options: { ...connection },
    positionals: 2,
    run: ([id, wanted], values) =>
      withClient(values, async (client) => {
        const status = oneOf('the status', wanted, settableStatuses);
        const { consumer } = await client.request(GetConsumer, { id: id! });
        if (!consumer) throw new HandoffError('NOT_FOUND', `consumer ${id} is not registered`);
        const { setStatus } = await client.request(SetStatus, { id: consumer.id, status: status!, epoch: consumer.epoch });
        console.log(`${setStatus.id}: ${consumer.status} → ${setStatus.status}`);
      }),
  },
  'keys create': {
    usage: 'handoff keys create --role ADMIN|PRODUCER|CONSUMER [--pool <pool>] [--consumer <id or prefix*>]',
    summary: 'create an API key; its token is printed once',
    options: {
      role: { type: 'string', help: 'ADMIN, PRODUCER or CONSUMER' },
      pool: { type: 'string', help: 'PRODUCER and CONSUMER keys: only this pool' },
      consumer: { type: 'string', help: "CONSUMER keys: the consumer id it acts for, or a prefix ending in '*'" },
      ...json,
      ...connection,
    },
    positionals: 0,
    run: (_positionals, values) =>
      withClient(values, async (client) => {
        const role = oneOf('--role', stringOf(values.role), roles);
        if (!role) throw new UsageError('--role is required');
        const { createApiKey } = await client.request(CreateApiKey, {
          input: { role, pool: stringOf(values.pool) ?? null, consumerId: stringOf(values.consumer) ?? null },
        });
        print(values, createApiKey, () => `created ${role} key ${createApiKey.key.id}\ntoken (shown once): ${createApiKey.token}`);
      }),
  },
  'keys list': {
    usage: 'handoff keys list [--json]',
    summary: 'list API keys (never their tokens)',
    options: { ...json, ...connection },
    positionals: 0,
    run: (_positionals, values) =>
      withClient(values, async (client) => {
        const { apiKeys } = await client.request(ListApiKeys, {});
        print(values, apiKeys, () =>
          table(
            ['ID', 'ROLE', 'POOL', 'CONSUMER', 'CREATED', 'REVOKED'],
            apiKeys.map((k) => [k.id, k.role, k.pool ?? '*', k.consumerId ?? '', String(k.createdAt), k.revokedAt ? String(k.revokedAt) : '']),
          ),
        );
      }),
  },
  'keys revoke': {
    usage: 'handoff keys revoke <key-id>',
    summary: 'revoke an API key at once, on every replica (its open WebSockets are closed)',
    options: { ...connection },
    positionals: 1,
    run: ([id], values) =>
      withClient(values, async (client) => {
        const { revokeApiKey } = await client.request(RevokeApiKey, { id: id! });
        console.log(`revoked ${revokeApiKey.id} at ${String(revokeApiKey.revokedAt)}`);
      }),
  },
};

function help(name?: string): string {
  const command = name === undefined ? undefined : commands[name];
  if (!command) {
    const width = Math.max(...Object.keys(commands).map((key) => key.length));
    return [
      'handoff: gives each Kafka job to the next free consumer.',
      '',
      'usage: handoff <command> [options]     handoff <command> --help',
      '',
      'commands:',
      ...Object.entries(commands).map(([key, c]) => `  ${key.padEnd(width)}  ${c.summary}`),
      '',
      'Commands that talk to a server take --url (HANDOFF_URL, default http://127.0.0.1:4000/graphql)',
      'and --token (HANDOFF_TOKEN).',
    ].join('\n');
  }
  const options = Object.entries(command.options ?? {}).map(([key, option]) => `  --${key}${option.type === 'string' ? ' <value>' : ''}`.padEnd(24) + option.help);
  return [`usage: ${command.usage}`, '', command.summary, ...(options.length ? ['', 'options:', ...options] : [])].join('\n');
}

/** Runs the command line `argv` (without node and the script); returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const name = argv[0] === 'keys' && argv[1] !== undefined && !argv[1].startsWith('-') ? `keys ${argv[1]}` : argv[0];
  const rest = argv.slice(name?.includes(' ') ? 2 : 1);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`unknown command "${argv.slice(0, 2).join(' ')}"\n\n${help()}`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { help: { type: 'boolean', short: 'h' }, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(help(name));
      return 0;
    }
    if (positionals.length !== command.positionals) throw new UsageError(`expected ${command.positionals} argument(s), got ${positionals.length}`);
    await command.run(positionals, values);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`${error.message}\n\n${help(name)}`);
      return 2;
    }
    if (error instanceof HandoffError) {
      console.error(`${error.code}: ${error.message}`);
      return 1;
    }
    if (error instanceof UnreachableServerError) {
      console.error(error.message);
      return 1;
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}
