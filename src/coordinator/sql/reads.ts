// Reads: they change nothing and announce nothing.
import type { Consumer as ConsumerModel } from '../../db/generated/client.js';
import type { Consumer, ConsumerStatus, Lease, LeaseState, PoolStats } from '../types.js';
import { type ConsumerRow, type Db, claimableConsumers, consumerColumns, consumerFromRow } from './fragments.js';

const consumerFromModel = (model: ConsumerModel): Consumer => consumerFromRow(model);

export async function findConsumer(db: Db, id: string): Promise<Consumer | undefined> {
  const model = await db.consumer.findUnique({ where: { id } });
  return model ? consumerFromModel(model) : undefined;
}

export async function findLease(db: Db, id: string): Promise<Lease | undefined> {
  const model = await db.lease.findUnique({ where: { id }, include: { consumer: true } });
  if (!model) return undefined;
  return {
    id: model.id,
    consumer: consumerFromModel(model.consumer),
    state: model.state as LeaseState,
    attempt: model.attempt,
    claimedAt: model.claimedAt,
    expiresAt: model.expiresAt,
    endedAt: model.endedAt,
    endReason: model.endReason,
  };
}

/** A page of consumers ordered by id, starting after `afterId`; fetches one extra row to know if more follow. */
export async function listConsumers(
  db: Db,
  filter: { pool?: string | undefined; status?: ConsumerStatus | undefined; afterId?: string | undefined; limit: number },
): Promise<Consumer[]> {
  const models = await db.consumer.findMany({
    where: {
      ...(filter.pool !== undefined && { pool: filter.pool }),
      ...(filter.status !== undefined && { status: filter.status }),
      ...(filter.afterId !== undefined && { id: { gt: filter.afterId } }),
    },
    orderBy: { id: 'asc' },
    take: filter.limit + 1,
  });
  return models.map(consumerFromModel);
}

/** The consumer a claim would take now; locks and reserves nothing. */
export async function peekFreeConsumer(db: Db, pool: string, labels: string[]): Promise<Consumer | undefined> {
  const [row] = await db.$queryRaw<ConsumerRow[]>`
    SELECT ${consumerColumns('c')} FROM consumers c
    WHERE c.id = (${claimableConsumers(pool, labels)} LIMIT 1)`;
  return row ? consumerFromRow(row) : undefined;
}

export async function poolExists(db: Db, pool: string): Promise<boolean> {
  return (await db.consumer.count({ where: { pool }, take: 1 })) > 0;
}

/** What the database counts; waiting producers are counted in memory by each replica. */
export type PoolCountsRow = Omit<PoolStats, 'pool' | 'waitingProducers'> & { pool: string };

/** Counts by pool, optionally one pool only. */
export async function countByPool(db: Db, pool: string | undefined): Promise<PoolCountsRow[]> {
  return db.$queryRaw<PoolCountsRow[]>`
    SELECT c.pool,
           count(*)::int AS consumers,
           count(*) FILTER (WHERE c.status = 'FREE')::int AS free,
           count(*) FILTER (WHERE c.status = 'BUSY')::int AS busy,
           count(*) FILTER (WHERE c.status = 'DRAINING')::int AS draining,
           count(*) FILTER (WHERE c.status = 'OFFLINE')::int AS offline,
           coalesce(sum(c.capacity), 0)::int AS capacity,
           coalesce(sum(c.in_flight), 0)::int AS "inFlight",
           (SELECT count(*)::int FROM leases l
             WHERE l.pool = c.pool AND l.claimed_at > now() - interval '1 minute') AS "claimsLastMinute",
           (SELECT count(*)::int FROM leases l
             WHERE l.pool = c.pool AND l.state = 'DEAD_LETTERED') AS "deadLettered"
    FROM consumers c
    WHERE (${pool ?? null}::text IS NULL OR c.pool = ${pool ?? null})
    GROUP BY c.pool
    ORDER BY c.pool`;
}
