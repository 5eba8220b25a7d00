// GraphiQL as a user meets it (headless Chromium): the page at /graphql, an API key typed into its
// headers editor, and a subscription running over WebSocket that shows a change made elsewhere.
import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegisterConsumer, SetStatus } from '../src/client/operations.js';
import { artifacts, browserTestsRun, launchBrowser } from './support/browser.js';
import { type Harness, adminToken, startHarness, unique } from './support/harness.js';

describe.runIf(browserTestsRun('the GraphiQL browser test'))('GraphiQL in headless Chromium', () => {
  let browser: Browser;
  let h: Harness;
  let page: Page;
  beforeAll(async () => {
    [browser, h] = await Promise.all([launchBrowser(), startHarness('pglite')]);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  /** Replaces the text of one of GraphiQL's editors (Monaco), as a paste would. */
  const typeInto = async (editor: string, text: string) => {
    await page.locator(editor).click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
  };

  it('runs a subscription over WebSocket with the API key from the headers editor', async () => {
    const pool = unique('giql');
    const id = `${pool}-c1`;
    const { registerConsumer } = await h.client.request(RegisterConsumer, { input: { id, pool } });
    const query = `subscription Watch {\n  consumerStatusChanged(pool: "${pool}") {\n    id\n    status\n  }\n}`;
    await page.goto(`${h.server.url}?query=${encodeURIComponent(query)}`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();

    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    await typeInto('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor', JSON.stringify({ authorization: `Bearer ${adminToken}` }));
    await page.getByRole('button', { name: /^Execute query/ }).click();

    // graphql-ws does not acknowledge a subscription: change the status until the result pane shows it.
    const shown = async () => (await page.locator('.graphiql-response .result-window').textContent())?.replace(/\s+/g, '') ?? '';
    let status: 'BUSY' | 'FREE' = 'FREE';
    await expect
      .poll(
        async () => {
          status = status === 'BUSY' ? 'FREE' : 'BUSY';
          await h.client.request(SetStatus, { id, status, epoch: registerConsumer.epoch });
          return shown();
        },
        { timeout: 10_000, interval: 300 },
      )
      .toMatch(/"status":"(BUSY|FREE)"/);
    expect(await shown()).toContain(`{"data":{"consumerStatusChanged":{"id":"${id}","status"`);
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}/graphiql-subscription.png` });
  }, 60_000);
});
