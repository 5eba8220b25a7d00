// Time-based work, on a timer (Coordinator.sweep says what), and waiting producers are served again in
// case a notification was missed. Every statement is conditional and idempotent, so every replica runs it.
import type { Logger } from '../logger.js';
import type { Coordinator } from './coordinator.js';

export function startSweeper(coordinator: Coordinator, intervalMs: number, log: Logger): () => Promise<void> {
  let running: Promise<void> = Promise.resolve();
  const sweep = async () => {
    try {
      const report = await coordinator.sweep();
      if (Object.values(report).some((count) => count > 0)) log.info(report, 'sweep');
    } catch (error) {
      log.error({ err: error }, 'sweep failed; retrying on the next tick');
    }
    coordinator.serveWaitingProducers();
  };
  const timer = setInterval(() => {
    running = running.then(sweep);
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
