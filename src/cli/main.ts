// `handoff`: the operator's command line. `start` and `migrate` work on this machine's configuration
// (the same environment variables as the server); every other command talks to a running server over
// GraphQL, with HANDOFF_URL / --url and HANDOFF_TOKEN / --token.
import { parseArgs } from 'node:util';
import { GraphQLClient, HandoffError } from '../client/graphqlClient.js';
import { CreateApiKey, GetConsumer, GetPoolBacklog, ListApiKeys, ListConsumers, ListJobs, ListPools, RevokeApiKey, SetStatus } from '../client/operations.js';
import type { ApiKeyRole, ConsumerFieldsFragment, ConsumerStatus, JobFieldsFragment, JobState } from '../client/generated/graphql.js';
import {
  CancelJob,
  DiscardDeadLetter,
  DrainConsumer,
  ExpireLease,
  ListAuditLog,
  ListDeadLetters,
  ListLeasesInFlight,
  RemoveConsumer,
  ReplayDeadLetter,
  RequeueLease,
  ResumeConsumer,
} from '../client/operations.js';
import type { ListDeadLettersQuery, ListLeasesInFlightQuery } from '../client/generated/graphql.js';
import { ConfigError, loadCliSettings, loadConfig } from '../config.js';
import { age, printable, seconds, shortened, table } from './format.js';

type Values = Record<string, string | boolean | undefined>;

interface Command {
  usage: string;
  summary: string;
  options?: Record<string, { type: 'string' | 'boolean'; help: string }>;
  /** How many positionals it takes; -1: the command checks them itself. */
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
const jobStates: readonly JobState[] = ['PENDING', 'DISPATCHED', 'COMPLETED', 'CANCELLED', 'DEAD_LETTERING', 'DEAD_LETTERED'];

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
  jobs: {
    usage: `handoff jobs <pool> [--state ${jobStates.join('|')}] [--first <n>] [--json]`,
    summary: "a pool's backlog jobs, oldest first: state, priority, fairness key, labels, attempts, age, where the intake read them",
    options: {
      state: { type: 'string', help: 'only jobs in this state' },
      first: { type: 'string', help: 'at most this many (default 100)' },
      ...json,
      ...connection,
    },
    positionals: 1,
    run: ([pool], values) =>
      withClient(values, async (client) => {
        const state = oneOf('--state', stringOf(values.state), jobStates);
        const first = stringOf(values.first) ?? '100';
        if (!/^[1-9]\d{0,6}$/.test(first)) throw new UsageError(`--first must be a whole number from 1 (got "${first}")`);
        const jobs: JobFieldsFragment[] = [];
        let after: string | null | undefined;
        do {
          const page = (await client.request(ListJobs, { pool: pool!, state: state ?? null, first: Math.min(500, Number(first) - jobs.length), after: after ?? null })).jobs;
          jobs.push(...page.nodes);
          after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
        } while (after && jobs.length < Number(first));
        print(values, jobs, () =>
          table(
            ['ID', 'STATE', 'PRIORITY', 'FAIRNESS KEY', 'LABELS', 'ATTEMPTS', 'SUBMITTED', 'FROM', 'VALUE'],
            jobs.map((j) => [
              j.id,
              j.state,
              String(j.priority),
              j.fairnessKey ?? '',
              j.labels.join(','),
              String(j.attempts),
              age(j.submittedAt),
              j.source ? `${j.source.topic}/${j.source.partition}/${j.source.offset}` : 'api',
              // Quoted as JSON: where the value starts and ends shows, and control characters are escaped.
              j.value === null ? '' : JSON.stringify(shortened(j.value, 40)),
            ]),
            `no jobs in pool ${pool}${state ? ` in state ${state}` : ''}`,
          ),
        );
      }),
  },
  backlog: {
    usage: 'handoff backlog [<pool>] [--top <n>] [--json]',
    summary: 'what waits: pending jobs, the oldest one’s age and waiting producers per pool; for one pool, by priority and fairness key',
    options: { top: { type: 'string', help: 'one pool: the largest groups shown (1–50, default 10)' }, ...json, ...connection },
    positionals: -1,
    run: (positionals, values) =>
      withClient(values, async (client) => {
        if (positionals.length > 1) throw new UsageError(`expected at most 1 argument (a pool), got ${positionals.length}`);
        const [pool] = positionals;
        if (pool === undefined) {
          const { pools } = await client.request(ListPools, {});
          print(values, pools, () =>
            table(
              ['POOL', 'BACKLOG', 'OLDEST', 'WAITING PRODUCERS', 'SLOTS IN USE', 'INTAKE TOPIC'],
              pools.map((p) => [p.pool ?? '', String(p.backlog), seconds(p.oldestPendingSeconds), String(p.waitingProducers), `${p.inFlight}/${p.capacity}`, p.intakeTopic ?? '']),
              'no pools',
            ),
          );
          return;
        }
        const topGiven = stringOf(values.top) ?? '10';
        if (!/^\d{1,2}$/.test(topGiven) || Number(topGiven) < 1 || Number(topGiven) > 50) throw new UsageError(`--top must be a whole number from 1 to 50 (got "${topGiven}")`);
        const top = Number(topGiven);
        const { stats } = await client.request(GetPoolBacklog, { pool, top });
        const groups = (title: string, rows: { group: string; pending: number; inFlight: number }[]) =>
          table([title, 'PENDING', 'IN FLIGHT'], rows.map((row) => [row.group === '' ? '(none)' : row.group, String(row.pending), String(row.inFlight)]), `no jobs by ${title.toLowerCase()}`);
        print(values, stats, () =>
          [
            `pool ${pool}: ${stats.backlog} pending, the oldest waiting ${seconds(stats.oldestPendingSeconds)}; ${stats.waitingProducers} waiting producer(s); ${stats.inFlight}/${stats.capacity} slots in use`,
            ...(stats.intakeTopic ? [`intake topic: ${stats.intakeTopic}`] : []),
            '',
            groups('PRIORITY', stats.byPriority),
            '',
            groups('FAIRNESS KEY', stats.byFairnessKey),
          ].join('\n'),
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
  // ---- The operator console's actions (ADMIN keys; each is written to the audit log) ----
  drain: {
    usage: 'handoff drain <consumer-id>',
    summary: 'drain a consumer as an operator: DRAINING, no new job, what it holds finishes (no epoch needed; audited)',
    options: { ...connection },
    positionals: 1,
    run: ([id], values) =>
      withClient(values, async (client) => {
        const { drainConsumer: c } = await client.request(DrainConsumer, { id: id! });
        console.log(`${c.id}: ${c.status === 'OFFLINE' ? 'OFFLINE, declared DRAINING' : 'DRAINING'}; ${c.inFlight} lease(s) in flight finish, no new job`);
      }),
  },
  resume: {
    usage: 'handoff resume <consumer-id>',
    summary: 'end a drain: the consumer is FREE again and takes jobs (audited)',
    options: { ...connection },
    positionals: 1,
    run: ([id], values) =>
      withClient(values, async (client) => {
        const { resumeConsumer: c } = await client.request(ResumeConsumer, { id: id! });
        console.log(`${c.id}: ${c.status === 'OFFLINE' ? 'OFFLINE, declared FREE' : 'FREE'}; ${c.inFlight}/${c.capacity} slots in use`);
      }),
  },
  remove: {
    usage: 'handoff remove <consumer-id>',
    summary: 'deregister a consumer as an operator; refused while it holds leases (drain it first) (audited)',
    options: { ...connection },
    positionals: 1,
    run: ([id], values) =>
      withClient(values, async (client) => {
        const { removeConsumer: c } = await client.request(RemoveConsumer, { id: id! });
        console.log(`${c.id}: deregistered; topic ${c.topic} is free`);
      }),
  },
  leases: {
    usage: 'handoff leases [--pool <pool>] [--json]',
    summary: 'leases in flight, the longest held first: consumer, state, attempt, age, time left, job',
    options: { pool: { type: 'string', help: 'only this pool' }, ...json, ...connection },
    positionals: 0,
    run: (_positionals, values) =>
      withClient(values, async (client) => {
        const leases: ListLeasesInFlightQuery['leasesInFlight']['nodes'] = [];
        let after: string | null | undefined;
        do {
          const page = (await client.request(ListLeasesInFlight, { pool: stringOf(values.pool) ?? null, first: 500, after: after ?? null })).leasesInFlight;
          leases.push(...page.nodes);
          after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
        } while (after);
        print(values, leases, () =>
          table(
            ['LEASE', 'POOL', 'CONSUMER', 'STATE', 'ATTEMPT', 'HELD', 'EXPIRES IN', 'JOB'],
            leases.map((l) => [l.id, l.pool, l.lease.consumer.id, l.lease.state, String(l.lease.attempt), seconds(l.ageSeconds), l.expiresInSeconds < 0 ? 'overdue' : seconds(l.expiresInSeconds), l.jobId ?? '(claim, no job)']),
            'no leases in flight',
          ),
        );
      }),
  },
  'leases requeue': {
    usage: 'handoff leases requeue <lease-id> [--reason <text>]',
    summary: 'release a stuck lease: its job waits first in line, attempts kept (audited)',
    options: { reason: { type: 'string', help: 'a note for the audit log' }, ...connection },
    positionals: 1,
    run: ([id], values) =>
      withClient(values, async (client) => {
        const { requeueLease: l } = await client.request(RequeueLease, { id: id!, reason: stringOf(values.reason) ?? null });
        console.log(`lease ${l.id} of ${l.consumer.id}: ${l.state}; its job (if any) waits first in line`);
      }),
  },
  'leases expire': {
    usage: 'handoff leases expire <lease-id> [--reason <text>]',
    summary: 'expire a lease now: its job is sent again (attempt + 1), or dead-lettered after its last attempt (audited)',
    options: { reason: { type: 'string', help: 'a note for the audit log' }, ...connection },
    positionals: 1,
    run: ([id], values) =>
      withClient(values, async (client) => {
        const { expireLease: l } = await client.request(ExpireLease, { id: id!, reason: stringOf(values.reason) ?? null });
        console.log(`lease ${l.id} of ${l.consumer.id}: ${l.state} at attempt ${l.attempt}`);
      }),
  },
  'dlq list': {
    usage: 'handoff dlq list [--pool <pool>] [--json]',
    summary: 'dead-lettered jobs, oldest first: attempts, reason, size, the start of the value (escaped)',
    options: { pool: { type: 'string', help: 'only this pool' }, ...json, ...connection },
    positionals: 0,
    run: (_positionals, values) =>
      withClient(values, async (client) => {
        const dead: ListDeadLettersQuery['deadLetters']['nodes'] = [];
        let after: string | null | undefined;
        do {
          const page = (await client.request(ListDeadLetters, { pool: stringOf(values.pool) ?? null, first: 500, after: after ?? null })).deadLetters;
          dead.push(...page.nodes);
          after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
        } while (after);
        print(values, dead, () =>
          table(
            ['JOB', 'POOL', 'STATE', 'ATTEMPTS', 'DEAD-LETTERED', 'REASON', 'BYTES', 'VALUE'],
            dead.map((d) => [
              d.id,
              d.pool,
              d.state,
              String(d.attempts),
              age(d.deadLetteredAt),
              shortened(printable(d.reason ?? ''), 40),
              String(d.valueBytes),
              shortened(d.value.text, 40),
            ]),
            'no dead letters',
          ),
        );
      }),
  },
  'dlq replay': {
    usage: 'handoff dlq replay <job-id>',
    summary: 'put a dead letter back in line: PENDING, first in line, attempts reset to 0 (audited)',
    options: { ...connection },
    positionals: 1,
    run: ([id], values) =>
      withClient(values, async (client) => {
        const { replayDeadLetter: j } = await client.request(ReplayDeadLetter, { id: id! });
        console.log(`job ${j.id} in ${j.pool}: ${j.state}, first in line, attempts reset to ${j.attempts}`);
      }),
  },
  'dlq discard': {
    usage: 'handoff dlq discard <job-id> [--reason <text>]',
    summary: 'give up on a dead letter: CANCELLED (audited)',
    options: { reason: { type: 'string', help: 'a note for the audit log' }, ...connection },
    positionals: 1,
    run: ([id], values) =>
      withClient(values, async (client) => {
        const { discardDeadLetter: j } = await client.request(DiscardDeadLetter, { id: id!, reason: stringOf(values.reason) ?? null });
        console.log(`job ${j.id} in ${j.pool}: ${j.state}`);
      }),
  },
  cancel: {
    usage: 'handoff cancel <job-id>',
    summary: 'cancel a PENDING backlog job (audited)',
    options: { ...connection },
    positionals: 1,
    run: ([id], values) =>
      withClient(values, async (client) => {
        const { cancelJob: j } = await client.request(CancelJob, { id: id! });
        console.log(`job ${j.id} in ${j.pool}: ${j.state}`);
      }),
  },
  audit: {
    usage: 'handoff audit [--first <n>] [--json]',
    summary: 'what operators did, newest first: when, which key, what, to which consumer, lease or job',
    options: { first: { type: 'string', help: 'at most this many (1–500, default 50)' }, ...json, ...connection },
    positionals: 0,
    run: (_positionals, values) =>
      withClient(values, async (client) => {
        const first = stringOf(values.first) ?? '50';
        if (!/^\d{1,3}$/.test(first) || Number(first) < 1 || Number(first) > 500) throw new UsageError(`--first must be a whole number from 1 to 500 (got "${first}")`);
        const entries = (await client.request(ListAuditLog, { first: Number(first) })).auditLog.nodes;
        print(values, entries, () =>
          table(
            ['AT', 'KEY', 'ROLE', 'ACTION', 'POOL', 'TARGET', 'WHAT'],
            entries.map((e) => [String(e.at), e.actorKeyId, e.actorRole, e.action, e.pool, e.target, printable(e.summary)]),
            'no operator actions recorded',
          ),
        );
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
  // A command of two words (keys create, leases requeue, dlq list) when the first two words name one.
  const pair = argv[1] !== undefined && !argv[1].startsWith('-') ? `${argv[0]} ${argv[1]}` : undefined;
  const name = pair !== undefined && Object.hasOwn(commands, pair) ? pair : argv[0];
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
    if (command.positionals >= 0 && positionals.length !== command.positionals) throw new UsageError(`expected ${command.positionals} argument(s), got ${positionals.length}`);
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
