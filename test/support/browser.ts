// Headless Chromium for browser tests: Debian's chromium package, driven by playwright-core (nothing is
// downloaded). CI installs and requires it; elsewhere browser tests are skipped with one line.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const chromiumPath = '/usr/bin/chromium';

export const haveChromium = existsSync(chromiumPath);

/** Screenshots the browser tests save (git ignores .handoff/). */
export const artifacts = '.handoff/artifacts';

/** True when `what` can run; throws when the browser is required (CI) and missing. */
export function browserTestsRun(what: string): boolean {
  if (haveChromium) return true;
  if (process.env.CI === 'true' || process.env.HANDOFF_REQUIRE_BROWSER === '1') throw new Error(`${chromiumPath} is missing: apt-get install -y chromium`);
  console.warn(`skipping ${what}: no ${chromiumPath} (apt-get install -y chromium to run it)`);
  return false;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
