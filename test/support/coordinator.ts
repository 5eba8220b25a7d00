// The coordinator on its own, given its ports — a fresh test database and its change feed, no Kafka —
// with no GraphQL server around it.
import type { Config } from '../../src/config.js';
import { type Coordinator, createCoordinator } from '../../src/coordinator/index.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { startChangeFeed } from '../../src/events/changeFeed.js';
import { createLogger } from '../../src/logger.js';
import { type BackendName, createTestDatabase } from './databases.js';
import { testConfig } from './harness.js';

export interface StandaloneCoordinator {
  coordinator: Coordinator;
  /** Closes the coordinator, the feed, the database, and drops it. */
  close(): Promise<void>;
}

/**
 * Starts it on a new database of `backend` with the config `overrides`. `wrap` may stand between the
 * coordinator and its database (the change feed listens on the database itself). What was opened
 * before a failure is closed again.
 */
export async function startCoordinator(
  backend: BackendName,
  overrides: Partial<Config>,
  wrap: (database: Database) => Database = (database) => database,
): Promise<StandaloneCoordinator> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const testDatabase = await createTestDatabase(backend);
    closers.push(() => testDatabase.drop());
    const config = testConfig(testDatabase, overrides);
    const database = await openDatabase(config);
    closers.push(() => database.close());
    const log = createLogger(config);
    const feed = await startChangeFeed(database, log);
    closers.push(() => feed.close());
    const coordinator = createCoordinator({ database: wrap(database), changes: feed }, config, log);
    closers.push(() => coordinator.close());
    await coordinator.start(60_000);
    return { coordinator, close };
  } catch (error) {
    await close();
    throw error;
  }
}
