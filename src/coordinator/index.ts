// The domain, composed from its parts and given its ports. It knows nothing of GraphQL, HTTP or
// Kafka: the schema maps GraphQL onto these parts, and the edges implement the ports.
import type { Logger } from '../logger.js';
import { Claims } from './claims.js';
import { Leases } from './leases.js';
import { type ChangeSource, type Clock, type Database, type JobTransport, type Observer, type SweepReport, systemClock, unobserved } from './ports.js';
import { Registry } from './registry.js';
import type { CoordinatorSettings } from './settings.js';
import { Stats } from './stats.js';
import { startSweeper, sweep } from './sweeper.js';

export interface CoordinatorPorts {
  database: Database;
  changes: ChangeSource;
  /** Kafka, when configured: consumer topics are created on registration, and dispatch produces. */
  transport?: JobTransport | undefined;
  observer?: Observer | undefined;
  clock?: Clock | undefined;
}

export interface Coordinator {
  readonly registry: Registry;
  readonly claims: Claims;
  readonly leases: Leases;
  readonly stats: Stats;
  /** One pass of everything time decides (the sweeper runs it on a timer). */
  sweep(): Promise<SweepReport>;
  /** Runs the sweep every `intervalMs` until close(). */
  startSweeping(intervalMs: number): void;
  close(): Promise<void>;
}

export function createCoordinator(ports: CoordinatorPorts, settings: CoordinatorSettings, log: Logger): Coordinator {
  const { database, changes, transport } = ports;
  const observer = ports.observer ?? unobserved;
  const registry = new Registry(database, settings, log, transport);
  const claims = new Claims(database, settings, log, transport, observer, ports.clock ?? systemClock);
  const leases = new Leases(database, settings);
  const stats = new Stats(database, settings, (pool) => claims.waiting(pool));
  const stopChanges = changes.onChange((change) => {
    if (change.slotOpened) claims.serve(change.consumer.pool);
  });
  const stopGaps = changes.onGap(() => claims.serveAll());
  const pass = () => sweep(database, transport, settings, log, observer);
  let stopSweeper: (() => Promise<void>) | undefined;
  return {
    registry,
    claims,
    leases,
    stats,
    sweep: pass,
    startSweeping(intervalMs) {
      // After each pass, waiting producers are served again in case a notification was missed.
      stopSweeper ??= startSweeper(pass, () => claims.serveAll(), intervalMs, log);
    },
    async close() {
      await stopSweeper?.();
      stopChanges();
      stopGaps();
      await claims.close();
    },
  };
}

export type { CoordinatorSettings } from './settings.js';
