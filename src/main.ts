// `npm start`: the Handoff server, configured from the environment, stopped cleanly by SIGINT/SIGTERM.
import { runServer } from './serve.js';

runServer().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
