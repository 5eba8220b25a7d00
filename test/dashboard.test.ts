// The operator console in a real browser (headless Chromium), on PGlite and PostgreSQL: it shows
// nothing until the server accepts an ADMIN key (and says where one is), shows the consumers of every
// pool and follows their changes live over graphql-ws; every action asks first in the page, does
// nothing when dismissed (Esc or the button), and does what it said once confirmed — by mouse and by
// keyboard; charts with axes and units come from the samples the server keeps, so a reload keeps
// them; long-OFFLINE consumers are folded away; every colour is explained.
import { copyFile, mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachJob,
  ClaimFreeConsumer,
  CompleteLease,
  FailLease,
  GetConsumer,
  GetJob,
  GetLease,
  RegisterConsumer,
  SetStatus,
  SubmitJobs,
} from '../src/client/operations.js';
import { heldBy } from './support/backlog.js';
import { backends } from './support/databases.js';
import { type Harness, adminToken, eventually, startHarness } from './support/harness.js';
import { kafkaBrokers } from './support/kafka.js';
import { artifacts, browserTestsRun, launchBrowser } from './support/browser.js';

describe.runIf(browserTestsRun("the dashboard's browser test"))('the dashboard in headless Chromium', { timeout: 120_000 }, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('with auth off (HANDOFF_AUTH=off), shows the pools at /dashboard without asking for a key', async () => {
    const h = await startHarness('pglite', { auth: false });
    const context = await browser.newContext();
    try {
      await h.client.request(RegisterConsumer, { input: { id: 'open-1', pool: 'open' } });
      const page = await context.newPage();
      await page.goto(`${new URL(h.server.url).origin}/dashboard`);
      await page.locator('section[data-pool="open"] tr[data-consumer="open-1"]').waitFor();
      await page.locator('#connection[data-state="live"]').waitFor();
      expect(await page.isVisible('#key-form')).toBe(false);
      expect(await page.isVisible('#forget-key')).toBe(false);
    } finally {
      await context.close();
      await h.close();
    }
  });

  describe.each(backends)('on %s', (backend) => {
    let h: Harness;
    let page: Page;
    /** Script errors and console errors (a Content-Security-Policy violation is one). */
    const problems: string[] = [];
    const pool = 'images';
    const id = 'images-worker-1';
    let epoch = 0;

    beforeAll(async () => {
      // With Kafka, one failed attempt dead-letters a job, so the page can show dead letters.
      h = await startHarness(backend, {
        sweepIntervalMs: 100,
        sampleIntervalMs: 1_000,
        offlineFoldMs: 60_000,
        // These consumers never heartbeat: they stay alive however slow the run, unless a test says otherwise.
        heartbeatTtlMs: 600_000,
        ...(kafkaBrokers && { kafka: { brokers: kafkaBrokers.split(','), clientId: 'handoff-test', produceTimeoutMs: 5_000 }, maxAttempts: 1 }),
      });
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
    });
    afterAll(async () => {
      await page?.context().close();
      await h?.close();
    });

    const origin = () => new URL(h.server.url).origin;
    const row = (consumerId: string) => page.locator(`tr[data-consumer="${consumerId}"]`);
    const statusOf = (consumerId: string) => row(consumerId).locator('.status').textContent({ timeout: 2_000 });
    /** Resolves when the consumer's row shows `status`, or rejects after `timeoutMs`. */
    const showsStatus = (consumerId: string, status: string, timeoutMs: number) =>
      page.waitForFunction(
        ([consumer, expected]) => document.querySelector(`tr[data-consumer="${consumer}"] .status`)?.textContent === expected,
        [consumerId, status] as const,
        { polling: 10, timeout: timeoutMs },
      );
    const register = async (consumerId: string, consumerPool: string, capacity = 1) =>
      (await h.client.request(RegisterConsumer, { input: { id: consumerId, pool: consumerPool, capacity } })).registerConsumer;
    const dialog = () => page.locator('dialog#confirm');
    const dialogOpen = () => page.evaluate(() => (document.getElementById('confirm') as HTMLDialogElement).open);
    const audited = (target: string) => h.db.prisma.auditEntry.findMany({ where: { target }, orderBy: { id: 'asc' } });
    const focusedKey = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.key ?? document.activeElement?.id ?? null);

    it('signed out, shows no figures — only where an ADMIN key is — and refuses a wrong key', async () => {
      await page.goto(`${origin()}/`);
      await page.locator('#key-form').waitFor({ state: 'visible' });
      for (const total of ['total-consumers', 'total-in-flight', 'total-waiting', 'total-backlog', 'claims-rate', 'total-dead-lettered']) {
        expect(await page.textContent(`#${total}`), total).toBe('–');
      }
      expect(await page.locator('main section').count()).toBe(0);
      expect(await page.isVisible('#legend')).toBe(false);
      expect(await page.isVisible('#audit')).toBe(false);
      const help = await page.textContent('#key-help');
      expect(help).toContain('.handoff/admin-token');
      expect(help).toContain('HANDOFF_ADMIN_TOKEN');
      expect(help).toContain('handoff keys create --role ADMIN');

      await page.fill('#key-input', 'hk_not-a-key');
      await page.click('#key-form button');
      await expect.poll(() => page.textContent('#key-message')).toBe('That key was refused.');
      expect(await page.isVisible('#key-form')).toBe(true);
      expect(await page.textContent('#total-consumers')).toBe('–');
      expect(await page.evaluate(() => sessionStorage.getItem('handoff-api-key'))).toBeNull();
    });

    it('accepts the ADMIN key, keeps it for the session, and shows a registered consumer in its pool', async () => {
      epoch = (await register(id, pool, 2)).epoch;
      await page.fill('#key-input', adminToken);
      await page.click('#key-form button');
      await page.locator('#connection[data-state="live"]').waitFor();
      await row(id).waitFor();
      expect(await row(id).locator('.status').textContent()).toBe('FREE');
      expect(await row(id).locator('.in-flight').textContent()).toBe('0 / 2');
      expect(await page.locator(`section[data-pool="${pool}"] h2`).textContent()).toBe(pool);
      expect(await page.isVisible('#key-form')).toBe(false);
      expect(await page.isVisible('#problem')).toBe(false);
      expect(await page.evaluate(() => sessionStorage.getItem('handoff-api-key'))).toBe(adminToken);
      await page.reload();
      await row(id).waitFor();
      expect(await page.isVisible('#key-form')).toBe(false);
    });

    it('shows a status change within 1 s of the mutation', async () => {
      // graphql-ws does not acknowledge a subscription: change until one is seen, then measure.
      await eventually(async () => {
        await h.client.request(SetStatus, { id, status: 'DRAINING', epoch });
        return showsStatus(id, 'DRAINING', 300).then(
          () => true,
          () => undefined,
        );
      });
      for (const status of ['BUSY', 'FREE'] as const) {
        await h.client.request(SetStatus, { id, status, epoch });
        const changedAt = performance.now();
        await showsStatus(id, status, 5_000);
        const elapsedMs = performance.now() - changedAt;
        console.info(`dashboard on ${backend}: ${status} shown ${elapsedMs.toFixed(0)} ms after setStatus returned`);
        expect(elapsedMs).toBeLessThan(1_000);
      }
    });

    it('shows a claim in the in-flight count and the leases in flight; a FREE consumer with every slot used shows FULL', async () => {
      // Idle since after the worker turned FREE: the first claim takes the worker, the second this one.
      const single = await register('images-single', pool, 1);
      const { claimFreeConsumer } = await h.client.request(ClaimFreeConsumer, { pool, ttlMs: 60_000 });
      expect(claimFreeConsumer.consumer.id).toBe(id);
      await expect.poll(() => row(id).locator('.in-flight').textContent(), { timeout: 2_000, interval: 20 }).toBe('1 / 2');
      expect(await statusOf(id)).toBe('FREE');
      const lease = page.locator(`tr[data-lease="${claimFreeConsumer.id}"]`);
      await lease.waitFor({ timeout: 10_000 });
      expect(await lease.locator('.consumer').textContent()).toBe(id);
      expect(await lease.locator('.attempt').textContent()).toMatch(/^1 of \d+$/);
      expect(await lease.locator('.chip').textContent()).toBe('CLAIMED');

      expect((await h.client.request(ClaimFreeConsumer, { pool, ttlMs: 60_000 })).claimFreeConsumer.consumer.id).toBe(single.id);
      await expect.poll(() => statusOf(single.id), { timeout: 5_000 }).toBe('FULL');
      expect(await row(single.id).locator('.in-flight').textContent()).toBe('1 / 1');
      expect(await page.locator(`section[data-pool="${pool}"] [data-field="full"]`).textContent()).toBe('1');
      await h.client.request(CompleteLease, { id: (await heldBy(h.db, single.id))[0]!.leaseId });
      await h.client.request(CompleteLease, { id: claimFreeConsumer.id });
      await expect.poll(() => statusOf(single.id), { timeout: 5_000 }).toBe('FREE');
    });

    it('draws each pool’s last hour — with axes and units — from the server’s samples, so a reload keeps them', async () => {
      const throughput = page.locator(`section[data-pool="${pool}"] figure[data-chart="throughput"]`);
      await expect.poll(async () => Number(await throughput.locator('svg').getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(2);
      expect(await throughput.locator('figcaption').textContent()).toBe('Claims and completions (per second)');
      const yLabels = await throughput.locator('.tick.y text').allTextContents();
      expect(yLabels[0]).toBe('0/s');
      expect(yLabels.every((label) => label.endsWith('/s'))).toBe(true);
      expect(await throughput.locator('.tick.x text').allTextContents()).toEqual(['−60 min', '−45 min', '−30 min', '−15 min', 'now']);
      expect(await throughput.locator('polyline.s1, circle.s1').count()).toBeGreaterThan(0);
      expect(await page.locator(`section[data-pool="${pool}"] figure[data-chart="wait"] .tick.y text`).first().textContent()).toBe('0 s');
      const consumers = page.locator(`section[data-pool="${pool}"] figure[data-chart="consumers"]`);
      expect(await consumers.locator('.legend li').evaluateAll((items) => items.map((item) => item.getAttribute('data-series')))).toEqual([
        'free', 'full', 'busy', 'draining', 'offline',
      ]);
      for (const chart of ['throughput', 'wait', 'backlog', 'consumers']) {
        expect(await page.locator(`section[data-pool="${pool}"] figure[data-chart="${chart}"] svg`).getAttribute('aria-label')).toMatch(/the last 60 minutes/);
      }
      const before = Number(await throughput.locator('svg').getAttribute('data-points'));
      await page.reload();
      await expect.poll(async () => Number(await throughput.locator('svg').getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThanOrEqual(before);
    });

    it('drain and resume: each asks first; dismissing changes nothing; confirming does it and audits it', async () => {
      const drain = row(id).locator('button[data-action="drain"]');
      await drain.click();
      expect(await dialogOpen()).toBe(true);
      expect(await page.textContent('#confirm-title')).toBe(`Drain ${id}?`);
      expect(await page.textContent('#confirm-text')).toContain('It takes no new job');
      await page.click('#confirm-dismiss');
      expect(await dialogOpen()).toBe(false);
      expect((await h.client.request(GetConsumer, { id })).consumer?.declaredStatus).toBe('FREE');
      expect(await audited(id)).toEqual([]);

      await drain.click();
      await page.click('#confirm-ok');
      await showsStatus(id, 'DRAINING', 5_000);
      await expect.poll(() => page.textContent('#notice')).toBe(`${id} is draining.`);
      expect((await h.client.request(GetConsumer, { id })).consumer).toMatchObject({ declaredStatus: 'DRAINING', epoch });
      expect((await audited(id)).map((entry) => [entry.action, entry.actorRole])).toEqual([['DRAIN_CONSUMER', 'ADMIN']]);
      await expect.poll(() => page.locator('#audit-log tr[data-audit] .audit-action').first().textContent(), { timeout: 10_000 }).toBe('DRAIN_CONSUMER');

      await row(id).locator('button[data-action="resume"]').click();
      expect(await page.textContent('#confirm-title')).toBe(`Resume ${id}?`);
      await page.click('#confirm-ok');
      await showsStatus(id, 'FREE', 5_000);
      expect((await audited(id)).map((entry) => entry.action)).toEqual(['DRAIN_CONSUMER', 'RESUME_CONSUMER']);
    });

    it('works from the keyboard: Enter opens the confirmation, Esc dismisses it (focus comes back), Tab and Enter confirm', async () => {
      const keyboard = await register('images-keyboard', pool, 1);
      await row(keyboard.id).waitFor({ timeout: 10_000 });
      await row(keyboard.id).locator('button[data-action="drain"]').focus();
      await page.waitForTimeout(1_200); // a re-render (one a second) keeps the focus on the button
      expect(await focusedKey()).toBe(`drain:${keyboard.id}`);
      await page.keyboard.press('Enter');
      expect(await dialogOpen()).toBe(true);
      expect(await focusedKey()).toBe('confirm-dismiss');
      await page.keyboard.press('Escape');
      expect(await dialogOpen()).toBe(false);
      // The dialog's close event, which puts the focus back, is dispatched in a task of its own.
      await expect.poll(focusedKey, { timeout: 5_000 }).toBe(`drain:${keyboard.id}`);
      expect((await h.client.request(GetConsumer, { id: keyboard.id })).consumer?.declaredStatus).toBe('FREE');

      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      expect(await focusedKey()).toBe('confirm-ok');
      await page.keyboard.press('Enter');
      await showsStatus(keyboard.id, 'DRAINING', 5_000);
      expect((await audited(keyboard.id)).map((entry) => entry.action)).toEqual(['DRAIN_CONSUMER']);
    });

    it('remove: refused while the consumer holds a lease, offering to drain it instead; removes it once free', async () => {
      const holder = await register('images-holder', pool, 1);
      const { claimFreeConsumer } = await eventually(async () => {
        const claim = await h.client.request(ClaimFreeConsumer, { pool, ttlMs: 60_000 });
        if (claim.claimFreeConsumer.consumer.id === holder.id) return claim;
        await h.client.request(CompleteLease, { id: claim.claimFreeConsumer.id });
        return undefined;
      });
      await expect.poll(() => row(holder.id).locator('.in-flight').textContent(), { timeout: 5_000 }).toBe('1 / 1');
      await row(holder.id).locator('button[data-action="remove"]').click();
      expect(await page.textContent('#confirm-title')).toBe(`${holder.id} holds 1 lease(s)`);
      expect(await page.isVisible('#confirm-ok')).toBe(false);
      expect(await page.textContent('#confirm-alternative')).toBe('Drain instead');
      await page.click('#confirm-alternative');
      await showsStatus(holder.id, 'DRAINING', 5_000);
      expect((await audited(holder.id)).map((entry) => entry.action)).toEqual(['DRAIN_CONSUMER']);

      await h.client.request(CompleteLease, { id: claimFreeConsumer.id });
      await expect.poll(() => row(holder.id).locator('.in-flight').textContent(), { timeout: 5_000 }).toBe('0 / 1');
      await row(holder.id).locator('button[data-action="remove"]').click();
      expect(await page.textContent('#confirm-title')).toBe(`Remove ${holder.id}?`);
      await page.click('#confirm-ok');
      await expect.poll(() => row(holder.id).count(), { timeout: 10_000 }).toBe(0);
      expect((await h.client.request(GetConsumer, { id: holder.id })).consumer).toBeNull();
      expect((await audited(holder.id)).map((entry) => entry.action)).toEqual(['DRAIN_CONSUMER', 'REMOVE_CONSUMER']);
    });

    it('requeue and expire a lease, with a note; a refusal is said in the dialog, which stays open', async () => {
      const leasePool = 'leases';
      const worker = await register('leases-worker', leasePool, 3);
      const claims = [];
      for (let i = 0; i < 3; i += 1) claims.push((await h.client.request(ClaimFreeConsumer, { pool: leasePool, ttlMs: 60_000 })).claimFreeConsumer);
      const [first, second, third] = claims as [(typeof claims)[0], (typeof claims)[0], (typeof claims)[0]];
      await page.locator(`tr[data-lease="${third.id}"]`).waitFor({ timeout: 10_000 });

      await page.locator(`tr[data-lease="${first.id}"] button[data-action="requeue"]`).click();
      expect(await page.textContent('#confirm-title')).toBe(`Requeue lease ${first.id}?`);
      expect(await page.textContent('#confirm-text')).toContain('the claim just ends');
      await page.fill('#confirm-reason', 'producer is gone');
      await page.click('#confirm-ok');
      await expect.poll(async () => (await h.client.request(GetLease, { id: first.id })).lease?.state, { timeout: 5_000 }).toBe('RELEASED');
      expect((await h.client.request(GetLease, { id: first.id })).lease?.endReason).toBe('requeued by an operator: producer is gone');
      await expect.poll(() => page.locator(`tr[data-lease="${first.id}"]`).count(), { timeout: 10_000 }).toBe(0);

      await page.locator(`tr[data-lease="${second.id}"] button[data-action="expire"]`).click();
      expect(await page.textContent('#confirm-title')).toBe(`Expire lease ${second.id} now?`);
      await page.click('#confirm-ok');
      await expect.poll(async () => (await h.client.request(GetLease, { id: second.id })).lease?.state, { timeout: 5_000 }).toBe('EXPIRED');
      expect((await audited(first.id)).map((entry) => entry.action)).toEqual(['REQUEUE_LEASE']);
      expect((await audited(second.id)).map((entry) => entry.action)).toEqual(['EXPIRE_LEASE']);

      // The lease ends after the page showed it: the server refuses, the dialog says so and stays.
      await page.locator(`tr[data-lease="${third.id}"] button[data-action="requeue"]`).click();
      await h.client.request(CompleteLease, { id: third.id });
      await page.click('#confirm-ok');
      await expect.poll(() => page.textContent('#confirm-error')).toBe(`CONFLICT: lease ${third.id} is already COMPLETED: only a CLAIMED or DISPATCHED lease can be requeued or expired`);
      expect(await dialogOpen()).toBe(true);
      await page.keyboard.press('Escape');
      expect(await dialogOpen()).toBe(false);
      expect(await audited(third.id)).toEqual([]);
      expect(worker.pool).toBe(leasePool);
    });

    it('dead letters: reason and an escaped, capped preview; replay (first in line, attempts reset) and discard, each confirmed', async () => {
      if (!kafkaBrokers) return; // dead letters need Kafka
      const deadPool = 'mail';
      const mailer = await register('mail-sender', deadPool, 1);
      const payload = `<img src=x onerror="window.injected=1">\u001b[31m${'z'.repeat(400)}`;
      const fail = async (value: string, reason: string) => {
        const { claimFreeConsumer } = await h.client.request(ClaimFreeConsumer, { pool: deadPool, ttlMs: 60_000 });
        const { attachJob } = await h.client.request(AttachJob, { id: claimFreeConsumer.id, message: { key: null, value } });
        await h.client.request(FailLease, { id: attachJob.id, reason, consumerId: mailer.id, epoch: mailer.epoch });
        const job = await eventually(async () => (await h.db.prisma.lease.findUnique({ where: { id: attachJob.id } }))?.jobId ?? undefined);
        await eventually(async () => ((await h.client.request(GetJob, { id: job })).job?.state === 'DEAD_LETTERED' ? true : undefined), 15_000);
        return job;
      };
      const poisoned = await fail(payload, 'cannot parse <b>html</b>');
      const letter = page.locator(`tr[data-dead-letter="${poisoned}"]`);
      await letter.waitFor({ timeout: 10_000 });
      expect(await letter.locator('.reason').textContent()).toBe('cannot parse <b>html</b>');
      const preview = await letter.locator('code.payload').textContent();
      expect(preview).toBe(Array.from(payload).slice(0, 200).join('').replace('\u001b', '\\u001b'));
      expect(await letter.locator('.preview').textContent()).toContain('… (cut)');
      expect(await letter.locator('img, b').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { injected?: number }).injected)).toBeUndefined();
      expect(await page.textContent('#total-dead-lettered')).toBe('1');

      await letter.locator('button[data-action="replay"]').click();
      expect(await page.textContent('#confirm-text')).toContain('first in line, with its attempts reset to 0');
      await page.click('#confirm-dismiss');
      expect((await h.client.request(GetJob, { id: poisoned })).job?.state).toBe('DEAD_LETTERED');
      await h.client.request(SetStatus, { id: mailer.id, status: 'BUSY', epoch: mailer.epoch });
      await letter.locator('button[data-action="replay"]').click();
      await page.click('#confirm-ok');
      await expect.poll(async () => (await h.client.request(GetJob, { id: poisoned })).job, { timeout: 5_000 }).toMatchObject({ state: 'PENDING', attempts: 0 });
      await expect.poll(() => letter.count(), { timeout: 10_000 }).toBe(0);
      // Back in the backlog, where it can be cancelled (confirmed too).
      const pending = page.locator(`section[data-pool="${deadPool}"] tr[data-job="${poisoned}"]`);
      await pending.waitFor({ timeout: 10_000 });
      await pending.locator('button[data-action="cancel"]').click();
      expect(await page.textContent('#confirm-ok')).toBe('Cancel the job');
      expect(await page.textContent('#confirm-dismiss')).toBe('Keep it');
      await page.click('#confirm-ok');
      await expect.poll(async () => (await h.client.request(GetJob, { id: poisoned })).job?.state, { timeout: 5_000 }).toBe('CANCELLED');
      await h.client.request(SetStatus, { id: mailer.id, status: 'FREE', epoch: mailer.epoch });

      const second = await fail('also bad', 'schema mismatch');
      await page.locator(`tr[data-dead-letter="${second}"] button[data-action="discard"]`).click();
      await page.fill('#confirm-reason', 'sender fixed upstream');
      await page.click('#confirm-ok');
      await expect.poll(async () => (await h.client.request(GetJob, { id: second })).job, { timeout: 5_000 }).toMatchObject({
        state: 'CANCELLED',
        endReason: 'discarded by an operator: sender fixed upstream',
      });
      expect((await audited(poisoned)).map((entry) => entry.action)).toEqual(['REPLAY_DEAD_LETTER', 'CANCEL_JOB']);
      expect((await audited(second)).map((entry) => entry.action)).toEqual(['DISCARD_DEAD_LETTER']);
      await expect.poll(() => page.textContent('#total-dead-lettered'), { timeout: 10_000 }).toBe('0');
      // One left for the screenshots: a dead letter waiting for an operator.
      await fail('{"to":"ops@example.com","subject":"weekly report"}', 'SMTP 550: mailbox unavailable');
      await expect.poll(() => page.textContent('#total-dead-lettered'), { timeout: 10_000 }).toBe('1');
    });

    it('folds away consumers OFFLINE for longer than the setting, and opens them on request', async () => {
      const ghost = await register('images-ghost', pool, 1);
      const recent = await register('images-recent', pool, 1);
      await h.db.prisma.consumer.update({ where: { id: ghost.id }, data: { offlineSince: new Date(Date.now() - 5 * 60_000) } });
      await h.db.prisma.consumer.update({ where: { id: recent.id }, data: { offlineSince: new Date(Date.now() - 5_000) } });
      // The page re-reads the consumers every 10 s.
      const fold = page.locator(`section[data-pool="${pool}"] details.folded`);
      await expect.poll(() => fold.getAttribute('data-folded'), { timeout: 15_000 }).toBe('1');
      expect(await fold.locator('summary').textContent()).toBe('1 consumer(s) OFFLINE for more than 60 s');
      expect(await fold.isVisible()).toBe(true);
      expect(await row(ghost.id).isVisible()).toBe(false);
      expect(await statusOf(recent.id)).toBe('OFFLINE');
      expect(await row(recent.id).locator('.heartbeat').textContent()).toMatch(/^silent \d+ s · declared FREE$/);
      await fold.locator('summary').click();
      await page.waitForTimeout(1_200); // stays open across a re-render
      expect(await row(ghost.id).isVisible()).toBe(true);
    });

    it('explains every colour and state it shows', async () => {
      await page.click('#legend summary');
      const explained = await page.locator('#legend dt .chip').evaluateAll((chips) => chips.map((chip) => chip.className));
      for (const chip of ['FREE', 'FULL', 'BUSY', 'DRAINING', 'OFFLINE', 'lease CLAIMED', 'lease DISPATCHED', 'dead DEAD_LETTERED', 'dead DEAD_LETTERING']) {
        expect(explained).toContain(`chip ${chip}`);
      }
      const shownChips = await page.locator('main .chip').evaluateAll((chips) => [...new Set(chips.map((chip) => chip.className))]);
      for (const chip of shownChips) expect(explained, chip).toContain(chip);
      expect(await page.textContent('#legend')).toContain('No sign of life within 600 s');
      await page.click('#legend summary');
    });

    it('shows two pools with mixed statuses', async () => {
      const consumers = [
        { id: 'images-worker-2', pool, capacity: 4, labels: ['gpu'], status: 'BUSY' },
        { id: 'images-worker-3', pool, capacity: 1, labels: [], status: 'FREE' },
        { id: 'images-worker-4', pool, capacity: 2, labels: ['gpu', 'large'], status: 'DRAINING' },
        { id: 'video-encoder-1', pool: 'video', capacity: 2, labels: ['h264'], status: 'FREE' },
        { id: 'video-encoder-2', pool: 'video', capacity: 2, labels: ['h264', 'hevc'], status: 'FREE' },
        { id: 'video-encoder-3', pool: 'video', capacity: 1, labels: ['hevc'], status: 'BUSY' },
      ] as const;
      for (const consumer of consumers) {
        const { registerConsumer } = await h.client.request(RegisterConsumer, {
          input: { id: consumer.id, pool: consumer.pool, capacity: consumer.capacity, labels: [...consumer.labels] },
        });
        if (consumer.status !== 'FREE') await h.client.request(SetStatus, { id: consumer.id, status: consumer.status, epoch: registerConsumer.epoch });
      }
      for (const claimPool of [pool, 'video', 'video', 'video']) await h.client.request(ClaimFreeConsumer, { pool: claimPool, ttlMs: 60_000 });
      for (const consumer of consumers) {
        const { consumer: now } = await h.client.request(GetConsumer, { id: consumer.id });
        const expected = now!.status === 'FREE' && now!.inFlight >= now!.capacity ? 'FULL' : now!.status;
        await expect.poll(() => statusOf(consumer.id), { timeout: 5_000 }).toBe(expected);
      }
      await expect.poll(() => page.locator('section[data-pool="video"] [data-field="claimsLastMinute"]').textContent(), { timeout: 10_000 }).toBe('3');
      const sections = await page.locator('main > section').evaluateAll((all) => all.map((section) => section.getAttribute('data-pool')));
      expect(sections).toEqual([...sections].sort());
      expect(sections).toContain('video');
    });

    it("shows each pool's backlog depth, and the backlog of all pools", async () => {
      if (!kafkaBrokers) return; // submitJobs needs Kafka
      // Labels no consumer carries: the jobs wait in the backlog.
      await h.client.request(SubmitJobs, { pool: 'video', jobs: [{ value: 'a', labels: ['av1'] }, { value: 'b', labels: ['av1'] }] });
      await expect.poll(() => page.locator('section[data-pool="video"] [data-field="backlog"]').textContent(), { timeout: 10_000 }).toBe('2');
      expect(await page.textContent('#total-backlog')).toBe('2');
      expect(await page.locator('section[data-pool="video"] .pool-counts').textContent()).toMatch(/backlog 2 \(oldest \d+ s\)/);
      await expect.poll(() => page.locator('section[data-pool="video"] .backlog tr[data-job]').count(), { timeout: 10_000 }).toBe(2);
    });

    it('draws an hour of samples as lines on a round scale, with a gap where none was written (and saves screenshots)', async () => {
      // An hour of 10 s samples as a busy pool leaves them, but for five minutes when no replica ran.
      const tenSeconds = 10_000;
      const end = Math.floor(Date.now() / tenSeconds) * tenSeconds - 3 * 60_000;
      const samples = Array.from({ length: 340 }, (_, i) => end - (339 - i) * tenSeconds)
        .filter((at) => at < end - 35 * 60_000 || at >= end - 30 * 60_000)
        .map((at, i) => {
          const wave = Math.sin(i / 18);
          const claims = Math.round(40 + 25 * wave);
          return {
            pool: 'video', at: new Date(at), intervalMs: tenSeconds, claims, completions: Math.max(0, claims - 2),
            waitP50Ms: 180 + 90 * wave, waitP99Ms: 1_400 + 600 * wave, backlog: Math.round(60 + 55 * Math.sin(i / 40)), waitingProducers: i % 7 === 0 ? 2 : 0,
            deadLettered: 0, free: 1, full: wave > 0.3 ? 1 : 0, busy: wave > 0.3 ? 0 : 1, draining: 0, offline: i > 300 ? 1 : 0, inFlight: 3, capacity: 5,
          };
        });
      await h.db.prisma.poolSample.createMany({ data: samples });
      await page.reload(); // the page asks for samples newer than those it holds: a reload reads the hour
      const throughput = page.locator('section[data-pool="video"] figure[data-chart="throughput"]');
      await expect.poll(async () => Number(await throughput.locator('svg').getAttribute('data-points')), { timeout: 10_000 }).toBeGreaterThanOrEqual(samples.length);
      // Claims peak at 6.5/s: the axis ends at 10/s. The five silent minutes split each line.
      expect(await throughput.locator('svg').getAttribute('data-top')).toBe('10');
      expect(await throughput.locator('.tick.y text').allTextContents()).toEqual(['0/s', '5/s', '10/s']);
      expect(await throughput.locator('polyline.s1').count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator('section[data-pool="video"] figure[data-chart="backlog"] .tick.y text').allTextContents()).toEqual(['0', '100', '200']);
      await mkdir(artifacts, { recursive: true });
      await page.screenshot({ path: `${artifacts}/dashboard-${backend}.png`, fullPage: true });
      await row('images-worker-3').locator('button[data-action="drain"]').click();
      await page.screenshot({ path: `${artifacts}/dashboard-confirm-${backend}.png` });
      await page.click('#confirm-dismiss');
      if (backend === 'postgres' && process.env.HANDOFF_SCREENSHOTS === '1') {
        // The README's pictures: `HANDOFF_SCREENSHOTS=1 npx vitest run test/dashboard.test.ts` writes them again.
        await copyFile(`${artifacts}/dashboard-${backend}.png`, 'docs/images/dashboard.png');
        await copyFile(`${artifacts}/dashboard-confirm-${backend}.png`, 'docs/images/dashboard-confirm.png');
      }
    });

    it('forgets the key on request, shows no figures again, and the page ran without a script error or a CSP violation', async () => {
      await page.click('#forget-key');
      await page.locator('#key-form').waitFor({ state: 'visible' });
      expect(await page.evaluate(() => sessionStorage.getItem('handoff-api-key'))).toBeNull();
      await expect.poll(() => page.locator('tr[data-consumer]').count()).toBe(0);
      expect(await page.textContent('#total-consumers')).toBe('–');
      // The wrong key's refusal is an HTTP answer, not a console error; anything else is a problem.
      expect(problems).toEqual([]);
    });
  });
});
