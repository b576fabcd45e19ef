// Headless Chromium for the report tests, driven by puppeteer-core (no browser download: Debian's chromium).
// A report must render with no request leaving the page: every request other than the report's own
// file:// URL (and data: URLs) is aborted and recorded, and CSP violations and script errors are collected.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** the Chromium binary, or an error that says how to install it: the report tests fail, never skip, without one */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH ?? process.env.PUPPETEER_EXECUTABLE_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist: point it at a Chromium, or unset it and install Debian's with \`apt-get install chromium\``);
    return fromEnv;
  }
  const found = CANDIDATES.find((c) => fs.existsSync(c));
  if (!found) {
    throw new Error(`the report tests need Chromium and found none (${CANDIDATES.join(', ')}): install it with \`apt-get install chromium\` (CI installs it), or set CHROMIUM_PATH`);
  }
  return found;
}

export interface OpenReport {
  browser: Browser;
  page: Page;
  /** requests that tried to leave the page (aborted) */
  blocked: string[];
  /** console errors (CSP violations among them) and uncaught script errors */
  errors: string[];
}

export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    // root in CI containers: Chromium's sandbox needs user namespaces it does not get there
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions'],
  });
}

/** the report in a new page (of `browser`, or of a new Chromium), with every outside request aborted and recorded */
export async function openReport(file: string, opts: { browser?: Browser; viewport?: { width: number; height: number } } = {}): Promise<OpenReport> {
  const browser = opts.browser ?? (await launchChromium());
  const viewport = opts.viewport ?? { width: 1300, height: 900 };
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const url = pathToFileURL(file).href;
  const blocked: string[] = [];
  const errors: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (r) => {
    const u = r.url();
    if (u === url || u.startsWith('data:')) void r.continue();
    else {
      blocked.push(u);
      void r.abort();
    }
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url, { waitUntil: 'load' });
  return { browser, page, blocked, errors };
}

/** the aria-labels of the marks of one chart (`<figure data-chart=id>`) */
export async function markLabels(page: Page, chart: string): Promise<string[]> {
  return page.$$eval(`figure[data-chart="${chart}"] svg .role-mark [aria-label]`, (els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

/** how many drawn marks (paths) one chart has */
export async function markCount(page: Page, chart: string): Promise<number> {
  return page.$$eval(`figure[data-chart="${chart}"] svg .role-mark path`, (els) => els.length);
}
