// Prometheus metrics at /metrics: what this replica did (counters, histograms) and what the database
// says now (consumers by pool and status, dead-lettered jobs), read once per scrape.
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Observer, SweepReport } from '../coordinator/ports.js';
import type { PoolStats } from '../coordinator/types.js';

const statuses = ['free', 'busy', 'draining', 'offline'] as const;

/** How many label values of one kind a pool reports at most; the rest are summed under "*". */
export const topGroups = 10;

export interface MetricsSources {
  /** Counts per pool, from the database. */
  pools(): Promise<PoolStats[]>;
  /** A pool's pending and in-flight jobs by priority or fairness key: the `top` largest groups, the rest summed as "*". */
  jobsBy(pool: string, by: 'priority' | 'fairnessKey', top: number): Promise<{ group: string; pending: number; inFlight: number }[]>;
  /** Subscriptions open on this replica, by transport. */
  openSubscriptions(): { ws: number; sse: number };
}

export class Metrics implements Observer {
  readonly registry = new Registry();
  private readonly claims = new Counter({
    name: 'handoff_claims_total',
    help: 'Slots claimed on this replica (claimFreeConsumer, awaitFreeConsumer, dispatch).',
    labelNames: ['pool'],
    registers: [this.registry],
  });
  private readonly claimWait = new Histogram({
    name: 'handoff_claim_wait_seconds',
    help: 'How long a claim waited in line for a free consumer (0 when one was free at once).',
    labelNames: ['pool'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly expiries = new Counter({
    name: 'handoff_lease_expiries_total',
    help: 'Leases this replica expired: claims never dispatched (claim) and jobs whose consumer went silent or late (job).',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly markedOffline = new Counter({
    name: 'handoff_consumers_marked_offline_total',
    help: 'Consumers this replica marked OFFLINE because their heartbeats stopped.',
    registers: [this.registry],
  });
  private readonly lag = new Gauge({
    name: 'handoff_replica_lag_seconds',
    help: 'The worst lag this replica measured over the last heartbeat TTL: event-loop delay, a late sweep, slow liveness statements.',
    registers: [this.registry],
  });
  private readonly offlineGrace = new Gauge({
    name: 'handoff_offline_grace_seconds',
    help: 'How much longer than the heartbeat TTL a consumer must be silent now to be judged OFFLINE: the worst lag of any replica (a replica gone silent counts by its silence).',
    registers: [this.registry],
  });
  private readonly verdicts = new Gauge({
    name: 'handoff_offline_verdicts',
    help: 'Times registered consumers were judged OFFLINE (all replicas: read from the database).',
    labelNames: ['pool'],
    registers: [this.registry],
  });
  private readonly falseOfflines = new Gauge({
    name: 'handoff_false_offlines',
    help: 'Times a registered consumer judged OFFLINE then showed life with the same epoch: it was alive, only unheard (all replicas: read from the database).',
    labelNames: ['pool'],
    registers: [this.registry],
  });
  private readonly redeliveries = new Counter({
    name: 'handoff_redeliveries_total',
    help: 'Jobs this replica sent again (attempt + 1) after their lease expired or failed.',
    registers: [this.registry],
  });
  private readonly deadLetters = new Counter({
    name: 'handoff_dead_letters_total',
    help: 'Jobs this replica wrote to a dead-letter topic after their last attempt.',
    registers: [this.registry],
  });
  private readonly consumers = new Gauge({
    name: 'handoff_consumers',
    help: 'Registered consumers by pool and status (all replicas: read from the database).',
    labelNames: ['pool', 'status'],
    registers: [this.registry],
  });
  private readonly slots = new Gauge({
    name: 'handoff_slots',
    help: 'Consumer slots by pool: capacity, and in_flight (held by leases).',
    labelNames: ['pool', 'kind'],
    registers: [this.registry],
  });
  private readonly deadLettered = new Gauge({
    name: 'handoff_dead_lettered_jobs',
    help: 'Jobs on the dead-letter topic of each pool (all replicas: read from the database).',
    labelNames: ['pool'],
    registers: [this.registry],
  });
  private readonly backlog = new Gauge({
    name: 'handoff_backlog_jobs',
    help: 'Backlog jobs waiting for a free consumer (submitJobs, the Kafka intake), by pool (read from the database).',
    labelNames: ['pool'],
    registers: [this.registry],
  });
  private readonly backlogOldest = new Gauge({
    name: 'handoff_backlog_oldest_seconds',
    help: 'How long the oldest pending backlog job of each pool has waited (0 with none).',
    labelNames: ['pool'],
    registers: [this.registry],
  });
  private readonly jobsByGroup = new Gauge({
    name: 'handoff_jobs',
    help: `Pending and in-flight jobs per pool by priority and by fairness key: the ${topGroups} largest groups of each, the rest summed as group="*".`,
    labelNames: ['pool', 'by', 'group', 'state'],
    registers: [this.registry],
  });
  private readonly waitingProducers = new Gauge({
    name: 'handoff_waiting_producers',
    help: 'Producers waiting for a free consumer, on every replica (awaitFreeConsumer, dispatch with waitMs; read from the database).',
    labelNames: ['pool'],
    registers: [this.registry],
  });
  private readonly subscriptions = new Gauge({
    name: 'handoff_subscriptions_open',
    help: 'GraphQL subscriptions open on this replica, by transport.',
    labelNames: ['transport'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  claimed(pool: string, waitedMs: number): void {
    this.claims.inc({ pool });
    this.claimWait.observe({ pool }, waitedMs / 1000);
  }

  /** Jobs Handoff produced after assigning them: those with attempt > 1 were sent again. */
  delivered(jobs: readonly { attempt: number }[]): void {
    this.redeliveries.inc(jobs.filter((job) => job.attempt > 1).length);
  }

  swept(report: SweepReport): void {
    this.expiries.inc({ kind: 'claim' }, report.expiredClaims);
    this.expiries.inc({ kind: 'job' }, report.expiredJobs);
    this.markedOffline.inc(report.offline);
    this.deadLetters.inc(report.deadLettered);
  }

  lagged(lagMs: number, graceMs: number): void {
    this.lag.set(lagMs / 1000);
    this.offlineGrace.set(graceMs / 1000);
  }

  /** GraphQL operation durations and errors, from Yoga's Prometheus plugin, into this registry. */
  yogaPlugin(): Plugin {
    return usePrometheus({
      registry: this.registry,
      endpoint: false,
      // Operation durations (count included) and errors, nothing else. The plugin merges these with
      // its defaults, which turn every other metric on, so each is turned off by name: the HTTP-duration
      // histogram cost about 1 ms per request here, and the phase timers a TypeInfo walk per operation.
      metrics: {
        graphql_envelop_request_duration: true,
        graphql_envelop_error_result: true,
        graphql_envelop_deprecated_field: false,
        graphql_envelop_request: false,
        graphql_envelop_request_time_summary: false,
        graphql_envelop_phase_parse: false,
        graphql_envelop_phase_validate: false,
        graphql_envelop_phase_context: false,
        graphql_envelop_execute_resolver: false,
        graphql_envelop_phase_execute: false,
        graphql_envelop_phase_subscribe: false,
        graphql_envelop_schema_change: false,
        graphql_yoga_http_duration: false,
      },
      labels: { url: false },
    });
  }

  /** The text Prometheus scrapes, after reading the database's counts once. */
  async scrape(sources: MetricsSources): Promise<{ contentType: string; body: string }> {
    const pools = await sources.pools();
    for (const gauge of [this.consumers, this.slots, this.deadLettered, this.waitingProducers, this.backlog, this.backlogOldest, this.jobsByGroup, this.verdicts, this.falseOfflines]) {
      gauge.reset();
    }
    for (const stats of pools) {
      const pool = stats.pool ?? '';
      for (const status of statuses) this.consumers.set({ pool, status: status.toUpperCase() }, stats[status]);
      this.slots.set({ pool, kind: 'capacity' }, stats.capacity);
      this.slots.set({ pool, kind: 'in_flight' }, stats.inFlight);
      this.deadLettered.set({ pool }, stats.deadLettered);
      this.waitingProducers.set({ pool }, stats.waitingProducers);
      this.backlog.set({ pool }, stats.backlog);
      this.backlogOldest.set({ pool }, (stats.oldestPendingMs ?? 0) / 1000);
      this.verdicts.set({ pool }, stats.offlineVerdicts);
      this.falseOfflines.set({ pool }, stats.falseOfflines);
      for (const by of ['priority', 'fairnessKey'] as const) {
        const label = by === 'priority' ? 'priority' : 'fairness_key';
        for (const group of await sources.jobsBy(pool, by, topGroups)) {
          this.jobsByGroup.set({ pool, by: label, group: group.group, state: 'pending' }, group.pending);
          this.jobsByGroup.set({ pool, by: label, group: group.group, state: 'in_flight' }, group.inFlight);
        }
      }
    }
    const open = sources.openSubscriptions();
    this.subscriptions.set({ transport: 'ws' }, open.ws);
    this.subscriptions.set({ transport: 'sse' }, open.sse);
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
