// How late this replica could have been to hear a consumer. A heartbeat sent in time can land late
// when the replica is slow — its event loop blocked or starved of CPU, its database statements
// queued — and a verdict on that evidence would mistake the server's slowness for the consumer's
// death. Each replica measures its own lag and publishes the worst of the last heartbeat TTL in its
// `replicas` row; every replica judges a consumer OFFLINE only after the TTL plus the largest lag any
// replica published (see touchReplica and markSilentConsumersOffline).
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { Clock } from './ports.js';

export class ReplicaLag {
  private readonly loop: IntervalHistogram;
  private readonly samples: { at: number; ms: number }[] = [];
  /** The worst delay observed (late timers, slow liveness statements) since the last sample. */
  private observed = 0;

  constructor(
    /** How long a sample counts: the heartbeat TTL (a heartbeat delayed that long may still be on its way). */
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {
    // 20 ms resolution: coarse enough to cost nothing, fine enough for delays that matter against a TTL of seconds.
    this.loop = monitorEventLoopDelay({ resolution: 20 });
    this.loop.enable();
  }

  /** Something that should have taken no time took `ms`: a timer fired late, a liveness statement was slow. */
  observe(ms: number): void {
    if (ms > this.observed) this.observed = ms;
  }

  /** The worst lag of the window, this moment's included (event-loop delay and what was observed), in whole ms. */
  sample(): number {
    const now = this.clock.now();
    // The histogram's max is 0 before its first measurement.
    const loopMs = this.loop.max / 1e6;
    this.loop.reset();
    this.samples.push({ at: now, ms: Math.max(loopMs, this.observed) });
    this.observed = 0;
    while (this.samples.length > 0 && this.samples[0]!.at < now - this.windowMs) this.samples.shift();
    let worst = 0;
    for (const sample of this.samples) if (sample.ms > worst) worst = sample.ms;
    return Math.ceil(worst);
  }

  stop(): void {
    this.loop.disable();
  }
}
