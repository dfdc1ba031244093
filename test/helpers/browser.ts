/**
 * A real headless Chromium (Debian's `chromium` package) driven by puppeteer-core: no browser
 * is downloaded. A missing browser fails the suite loudly, with how to install it.
 */
import { access } from 'node:fs/promises';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM = process.env.BOSUN_TEST_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  try {
    await access(CHROMIUM);
  } catch {
    throw new Error(
      `the dashboard tests need Chromium at ${CHROMIUM}: apt-get install -y chromium (or run bash test/setup-services.sh)`,
    );
  }
  // --no-sandbox: the tests run as root in a container, where Chromium's sandbox cannot start
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
