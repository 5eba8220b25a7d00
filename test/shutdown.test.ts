// SIGTERM: the server stops accepting, closes WebSockets with a reconnectable code, lets an in-flight
// request finish, closes the database, and exits 0.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, createTestDatabase } from './support/databases.js';
import { startServerProcess } from '../scripts/serverProcess.js';
import { adminEnv, adminHeaders } from './support/harness.js';
import { freePort } from '../scripts/kafka/broker.js';

describe('clean shutdown of a server process', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
  });
  afterAll(() => database?.drop());

  it('closes WebSockets with 1001, finishes an in-flight dispatch wait, and exits 0', async () => {
    // Kafka is configured (at a port nobody listens on) so dispatch waits for a consumer instead of refusing.
    const server = await startServerProcess(database, { ...adminEnv, KAFKA_BROKERS: `127.0.0.1:${await freePort()}` });
    const socket = new WebSocket(server.url.replace('http', 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: adminHeaders }));
    await new Promise((resolve) => socket.once('message', resolve)); // connection_ack
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

    // A request still running when the signal arrives: a dispatch that waits 1 s for a consumer, then answers.
    const sentAt = Date.now();
    const inFlight = fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminHeaders },
      body: JSON.stringify({ query: 'mutation { dispatch(pool: "nobody", waitMs: 1000, message: { value: "x" }) { topic } }' }),
    }).then((response) => response.json() as Promise<{ errors?: { extensions: { code: string } }[] }>);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const exitCode = server.stop();
    expect(await closed).toBe(1001);
    const answer = await inFlight;
    expect(answer.errors?.[0]?.extensions.code).toBe('NO_FREE_CONSUMER');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(950);
    expect(await exitCode).toBe(0);
    expect(server.output()).toContain('shutting down');
  });
});
