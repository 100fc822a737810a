// Test helpers for the console in a real browser: Debian's chromium driven by puppeteer-core,
// a watch on every request and error of a page, and the checks that a secret key was left
// nowhere a page can keep it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CHROMIUM = process.env.CUPLANE_CHROMIUM || '/usr/bin/chromium';
export const SCREENSHOT_DIR = process.env.CUPLANE_SCREENSHOT_DIR || path.join(HERE, '../../build/screenshots');
// A name that is not loopback but resolves to it: a page there is not a secure context.
export const INSECURE_HOST = 'console.test';

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

export function haveChromium() {
  return fs.existsSync(CHROMIUM);
}

/** Chromium, headless; `extraArgs` are added to its command line. */
export function launch(extraArgs = []) {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Nothing of Chromium's own (updates, sync, metrics) may leave the machine either.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-domain-reliability', '--disable-features=Translate,OptimizationHints,MediaRouter',
      `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`, ...extraArgs],
  });
}

/**
 * A new page at `viewport` whose every request, console error and uncaught exception is
 * recorded. Resolves {page, requests, problems}.
 */
export async function watchedPage(browser, viewport = DESKTOP) {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push({ url: r.url(), headers: r.headers(), body: r.postData() || '' }));
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    // An API error answer (4xx) is logged by Chromium as a failed resource; the page shows
    // those itself. Anything else on the error console (a CSP refusal, a script error) counts.
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return { page, requests, problems };
}

/** Requests that went anywhere but `origin` (data: URLs aside). */
export function foreignRequests(requests, origin) {
  return requests.filter((r) => !r.url.startsWith(`${origin}/`) && !r.url.startsWith('data:')).map((r) => r.url);
}

/** Every place a page could keep the secret, with what each holds that contains it. */
export async function secretLeaks(page, requests, secret) {
  const leaks = [];
  const cookies = await page.browserContext().cookies();
  if (cookies.length) leaks.push(`cookies: ${cookies.map((c) => c.name).join(', ')}`);
  const inPage = await page.evaluate(async (s) => {
    const found = [];
    if (document.cookie !== '') found.push(`document.cookie: ${document.cookie}`);
    for (const [name, store] of [['localStorage', localStorage], ['sessionStorage', sessionStorage]]) {
      if (store.length) found.push(`${name} holds ${store.length} item(s)`);
    }
    if ((await indexedDB.databases()).length) found.push('an IndexedDB database exists');
    if ('caches' in window && (await caches.keys()).length) found.push('a Cache Storage cache exists');
    if (location.href.includes(s)) found.push('the URL');
    if (JSON.stringify(history.state ?? null).includes(s)) found.push('history.state');
    if (document.documentElement.outerHTML.includes(s)) found.push('the document');
    for (const input of document.querySelectorAll('input')) {
      if (input.value.includes(s)) found.push(`input ${input.name}`);
    }
    return found;
  }, secret);
  leaks.push(...inPage);
  for (const r of requests) {
    if (r.url.includes(secret)) leaks.push(`request URL ${r.url}`);
    if (r.body.includes(secret)) leaks.push(`request body to ${r.url}`);
    for (const [name, value] of Object.entries(r.headers)) {
      if (value.includes(secret)) leaks.push(`request header ${name} to ${r.url}`);
    }
  }
  return leaks;
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Sign in on the console's form with a key pair; resolves when the view is up. */
export async function signIn(page, ak, sk) {
  await page.waitForSelector('#sign-in-form input[name=accessKey]:not([disabled])');
  await page.type('#sign-in-form input[name=accessKey]', ak);
  await page.type('#sign-in-form input[name=secretKey]', sk);
  await page.click('#sign-in-form button[type=submit]');
  await page.waitForSelector('#view:not([hidden]) .tabbed');
}

export async function signOut(page) {
  await page.click('#sign-out');
  await page.waitForSelector('#sign-in:not([hidden])');
}

/** The text of the first element matching `selector`. */
export function text(page, selector) {
  return page.$eval(selector, (el) => el.textContent.trim());
}

/** Wait until the element's text satisfies `want` (a string to contain, or a RegExp). */
export async function waitForText(page, selector, want, timeout = 10000) {
  await page.waitForFunction((sel, source, flags, isRe) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    return isRe ? new RegExp(source, flags).test(el.textContent) : el.textContent.includes(source);
  }, { timeout, polling: 50 }, selector, want instanceof RegExp ? want.source : want,
  want instanceof RegExp ? want.flags : '', want instanceof RegExp);
}
