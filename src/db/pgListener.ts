// LISTEN on PostgreSQL: a connection of its own, reconnected when it drops.
import pg from 'pg';

export type Unlisten = () => Promise<void>;

export interface ListenHandlers {
  payload: (payload: string) => void;
  /** The listening connection was lost and is back; notifications in between may be lost. */
  reconnected?: () => void;
  error?: (error: Error) => void;
}

/**
 * LISTEN needs a connection of its own, held for the life of the process (a pooled one would be
 * handed back and lose it). When it drops, it reconnects with backoff and says so, because
 * notifications sent in between are gone and listeners must re-read what they care about.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly channel: string,
    private readonly handlers: ListenHandlers,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload !== undefined) this.handlers.payload(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('LISTEN connection ended')));
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
    this.client = client;
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    this.handlers.error?.(error);
    client.end().catch((endError: unknown) => this.handlers.error?.(endError as Error));
    this.reconnect(100);
  }

  private reconnect(delayMs: number): void {
    this.retryTimer = setTimeout(() => {
      if (this.stopped) return;
      this.start().then(
        () => this.handlers.reconnected?.(),
        (error: unknown) => {
          this.handlers.error?.(error as Error);
          this.reconnect(Math.min(delayMs * 2, 5_000));
        },
      );
    }, delayMs);
    this.retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end();
  }
}
