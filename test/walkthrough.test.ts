// The README's walkthrough, as a newcomer follows it: each of its GraphQL blocks typed into GraphiQL in
// Chromium (three browser tabs, the token pasted once), with a pause longer than the heartbeat TTL
// before every step — what a person reading between steps does — and each step checked against
// what the README says it shows. A short heartbeat TTL keeps the pauses short.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetLease, ListConsumers, ListJobs } from '../src/client/operations.js';
import { browserTestsRun, launchBrowser } from './support/browser.js';
import { type Harness, adminToken, eventually, sleep, startHarness, unique } from './support/harness.js';
import { kafkaBrokers, readRecords } from './support/kafka.js';

const heartbeatTtlMs = 1_000;
/** How long a step may take to show what it did, on a machine shared with much else. */
const slow = 20_000;

/** The README section's code blocks, in order. */
function walkthroughBlocks(): { json: string[]; graphql: string[] } {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## A two-minute walkthrough (GraphiQL)');
  const end = readme.indexOf('\n## ', start + 1);
  const blocks = [...readme.slice(start, end).matchAll(/```(json|graphql)\n([\s\S]*?)```/g)];
  const of = (language: string) => blocks.filter((block) => block[1] === language).map((block) => block[2]!.trim());
  return { json: of('json'), graphql: of('graphql') };
}

interface Result {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** JSON (or text) without white space, to compare with what a GraphiQL pane shows. */
const compact = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value)).replace(/[\s\u00a0]+/g, '');

interface Frame {
  type: string;
  id?: string;
  payload?: Result;
}

/** One browser tab with GraphiQL: what its editors hold, what it sent and received over its WebSocket. */
class GraphiQL {
  readonly received: Frame[] = [];
  readonly sent: Frame[] = [];

  constructor(readonly page: Page) {
    page.on('websocket', (socket) => {
      socket.on('framereceived', (frame) => this.received.push(JSON.parse(String(frame.payload)) as Frame));
      socket.on('framesent', (frame) => this.sent.push(JSON.parse(String(frame.payload)) as Frame));
    });
  }

  static async open(context: BrowserContext, url: string): Promise<GraphiQL> {
    const tab = new GraphiQL(await context.newPage());
    await tab.page.goto(url);
    await tab.page.locator('.graphiql-query-editor .monaco-editor').waitFor();
    return tab;
  }

  /**
   * Replaces the text of one of GraphiQL's editors (Monaco) with a paste event, as Ctrl+V does: Monaco
   * takes pasted text as it is, where typed text gets closing brackets and indentation added.
   */
  async paste(editor: string, text: string): Promise<void> {
    await this.page.locator(editor).click();
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.press('Delete');
    await this.page.evaluate((pasted) => {
      const clipboardData = new DataTransfer();
      clipboardData.setData('text/plain', pasted);
      document.activeElement?.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
    }, text);
  }

  async pasteHeaders(text: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Headers', exact: true }).click();
    await this.paste('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor', text);
  }

  async headers(): Promise<string> {
    await this.page.getByRole('button', { name: 'Headers', exact: true }).click();
    return (await this.page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor .view-lines').textContent()) ?? '';
  }

  private async execute(text: string): Promise<void> {
    await this.paste('.graphiql-query-editor .monaco-editor', text);
    await this.page.getByRole('button', { name: /^Execute query/ }).click();
  }

  /** Runs a query or mutation (over HTTP) and returns its result, once the result pane shows it. */
  async run(text: string): Promise<Result> {
    const answered = this.page.waitForResponse((response) => response.request().method() === 'POST' && !response.request().postData()?.includes('__schema'));
    await this.execute(text);
    const result = (await (await answered).json()) as Result;
    // The pane shows the data as answered, and each error's message (GraphiQL leaves out their locations).
    const parts = result.errors ? result.errors.map((error) => compact(JSON.stringify(error.message))) : [compact({ data: result.data })];
    const missing = async () => {
      const shown = await this.shown();
      return parts.filter((part) => !shown.includes(part));
    };
    await expect.poll(missing, { timeout: slow }).toEqual([]);
    return result;
  }

  /** Starts a subscription (over WebSocket); resolves once GraphiQL has sent it. */
  async start(text: string): Promise<void> {
    const before = this.sent.length;
    await this.execute(text);
    await eventually(() => (this.sent.slice(before).some((frame) => frame.type === 'subscribe') ? true : undefined), slow);
  }

  /** The data of every `next` message the subscription received. */
  events(field: string): Record<string, unknown>[] {
    return this.received.filter((frame) => frame.type === 'next').map((frame) => frame.payload?.data?.[field] as Record<string, unknown>);
  }

  /** The result pane's text without white space: Monaco wraps long lines, and shows spaces as U+00A0. */
  async shown(): Promise<string> {
    return compact((await this.page.locator('.graphiql-response .result-window .view-lines').textContent()) ?? '');
  }
}

describe.runIf(browserTestsRun('the README walkthrough test') && kafkaBrokers)('the README walkthrough in GraphiQL (headless Chromium)', () => {
  let browser: Browser;
  let h: Harness;
  // Each run's own topics: the broker may hold handoff.images.* from earlier runs.
  const topicPrefix = unique('walkthrough');
  beforeAll(async () => {
    [browser, h] = await Promise.all([
      launchBrowser(),
      startHarness('pglite', {
        heartbeatTtlMs,
        sweepIntervalMs: 100,
        topicPrefix,
        kafka: { brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 5_000 },
      }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** A reader's pause: longer than the heartbeat TTL, until Handoff has judged every consumer gone. */
  async function pause(): Promise<void> {
    await sleep(heartbeatTtlMs + 200);
    await eventually(async () => {
      const { consumers } = await h.client.request(ListConsumers, { pool: 'images' });
      return consumers.nodes.every((consumer) => consumer.status === 'OFFLINE') ? true : undefined;
    }, slow);
    await sleep(300); // a few sweeps more: what going OFFLINE sets off (a job taken back) has happened
  }

  it('every step does what the README says, with pauses longer than the heartbeat TTL between steps', async () => {
    const { json, graphql } = walkthroughBlocks();
    expect(json).toHaveLength(1);
    expect(graphql).toHaveLength(11); // a step added to the README needs its check here
    type Steps = [string, string, string, string, string, string, string, string, string, string, string];
    const [register, watch, markBusy, claim, complete, bBusy, wait, freeA, dispatch, look, heartbeat] = graphql as Steps;
    const topic = (id: string) => `${topicPrefix}.images.${id}`;
    // A tall window: Monaco renders only the lines in view.
    const context = await browser.newContext({ viewport: { width: 1280, height: 2000 } });

    // The token, pasted once into the Headers tab.
    const first = await GraphiQL.open(context, h.server.url);
    await first.pasteHeaders(json[0]!.replace('<the token from .handoff/admin-token>', adminToken));

    // 1. Each gets its own topic, status FREE and epoch 1.
    expect((await first.run(register)).data).toEqual({
      a: { id: 'worker-a', topic: topic('worker-a'), status: 'FREE', epoch: 1 },
      b: { id: 'worker-b', topic: topic('worker-b'), status: 'FREE', epoch: 1 },
    });

    // 2. A second browser tab at the same address, with the headers GraphiQL kept.
    await pause();
    const watching = await GraphiQL.open(context, h.server.url);
    expect((await watching.headers()).replace(/\s/g, '')).toContain(`"Authorization":"Bearer${adminToken}"`);
    await watching.start(watch);

    // 3. The subscription shows worker-a BUSY and alive again (it was OFFLINE after the pause) …
    await pause();
    expect((await first.run(markBusy)).data).toEqual({ setStatus: { id: 'worker-a', status: 'BUSY', alive: true } });
    const busy = { id: 'worker-a', status: 'BUSY', declaredStatus: 'BUSY', alive: true, inFlight: 0 };
    await eventually(() => (watching.events('consumerStatusChanged').some((event) => expect.objectContaining(busy).asymmetricMatch(event)) ? true : undefined), slow);
    // … then OFFLINE 1 TTL after that sign of life, still declaring BUSY.
    await pause();
    await expect.poll(() => watching.events('consumerStatusChanged').slice(-1), { timeout: slow }).toEqual([{ ...busy, status: 'OFFLINE', alive: false }]);
    await expect.poll(() => watching.shown(), { timeout: slow }).toBe(compact({ data: { consumerStatusChanged: { ...busy, status: 'OFFLINE', alive: false } } }));

    // 4. Without its heartbeat, the claim is refused, and the message says why …
    const claimAlone = claim.replace(/\n\s*heartbeat\(.*\n/, '\n');
    expect(claimAlone).not.toContain('heartbeat');
    const refused = await first.run(claimAlone);
    expect(refused.errors?.[0]?.extensions?.code).toBe('NO_FREE_CONSUMER');
    expect(refused.errors?.[0]?.message).toContain('of 1 matching, 1 OFFLINE (no sign of life within the heartbeat TTL), 0 BUSY');
    // … with it, worker-b is alive and claimed.
    await pause();
    const claimed = (await first.run(claim)).data as { heartbeat: unknown; claimFreeConsumer: { id: string; consumer: unknown } };
    expect(claimed.heartbeat).toEqual({ id: 'worker-b', alive: true });
    expect(claimed.claimFreeConsumer.consumer).toEqual({ id: 'worker-b', topic: topic('worker-b'), inFlight: 1 });

    // The consumer completes it with its id and epoch: COMPLETED, inFlight back to 0.
    await pause();
    const completed = await first.run(complete.replace('<the lease id from step 4>', claimed.claimFreeConsumer.id));
    expect(completed.data).toEqual({
      completeLease: { id: claimed.claimFreeConsumer.id, state: 'COMPLETED', consumer: { id: 'worker-b', inFlight: 0 } },
    });

    // 5. worker-b busy too; a third tab waits, and gets worker-a's lease once worker-a is FREE.
    await pause();
    expect((await first.run(bBusy)).data).toEqual({ setStatus: { id: 'worker-b', status: 'BUSY' } });
    await pause();
    const waiting = await GraphiQL.open(context, h.server.url);
    await waiting.start(wait);
    await pause();
    expect(waiting.received.filter((frame) => frame.type === 'next')).toEqual([]); // it waits
    expect((await first.run(freeA)).data).toEqual({ setStatus: { id: 'worker-a', status: 'FREE' } });
    await eventually(() => (waiting.received.some((frame) => frame.type === 'complete') ? true : undefined), slow);
    const [leased] = waiting.events('awaitFreeConsumer') as [{ id: string; consumer: unknown }];
    expect(waiting.events('awaitFreeConsumer')).toHaveLength(1);
    expect(leased.consumer).toEqual({ id: 'worker-a', topic: topic('worker-a') });
    await expect.poll(() => waiting.shown(), { timeout: slow }).toBe(compact({ data: { awaitFreeConsumer: leased } }));

    // 6. worker-b turns FREE and takes the dispatched job, attempt 1; the record carries both headers.
    await pause();
    const dispatched = (await first.run(dispatch)).data as { setStatus: unknown; dispatch: { topic: string; lease: { id: string; attempt: number; consumer: unknown } } };
    expect(dispatched.setStatus).toEqual({ id: 'worker-b', status: 'FREE' });
    expect(dispatched.dispatch).toMatchObject({ topic: topic('worker-b'), partition: 0, lease: { attempt: 1, consumer: { id: 'worker-b' } } });
    const [record] = await readRecords(topic('worker-b'), 1);
    expect(record?.headers?.['handoff-lease-id']?.toString()).toBe(dispatched.dispatch.lease.id);
    expect(record?.headers?.['handoff-attempt']?.toString()).toBe('1');

    // 7. worker-b went silent: its job is taken back, PENDING after 1 attempt; both consumers offline,
    // and step 5's claim on worker-a is the one lease in flight.
    await pause();
    const looked = (await first.run(look)).data as { stats: unknown; jobs: { nodes: { key: string }[] } };
    expect(looked.stats).toEqual({ consumers: 2, free: 0, busy: 0, offline: 2, inFlight: 1, backlog: 1 });
    expect(looked.jobs.nodes.filter((job) => job.key === 'img-1')).toEqual([{ key: 'img-1', state: 'PENDING', attempts: 1 }]);
    const { lease: taken } = await h.client.request(GetLease, { id: dispatched.dispatch.lease.id });
    expect(taken).toMatchObject({ state: 'EXPIRED', endReason: 'consumer went offline' });

    // 8. One heartbeat, and worker-b gets img-1 again as attempt 2: a new lease, a new record.
    await pause();
    expect((await first.run(heartbeat)).data).toEqual({ heartbeat: { id: 'worker-b', status: 'FREE', alive: true } });
    // (Its state is DISPATCHED, or PENDING again if worker-b fell silent once more: 1 s is short.)
    const again = await eventually(async () => {
      const { jobs } = await h.client.request(ListJobs, { pool: 'images' });
      return jobs.nodes.find((job) => job.key === 'img-1' && job.attempts === 2);
    }, slow);
    expect(again.leaseId).not.toBe(dispatched.dispatch.lease.id);
    const records = await readRecords(topic('worker-b'), 2);
    expect(records[1]?.headers?.['handoff-lease-id']?.toString()).toBe(again.leaseId);
    expect(records[1]?.headers?.['handoff-attempt']?.toString()).toBe('2');
    await context.close();
  }, 240_000);
});
