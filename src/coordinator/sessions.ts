// Consumer sessions: liveness that is cheap and hard to starve. A consumer holding a session (the
// consumerSession subscription over graphql-ws) is alive while its connection answers this replica's
// pings; every beat the replica vouches for all the consumers that answered in one statement — no
// request, no GraphQL, no statement per consumer. The session also tells the consumer when Handoff
// judged it OFFLINE (its leases went with the verdict), so it stops the jobs it was running: at once
// when this replica judged it, within a sweep interval when another did.
import type { Logger } from '../logger.js';
import type { Filler } from './filler.js';
import type { ReplicaLag } from './lag.js';
import type { Clock, Database } from './ports.js';
import { findSessionConsumers } from './sql/findSessionConsumers.js';
import { consumerFromRow } from './sql/rows.js';
import { vouchForConsumers } from './sql/vouchForConsumers.js';
import type { Consumer } from './types.js';

/** What a session needs of its connection: pings, answered (a WebSocket's ping and pong). */
export interface SessionPeer {
  ping(): void;
  /** Calls `listener` on every answer; returns the function that stops it. */
  onAnswer(listener: () => void): () => void;
  /** Ends the connection: it stopped answering. */
  close(): void;
}

/** What a session tells its consumer. */
export type SessionNews =
  /** Handoff judged it OFFLINE: the leases it held are gone. */
  | { kind: 'OFFLINE'; consumer: Consumer }
  /** The session is over: another registration replaced this epoch, or the consumer deregistered. */
  | { kind: 'ENDED'; reason: 'replaced' | 'deregistered'; consumer: Consumer };

export interface Session {
  /** The consumer as the session found it (its sign of life recorded). */
  readonly consumer: Consumer;
  /** Ends the session (the subscriber left). */
  close(): void;
}

interface Open {
  consumerId: string;
  epoch: number;
  peer: SessionPeer;
  /** When its connection last answered (clock ms). */
  answeredAt: number;
  /** The answer it was last vouched for. */
  vouchedFor: number;
  /** Verdicts on the consumer the session has told of. */
  verdictsTold: number;
  /** The consumer as last seen. */
  consumer: Consumer;
  tell: (news: SessionNews) => void;
  stopAnswers: () => void;
}

export interface SessionParts {
  db: Database;
  filler: Filler;
  lag: ReplicaLag;
  clock: Clock;
  log: Logger;
  /** The check a session starts with: the consumer at this epoch (NOT_FOUND, STALE_EPOCH otherwise), and a sign of life. */
  heartbeat: (consumerId: string, epoch: number) => Promise<Consumer>;
  heartbeatTtlMs: number;
}

/** How often sessions are pinged and vouched for: a fifth of the TTL, at most 2 s. */
export const sessionBeatMs = (heartbeatTtlMs: number) => Math.max(20, Math.min(2_000, Math.floor(heartbeatTtlMs / 5)));

export class Sessions {
  private readonly byConsumer = new Map<string, Set<Open>>();
  private timers: NodeJS.Timeout[] = [];
  private beating: Promise<void> = Promise.resolve();

  constructor(private readonly parts: SessionParts) {}

  /** Opens a session for the consumer at `epoch` on `peer`, after checking it (the sign of life the check records brings it back if it was OFFLINE). */
  async open(consumerId: string, epoch: number, peer: SessionPeer, tell: (news: SessionNews) => void): Promise<Session> {
    const { db, clock } = this.parts;
    const consumer = await this.parts.heartbeat(consumerId, epoch);
    const [row] = await findSessionConsumers(db, [consumerId]);
    const now = clock.now();
    const open: Open = {
      consumerId,
      epoch,
      peer,
      answeredAt: now,
      vouchedFor: now,
      verdictsTold: row?.offlineVerdicts ?? 0,
      consumer,
      tell,
      stopAnswers: () => {},
    };
    open.stopAnswers = peer.onAnswer(() => (open.answeredAt = clock.now()));
    const sessions = this.byConsumer.get(consumerId) ?? new Set<Open>();
    sessions.add(open);
    this.byConsumer.set(consumerId, sessions);
    return {
      consumer,
      close: () => {
        open.stopAnswers();
        sessions.delete(open);
        if (sessions.size === 0 && this.byConsumer.get(consumerId) === sessions) this.byConsumer.delete(consumerId);
      },
    };
  }

  /** Open sessions on this replica. */
  get size(): number {
    let size = 0;
    for (const sessions of this.byConsumer.values()) size += sessions.size;
    return size;
  }

  /** Consumers this replica just judged OFFLINE (committed): their sessions here are told at once. */
  judged(consumers: readonly Consumer[]): void {
    for (const consumer of consumers) {
      for (const open of this.byConsumer.get(consumer.id) ?? []) {
        if (open.epoch !== consumer.epoch) continue;
        open.verdictsTold += 1;
        open.consumer = consumer;
        open.tell({ kind: 'OFFLINE', consumer });
      }
    }
  }

  /** Beats every `beatMs` and reads the news every `newsMs`, one at a time. */
  start(beatMs: number, newsMs: number): void {
    if (this.timers.length > 0) return;
    const every = (ms: number, run: () => Promise<void>) => {
      const timer = setInterval(() => {
        this.beating = this.beating.then(run);
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(beatMs, () => this.beat());
    every(newsMs, () => this.readNews());
  }

  /** Stops beating (after the beat in progress); the connections close with the server. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.beating;
    for (const sessions of this.byConsumer.values()) for (const open of sessions) open.stopAnswers();
    this.byConsumer.clear();
  }

  /**
   * Tells each session what became of its consumer that it has not heard of yet: a verdict by another
   * replica, a new epoch, a deregistration. One statement for all of them.
   */
  async readNews(): Promise<void> {
    if (this.byConsumer.size === 0) return;
    try {
      await this.tellNews();
    } catch (error) {
      // The database is unreachable: the next read tries again (news is never lost, only late).
      this.parts.log.error({ err: error }, 'could not read the state of the consumers holding sessions');
    }
  }

  /** One beat: vouches in one statement for the sessions that answered since they were last vouched for, and pings every session again. */
  async beat(): Promise<void> {
    const { db, clock, lag, filler, log, heartbeatTtlMs } = this.parts;
    if (this.byConsumer.size === 0) return;
    const now = clock.now();
    const heard: Open[] = [];
    let oldestAnswer = now;
    for (const sessions of this.byConsumer.values()) {
      for (const open of sessions) {
        if (open.answeredAt > open.vouchedFor) {
          heard.push(open);
          oldestAnswer = Math.min(oldestAnswer, open.answeredAt);
        }
        // A connection silent for six TTLs is gone (a stopped process keeps its socket open): let it go.
        // Not sooner: a consumer stopped for a while must find the OFFLINE news in its socket when it
        // resumes, before its overdue timers let its handler finish the job.
        if (now - open.answeredAt > 6 * heartbeatTtlMs) open.peer.close();
        else open.peer.ping();
      }
    }
    if (heard.length === 0) return;
    const vouchedAt = clock.now();
    try {
      const consumers = heard.map((open) => ({ id: open.consumerId, epoch: open.epoch }));
      const rows = await vouchForConsumers(db, consumers, Math.ceil(vouchedAt - oldestAnswer));
      for (const open of heard) open.vouchedFor = open.answeredAt;
      // Consumers that came back alive FREE have slots again: give them their next jobs.
      for (const pool of new Set(rows.filter((row) => row.slotOpened).map((row) => row.pool))) filler.fill(pool);
    } catch (error) {
      // The database is unreachable: the next beat vouches for them again (their answers are kept).
      log.error({ err: error, consumers: heard.length }, 'could not vouch for the consumers whose sessions answered');
    } finally {
      // How long the vouch took is how late these signs of life land.
      lag.observe(clock.now() - vouchedAt);
    }
  }

  /** Reads the consumers holding sessions here and tells each session what changed for it. */
  private async tellNews(): Promise<void> {
    const rows = new Map((await findSessionConsumers(this.parts.db, [...this.byConsumer.keys()])).map((row) => [row.id, row]));
    for (const [id, sessions] of this.byConsumer) {
      const row = rows.get(id);
      const consumer = row && consumerFromRow(row);
      for (const open of sessions) {
        if (consumer) open.consumer = consumer;
        if (!row || row.deregisteredAt !== null) {
          open.tell({ kind: 'ENDED', reason: 'deregistered', consumer: open.consumer });
        } else if (row.epoch !== open.epoch) {
          open.tell({ kind: 'ENDED', reason: 'replaced', consumer: open.consumer });
        } else if (row.offlineVerdicts > open.verdictsTold) {
          open.verdictsTold = row.offlineVerdicts;
          open.tell({ kind: 'OFFLINE', consumer: open.consumer });
        }
      }
    }
  }
}
