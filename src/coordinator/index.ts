// The domain, composed from its parts and given its ports. It knows nothing of GraphQL, HTTP or
// Kafka: the schema maps GraphQL onto these parts, and the edges implement the ports.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { Admin } from './admin.js';
import { AuditLog } from './audit.js';
import { Claims } from './claims.js';
import { Deliveries } from './deliveries.js';
import { Filler } from './filler.js';
import { History } from './history.js';
import { Intake } from './intake.js';
import { Jobs } from './jobs.js';
import { ReplicaLag } from './lag.js';
import { Leases } from './leases.js';
import { type ChangeSource, type Clock, type Database, type JobTransport, type Observer, type SweepReport, systemClock, unobserved } from './ports.js';
import { Registry } from './registry.js';
import { Sessions, sessionBeatMs } from './sessions.js';
import type { CoordinatorSettings } from './settings.js';
import type { JobSettings } from './sql/assignment.js';
import type { EndedRow } from './sql/endLeases.js';
import { reapReplicas } from './sql/reapReplicas.js';
import { touchReplica } from './sql/touchReplica.js';
import { Stats } from './stats.js';
import { Sweeper } from './sweeper.js';
import { Waiters } from './waiters.js';
import { Watching } from './watching.js';

export interface CoordinatorPorts {
  database: Database;
  changes: ChangeSource;
  /** Kafka, when configured: consumer topics are created on registration, and Handoff produces jobs. */
  transport?: JobTransport | undefined;
  observer?: Observer | undefined;
  clock?: Clock | undefined;
}

export interface Coordinator {
  /** This replica's id: the producers waiting on it are its own. */
  readonly replicaId: string;
  readonly registry: Registry;
  readonly claims: Claims;
  readonly leases: Leases;
  readonly jobs: Jobs;
  /** Records read from pools' intake topics become jobs (the Kafka side is src/kafka/intake.ts). */
  readonly intake: Intake;
  readonly stats: Stats;
  /** Which pools' consumer changes this replica's subscribers listen for (so statements announce only those). */
  readonly watching: Watching;
  /** What operators do (drain, requeue, replay, …) and look at to decide. */
  readonly admin: Admin;
  readonly auditLog: AuditLog;
  /** The pools' last hour, sampled for the dashboard's charts. */
  readonly history: History;
  /** Consumers alive while their connection answers pings (consumerSession). */
  readonly sessions: Sessions;
  /** One pass of everything time decides (the sweeper runs it on a timer). */
  sweep(): Promise<SweepReport>;
  /** Announces this replica, then runs the sweep every `intervalMs` until close(). */
  start(intervalMs: number): Promise<void>;
  close(): Promise<void>;
}

export function createCoordinator(ports: CoordinatorPorts, settings: CoordinatorSettings, log: Logger): Coordinator {
  const { database: db, changes, transport } = ports;
  const observer = ports.observer ?? unobserved;
  const replicaId = randomUUID();
  const jobSettings: JobSettings = {
    defaultLeaseTtlMs: settings.defaultLeaseTtlMs,
    processingTtlMs: settings.processingTtlMs,
    maxAttempts: settings.maxAttempts,
    produces: transport !== undefined,
  };
  const deliveries = new Deliveries(db, transport, jobSettings, log, (jobs) => observer.delivered(jobs));
  const deliver = (jobs: Parameters<Deliveries['deliver']>[0]) => deliveries.deliver(jobs);
  const filler = new Filler(db, jobSettings, deliveries, log);
  const waiters = new Waiters(replicaId, changes);
  const registry = new Registry(db, settings, jobSettings, log, transport, deliver);
  const claims = new Claims(db, settings, jobSettings, replicaId, waiters, filler, transport, observer, ports.clock ?? systemClock, deliver);
  const afterEnded = (rows: readonly EndedRow[]) => {
    for (const row of rows) {
      deliveries.deliver(row.assigned);
      // A job sent back waits in line: a free slot elsewhere may take it now.
      if (row.requeued > 0) filler.fill(row.pool);
    }
  };
  const leases = new Leases(db, settings, jobSettings, afterEnded, ports.clock ?? systemClock);
  const jobs = new Jobs(db, settings, filler, transport);
  const intake = new Intake(db, settings, filler, settings.intake.enabled && transport !== undefined);
  const stats = new Stats(db, settings);
  const watching = new Watching(db, replicaId, log);
  const admin = new Admin(db, settings, jobSettings, transport, filler, afterEnded, deliver);
  const auditLog = new AuditLog(db, settings);
  const history = new History(db, settings, log);
  const clock = ports.clock ?? systemClock;
  const lag = new ReplicaLag(settings.heartbeatTtlMs, clock);
  const sessions = new Sessions({
    db,
    filler,
    lag,
    clock,
    log,
    heartbeat: (id, epoch) => registry.heartbeat(id, epoch),
    heartbeatTtlMs: settings.heartbeatTtlMs,
  });
  const sweeper = new Sweeper({
    db,
    transport,
    settings,
    jobSettings,
    deliveries,
    replicaId,
    observer,
    log,
    lag,
    clock,
    judged: (consumers) => sessions.judged(consumers),
  });
  return {
    replicaId,
    registry,
    claims,
    leases,
    jobs,
    intake,
    stats,
    watching,
    admin,
    auditLog,
    history,
    sessions,
    sweep: () => sweeper.sweep(),
    async start(intervalMs) {
      await touchReplica(db, replicaId);
      sweeper.start(intervalMs);
      sessions.start(sessionBeatMs(settings.heartbeatTtlMs), intervalMs);
      history.start();
    },
    async close() {
      await history.stop();
      await sweeper.stop();
      await sessions.stop();
      lag.stop();
      claims.close();
      // Its waiting producers are gone with it: their jobs leave the line now, not when it goes silent.
      await reapReplicas(db, settings.replicaSilenceMs, replicaId);
      await filler.close();
      await deliveries.drain();
    },
  };
}

export type { CoordinatorSettings } from './settings.js';
