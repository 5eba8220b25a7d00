// Runs the Handoff server configured from the environment until SIGINT/SIGTERM, then stops it
// cleanly: `npm start` and `handoff start`.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server/index.js';

export async function runServer(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config);
  const server = await startServer(config, log);
  log.info(
    { url: server.url, database: config.databaseUrl ? 'postgresql' : `pglite (${config.dataDir})` },
    `Handoff is up: GraphiQL at ${server.url}, dashboard at ${new URL('/', server.url).toString()}`,
  );

  const stop = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
