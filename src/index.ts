// The package entry: the SDK, and the server for those who embed it.
export * from './client/index.js';
export { startServer, type HandoffServer } from './server/index.js';
export { loadConfig, type Config } from './config.js';
export { createLogger } from './logger.js';
