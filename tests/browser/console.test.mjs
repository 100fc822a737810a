// The web console in Chromium against the real binary, as a person uses it: the operator and
// the demo tenant on a virtual-clock server, then the operator on a system-clock server.
// Every page is watched: no request may leave for another host, no script or CSP error may
// occur, and the secret key must be in no cookie, storage, URL, request or field afterwards.
// Screenshots at desktop and phone width land in the build directory (SCREENSHOT_DIR).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signedCall } from '../interop/bce-sign.mjs';
import { makeCertificate } from '../interop/certificate.mjs';
import { demoBootstrap, operator, startServer } from '../interop/server.mjs';
import {
  DESKTOP, INSECURE_HOST, PHONE, foreignRequests, haveChromium, launch, screenshot, secretLeaks,
  signIn, signOut, text, waitForText, watchedPage,
} from './browser.mjs';
import { checkVectors, loadVectors } from './signer-vectors.mjs';

// Distinctive secrets, so that finding one anywhere cannot be a coincidence.
const OPERATOR = { ak: 'op-console', sk: 'op-secret-7c1e9b04d2' };
const TENANT = { ak: 'demo-console', sk: 'tenant-secret-3fa85e61c9' };

function bootstrap() {
  const b = demoBootstrap();
  // The interop helpers' operator key stays, for the test's own calls (operator()).
  b.operators.push({ accessKey: OPERATOR.ak, secretKey: OPERATOR.sk });
  b.accounts[0].users[0].accessKeys = [{ accessKey: TENANT.ak, secretKey: TENANT.sk }];
  return b;
}

const skip = haveChromium() ? false : 'Debian chromium is not installed (scripts/install-deps installs it)';

// Each check that every page must pass, run at the end of each test on what it saw.
async function assertClean(watched, server, secret) {
  assert.deepEqual(foreignRequests(watched.requests, server.baseUrl), [], 'requests to other hosts');
  assert.deepEqual(watched.problems, [], 'script, CSP or console errors');
  assert.deepEqual(await secretLeaks(watched.page, watched.requests, secret), [], 'the secret key was kept');
}

async function openConsole(watched, server) {
  const response = await watched.page.goto(`${server.baseUrl}/console/`);
  assert.ok([200, 304].includes(response.status()), `GET /console/ -> ${response.status()}`);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
}

// A watched page with the console open.
async function consolePage(env, viewport = DESKTOP) {
  const watched = await watchedPage(env.browser, viewport);
  await openConsole(watched, env.server);
  return watched;
}

// The end of every test: the page passed every check, and is closed.
async function finish(watched, env, secret) {
  await assertClean(watched, env.server, secret);
  await watched.page.close();
}

// The tenant's Buy form, for a service, Postpaid.
async function buyForService(page, serviceId, replicas) {
  await page.waitForSelector('#buy input[name=serviceId]');
  await page.$eval('#buy input[name=serviceId]', (el, v) => { el.value = v; }, serviceId);
  await page.$eval('#buy input[name=replicasCount]', (el, v) => { el.value = v; }, String(replicas));
  await page.click('#buy button[type=submit]');
}

// The tenant API, called by the test itself with the demo tenant's key (setup and checks).
async function tenant(server, path, action, body = {}) {
  const res = await signedCall({ port: server.port, ak: TENANT.ak, sk: TENANT.sk, path, action, body });
  if (res.status !== 200) throw new Error(`tenant ${action} -> ${res.status} ${res.text}`);
  return res.json.result;
}

const unitOf = async (server, instanceId) =>
  (await tenant(server, '/v2/computeunit', 'DescribeComputeUnit', { instanceId })).computeUnitInstance;

// Every confirmation the page asks is answered yes; resolves the questions asked so far.
function acceptDialogs(page) {
  const asked = [];
  page.on('dialog', (d) => { asked.push(d.message()); d.accept(); });
  return asked;
}

// The DescribeAccount calls a page made (each settles the account, so each must be a person's).
function describeAccountCalls(watched) {
  return watched.requests.filter((r) => r.url.endsWith('/v1/operator?Action=DescribeAccount')).length;
}

// Submits the form in `card` and resolves the id its success message names.
async function submitForId(page, card, pattern) {
  await page.click(`${card} button[type=submit]`);
  await waitForText(page, `${card} .message`, pattern);
  return (await text(page, `${card} .message`)).match(pattern)[0];
}

// Sets an input's value as a person would leave it (for number and date fields).
function setValue(page, selector, value) {
  return page.$eval(selector, (el, v) => { el.value = v; }, String(value));
}

// Inside a describe(): a server started with `options` and a browser, for its tests. With
// `tls`, the server serves HTTPS with a certificate made for this run, which the browser
// trusts (and no other).
function serverAndBrowser(options, { tls = false } = {}) {
  const env = {};
  before(async () => {
    const args = [];
    const browserArgs = [];
    if (tls) {
      env.certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cuplane-console-tls-'));
      const files = makeCertificate(env.certDir, [INSECURE_HOST]);
      args.push('--tls-cert', files.cert, '--tls-key', files.key);
      browserArgs.push(`--ignore-certificate-errors-spki-list=${files.spki}`);
    }
    env.server = await startServer({ bootstrap: bootstrap(), ...options, args });
    env.browser = await launch(browserArgs);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
    if (env.certDir) fs.rmSync(env.certDir, { recursive: true, force: true });
  });
  return env;
}

// Clicks the row of account `id` in the operator's account list, once it is listed.
async function openAccountRow(page, id) {
  const rows = '#accounts tbody tr';
  await page.waitForFunction((sel, accountId) => [...document.querySelectorAll(sel)]
    .some((tr) => tr.querySelector('code')?.textContent === accountId), {}, rows, id);
  await page.evaluate((sel, accountId) => [...document.querySelectorAll(sel)]
    .find((tr) => tr.querySelector('code')?.textContent === accountId).click(), rows, id);
}

describe('console, virtual clock', { skip }, () => {
  const env = serverAndBrowser({ clock: 'virtual', provisionDelay: '1s' });

  test('the signer in Chromium gives every server vector, and the server accepts its calls', async () => {
    const watched = await consolePage(env);
    const { checked, failures } = await watched.page.evaluate(checkVectors, '/console/js/bce_signer.js', loadVectors());
    assert.deepEqual(failures, []);
    assert.ok(checked >= 40, `only ${checked} checks ran`);
    // Signed in at all means the server verified the page's signatures.
    await signIn(watched.page, OPERATOR.ak, OPERATOR.sk);
    await finish(watched, env, OPERATOR.sk);
  });

  test('a wrong key pair is refused with the API\'s code, and forgotten', async () => {
    const watched = await consolePage(env);
    const { page } = watched;
    const wrong = 'wrong-secret-5d0c2a';
    await page.type('#sign-in-form input[name=accessKey]', OPERATOR.ak);
    await page.type('#sign-in-form input[name=secretKey]', wrong);
    await page.click('#sign-in-form button[type=submit]');
    await waitForText(page, '#sign-in-message', 'SignatureDoesNotMatch');
    await page.$eval('#sign-in-form input[name=accessKey]', (el) => { el.value = 'no-such-key'; });
    await page.type('#sign-in-form input[name=secretKey]', wrong);
    await page.click('#sign-in-form button[type=submit]');
    await waitForText(page, '#sign-in-message', 'InvalidAccessKeyId');
    assert.equal(await page.$eval('#view', (el) => el.hidden), true);
    await finish(watched, env, wrong);
  });

  test('operator: sees the demo account and pool, advances the clock', async () => {
    const watched = await consolePage(env, DESKTOP);
    const { page } = watched;
    await screenshot(page, 'sign-in-desktop');
    await signIn(page, OPERATOR.ak, OPERATOR.sk);
    await waitForText(page, '#clock-mode', 'Virtual clock');
    assert.equal(await text(page, '.role'), 'Operator');

    // The account list (DescribeAccounts) shows live units; a row opens the account.
    await openAccountRow(page, 'acct-demo');
    await waitForText(page, '#account-balance', '¥1,000,000.00');
    await waitForText(page, '#account-detail', 'svco-demo');
    await waitForText(page, '#account-detail', 'opening balance');
    await screenshot(page, 'operator-accounts-desktop');

    // A new account from the console; its hostile name is shown as text, never as markup.
    const hostile = '<img src=x id=pwned onerror=alert(1)>';
    await page.click('#accounts details.drawer summary');
    await page.type('#accounts input[name=name]', hostile);
    await page.type('#accounts input[name=balance]', '12.5');
    await page.click('#accounts details.drawer button[type=submit]');
    await waitForText(page, '#account-balance', '¥12.50');
    assert.equal(await text(page, '#account-detail h2'), hostile);
    assert.equal(await page.$('#pwned'), null);

    await page.click('#tab-capacity');
    await waitForText(page, '[data-pool="bj/gpu-1"] .pool-count', '0 / 64 units');
    await waitForText(page, '#prices', '¥3,000.00');
    await screenshot(page, 'operator-pools-desktop');

    // Each advance moves the shown time by exactly that much, and the server agrees.
    const shown = () => page.$eval('#clock-now', (el) => el.dateTime);
    const t0 = new Date(await shown());
    await page.click('[data-advance=hour]');
    await page.waitForFunction((t) => document.querySelector('#clock-now').dateTime === t, {},
      new Date(t0.getTime() + 3600e3).toISOString());
    await page.click('[data-advance=day]');
    const t2 = new Date(t0.getTime() + 3600e3 + 86400e3);
    await page.waitForFunction((t) => document.querySelector('#clock-now').dateTime === t, {}, t2.toISOString());
    await page.click('[data-advance=month]');
    await page.waitForFunction((t) => document.querySelector('#clock-now').dateTime > t, {}, t2.toISOString());
    const t3 = new Date(await shown());
    assert.equal(t3.getUTCDate(), Math.min(t2.getUTCDate(), new Date(Date.UTC(t3.getUTCFullYear(), t3.getUTCMonth() + 1, 0)).getUTCDate()));
    assert.equal((t3.getUTCMonth() - t2.getUTCMonth() + 12) % 12, 1);
    assert.match(await text(page, '#clock-now'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);

    // An open account is not re-read after a clock move (that would settle it): it says so.
    await page.click('#tab-accounts');
    await waitForText(page, '#account-detail', 'press Refresh');
    await assertClean(watched, env.server, OPERATOR.sk);

    await signOut(page);
    assert.equal(await page.$eval('#view', (el) => el.children.length), 0);
    await finish(watched, env, OPERATOR.sk);
  });

  test('operator at phone width', async () => {
    const watched = await consolePage(env, PHONE);
    const { page } = watched;
    await screenshot(page, 'sign-in-phone');
    await signIn(page, OPERATOR.ak, OPERATOR.sk);
    await waitForText(page, '#clock-mode', 'Virtual clock');
    await openAccountRow(page, 'acct-demo');
    await waitForText(page, '#account-balance', '¥');
    await screenshot(page, 'operator-accounts-phone');
    await page.click('#tab-capacity');
    await waitForText(page, '[data-pool="bj/gpu-1"] .pool-count', '/ 64 units');
    await screenshot(page, 'operator-pools-phone');
    // Nothing is wider than the phone's screen.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
    await finish(watched, env, OPERATOR.sk);
  });

  test('outside a secure context the page says so and offers no sign-in', async () => {
    const watched = await watchedPage(env.browser);
    const { page } = watched;
    await page.goto(`http://${INSECURE_HOST}:${env.server.port}/console/`);
    await waitForText(page, '#insecure', 'cannot sign requests here');
    await waitForText(page, '#insecure', `http://127.0.0.1:${env.server.port}/console/`);
    assert.equal(await page.$eval('#sign-in-form input[name=secretKey]', (el) => el.disabled), true);
    assert.equal(await page.$eval('#sign-in-form button', (el) => el.disabled), true);
    await screenshot(page, 'insecure-context-desktop');
    assert.deepEqual(foreignRequests(watched.requests, `http://${INSECURE_HOST}:${env.server.port}`), []);
    await page.close();
  });

  test('tenant: buys a unit, sees it Creating, then Running, releases it; errors show code and message', async () => {
    const watched = await consolePage(env);
    const { page } = watched;
    await signIn(page, TENANT.ak, TENANT.sk);
    assert.equal(await text(page, '.role'), 'Tenant');
    assert.equal(await page.$('#clock-now'), null, 'a tenant has no clock controls');

    await buyForService(page, 'svco-demo', 1);
    await waitForText(page, '#buy .message', /Bought unit-[a-z0-9]{12}/);
    const unit = (await text(page, '#buy .message')).match(/unit-[a-z0-9]{12}/)[0];
    // On the virtual clock the unit stays Creating until time moves; the page, which re-reads
    // its list while a unit changes state, then shows it Running by itself.
    await waitForText(page, `[data-unit-status="${unit}"]`, 'Creating');
    await waitForText(page, '#unit-detail', 'Creating');
    await screenshot(page, 'tenant-creating-desktop');
    await operator(env.server, 'AdvanceClock', { seconds: 5 });
    await waitForText(page, `[data-unit-status="${unit}"]`, 'Running');
    await waitForText(page, '#unit-detail', 'Running');
    await screenshot(page, 'tenant-running-desktop');

    // A release scheduled (in the browser's local time, sent as UTC), then cleared.
    await setValue(page, '#auto-release input[name=releaseTime]', '2030-01-15T10:30:00');
    await page.click('#auto-release button[type=submit]');
    const expected = await page.evaluate(() => new Date('2030-01-15T10:30:00').toISOString().replace(/\.\d+Z$/, 'Z'));
    await waitForText(page, '#unit-release-time', expected.replace('T', ' ').replace('Z', ''));
    assert.equal((await unitOf(env.server, unit)).releaseTime, expected);
    await page.click('#clear-release');
    await waitForText(page, '#unit-release-time', '—');
    assert.equal((await unitOf(env.server, unit)).releaseTime, undefined);

    // Released after a confirmation; the list and the detail both say so, and so does the API.
    const asked = acceptDialogs(page);
    await page.click('#release-unit');
    await waitForText(page, '#unit-status', 'Released');
    await waitForText(page, `[data-unit-status="${unit}"]`, 'Released');
    assert.match(asked.join(), new RegExp(`Release ${unit}`));
    assert.equal((await unitOf(env.server, unit)).status, 'Released');
    await waitForText(page, '#unit-detail', 'This unit has ended');
    assert.equal(await page.$('#release-unit'), null, 'an ended unit offers no release');
    await screenshot(page, 'tenant-released-desktop');

    // 40 replicas of 2 units do not fit a pool of 64: the API's code and message are shown.
    await buyForService(page, 'svco-demo', 40);
    await waitForText(page, '#buy .message.error', 'InsufficientInventory');
    await finish(watched, env, TENANT.sk);
  });

  test('tenant at phone width; a hidden tab stops re-reading', async () => {
    const watched = await consolePage(env, PHONE);
    const { page } = watched;
    await signIn(page, TENANT.ak, TENANT.sk);
    await buyForService(page, 'svco-demo', 1);
    await waitForText(page, '#unit-detail', 'Creating');
    // While Creating the open unit is re-read every second, but not while its tab is hidden.
    const detailReads = () => watched.requests.filter((r) => r.url.endsWith('?Action=DescribeComputeUnit')).length;
    await page.click('#tab-services');
    await waitForText(page, '#tenant-services', 'svco-demo');
    const hiddenReads = detailReads();
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(detailReads(), hiddenReads, 'the hidden Units tab kept polling');
    await page.click('#tab-units');
    await operator(env.server, 'AdvanceClock', { seconds: 5 });
    await waitForText(page, '#unit-detail', 'Running');
    await screenshot(page, 'tenant-phone');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
    // The service on the unit opens in the Services tab.
    await page.click('#unit-detail tbody tr');
    await waitForText(page, '#service-detail h2', 'demo-chat');
    assert.equal(await page.$eval('#panel-services', (el) => el.hidden), false);
    await finish(watched, env, TENANT.sk);
  });

  test('tenant: buys a Prepaid unit, sets and clears its auto-renewal', async () => {
    const watched = await consolePage(env);
    const { page } = watched;
    await signIn(page, TENANT.ak, TENANT.sk);
    await page.waitForSelector('#buy select[name=kind]');
    await page.select('#buy select[name=kind]', 'units');
    await page.select('#buy select[name=paymentTiming]', 'Prepaid');
    await setValue(page, '#buy input[name=computeUnitCount]', 1);
    await setValue(page, '#buy input[name=reservationLength]', 1);
    const unit = await submitForId(page, '#buy', /unit-[a-z0-9]{12}/);
    await waitForText(page, '#unit-status', 'Creating');
    await operator(env.server, 'AdvanceClock', { seconds: 5 });
    await waitForText(page, '#unit-status', 'Running');
    await waitForText(page, '#unit-auto-renew', 'off');
    assert.equal(await page.$('#release-unit'), null, 'a Prepaid unit is not released by hand');

    await setValue(page, '#auto-renew input[name=autoRenewTime]', 2);
    await page.click('#auto-renew button[type=submit]');
    await waitForText(page, '#unit-auto-renew', 'every 2 month(s)');
    assert.deepEqual((await unitOf(env.server, unit)).autoRenew, { renewTime: 2, renewTimeUnit: 'MONTH' });
    await screenshot(page, 'tenant-prepaid-renewal-desktop');

    await page.click('#stop-renewing');
    await waitForText(page, '#unit-auto-renew', 'off');
    assert.equal((await unitOf(env.server, unit)).autoRenew, undefined);
    await waitForText(page, '#unit-detail .message', 'Auto-renewal off');
    await finish(watched, env, TENANT.sk);
  });

  test('tenant: creates a service, sees it listed, scales it, deactivates it', async () => {
    // Setup through the API: a Running unit of 4 units to put the service on.
    const { instanceId: unit } = await tenant(env.server, '/v2/computeunit', 'PurchaseComputeUnit',
      { computeUnitCount: 4, computeUnitConfig: { region: 'bj', type: 'gpu-1' }, billing: { paymentTiming: 'Postpaid' } });
    await operator(env.server, 'AdvanceClock', { seconds: 5 });

    const watched = await consolePage(env);
    const { page } = watched;
    const asked = acceptDialogs(page);
    await signIn(page, TENANT.ak, TENANT.sk);
    await page.click('#tab-services');
    await waitForText(page, '#tenant-services', 'svco-demo');
    // The new-service form offers the caller's Running units; 1 replica of 1 unit on it.
    await page.waitForSelector(`#new-service option[value="${unit}"]`);
    await page.select('#new-service select[name=instanceId]', unit);
    await page.type('#new-service input[name=name]', 'console-chat');
    const serviceId = await submitForId(page, '#new-service', /svco-[a-z0-9]{12}/);
    await waitForText(page, '#service-status', 'Deploying');
    await waitForText(page, `[data-service-status="${serviceId}"]`, 'Deploying');
    await operator(env.server, 'AdvanceClock', { seconds: 5 });
    await waitForText(page, '#service-status', 'Serving');
    await waitForText(page, `[data-service-status="${serviceId}"]`, 'Serving');
    await waitForText(page, `[data-deployment-replicas="${unit}"]`, '1');

    // Scale out to 3: ScalingOut until the deploy delay passes on the virtual clock.
    await setValue(page, `[data-scale="${unit}"] input`, 3);
    await page.click(`[data-scale="${unit}"] button`);
    await waitForText(page, `[data-deployment-scale="${unit}"]`, 'ScalingOut');
    await screenshot(page, 'tenant-service-scaling-desktop');
    await operator(env.server, 'AdvanceClock', { seconds: 5 });
    await waitForText(page, `[data-deployment-scale="${unit}"]`, /^$/);
    await waitForText(page, '#service-replicas', '3');
    assert.equal((await tenant(env.server, '/v2/service', 'DescribeService', { serviceId })).resourceConfig.replicasCount, 3);

    // 5 replicas of 1 unit do not fit a unit of 4: the API's code and message are shown.
    await setValue(page, `[data-scale="${unit}"] input`, 5);
    await page.click(`[data-scale="${unit}"] button`);
    await waitForText(page, '#service-detail .message.error', 'OperationNotAllowed');
    await screenshot(page, 'tenant-service-desktop');

    // Deactivated after a confirmation: Deactivating, then Stopped once the delay passed.
    await page.click('#deactivate-service');
    await waitForText(page, '#service-status', 'Deactivating');
    await waitForText(page, '#service-detail .message', 'keep billing');
    assert.match(asked.join(), /Deactivate console-chat/);
    await operator(env.server, 'AdvanceClock', { seconds: 5 });
    await waitForText(page, '#service-status', 'Stopped');
    await waitForText(page, `[data-service-status="${serviceId}"]`, 'Stopped');
    assert.equal(await page.$('#deactivate-service'), null);
    assert.equal((await tenant(env.server, '/v2/service', 'DescribeService', { serviceId })).runStatus, 'Stopped');
    await screenshot(page, 'tenant-service-stopped-desktop');
    await finish(watched, env, TENANT.sk);

    // The same views at a phone's width.
    const phone = await consolePage(env, PHONE);
    await signIn(phone.page, TENANT.ak, TENANT.sk);
    await phone.page.click('#tab-services');
    await waitForText(phone.page, `[data-service-status="${serviceId}"]`, 'Stopped');
    await phone.page.evaluate(() => [...document.querySelectorAll('#tenant-services tbody tr')]
      .find((tr) => tr.querySelector('code').textContent === 'svco-demo').click());
    await waitForText(phone.page, '#service-status', 'Serving');
    await screenshot(phone.page, 'tenant-services-phone');
    assert.ok(await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
    await finish(phone, env, TENANT.sk);
  });

  test('tenant: creates a service on a new Prepaid unit bought for it', async () => {
    const watched = await consolePage(env);
    const { page } = watched;
    await signIn(page, TENANT.ak, TENANT.sk);
    await page.click('#tab-services');
    await page.waitForSelector('#new-service select[name=where]');
    await page.select('#new-service select[name=where]', 'new');
    await page.type('#new-service input[name=name]', 'console-new');
    await page.select('#new-service select[name=region]', 'bj');
    await page.select('#new-service select[name=unitsPerReplica]', '2');
    await page.select('#new-service select[name=paymentTiming]', 'Prepaid');
    await setValue(page, '#new-service input[name=reservationLength]', 1);
    const serviceId = await submitForId(page, '#new-service', /svco-[a-z0-9]{12}/);
    await waitForText(page, '#service-status', 'Deploying');
    await operator(env.server, 'AdvanceClock', { seconds: 5 });
    await waitForText(page, '#service-status', 'Serving');
    await waitForText(page, '#service-detail', 'Prepaid');
    const service = await tenant(env.server, '/v2/service', 'DescribeService', { serviceId });
    assert.equal(service.resourceConfig.type, 'GPU-1-2');
    assert.equal(service.payType, 'Prepay');
    assert.equal(service.deployments.length, 1);
    const unit = await unitOf(env.server, service.deployments[0].instanceId);
    assert.deepEqual([unit.paymentTiming, unit.totalComputeUnits, unit.region], ['Prepaid', 2, 'bj']);
    await screenshot(page, 'tenant-service-new-unit-desktop');
    await finish(watched, env, TENANT.sk);
  });

  test('tenant: services are listed 20 at a time; More shows the rest, and a re-read keeps them', async () => {
    const { instanceId: unit } = await tenant(env.server, '/v2/computeunit', 'PurchaseComputeUnit',
      { computeUnitCount: 21, computeUnitConfig: { region: 'bj', type: 'gpu-1' }, billing: { paymentTiming: 'Postpaid' } });
    await operator(env.server, 'AdvanceClock', { seconds: 5 });
    for (let i = 0; i < 21; i++) {
      await tenant(env.server, '/v2/service', 'CreateService', {
        name: `paged-${i}`, deploymentConfig: { deploymentComputeUnitList: [{ instanceId: unit, deploymentReplicasCount: 1 }] },
      });
    }
    await operator(env.server, 'AdvanceClock', { seconds: 5 });
    const total = (await tenant(env.server, '/v2/service', 'DescribeServices', { maxKeys: 100 })).services.length;
    assert.ok(total > 20 && total <= 40, `${total} services`);

    const watched = await consolePage(env);
    const { page } = watched;
    await signIn(page, TENANT.ak, TENANT.sk);
    await page.click('#tab-services');
    const rows = () => page.$$eval('#tenant-services tbody tr', (trs) => trs.length);
    const more = '#services .pager button';
    await page.waitForSelector(`${more}:not([hidden])`);
    assert.equal(await rows(), 20);
    await page.click(more);
    await page.waitForFunction((n) => document.querySelectorAll('#tenant-services tbody tr').length === n, {}, total);
    assert.equal(await page.$eval(more, (el) => el.hidden), true, 'nothing more after the last page');
    await waitForText(page, '#tenant-services', 'paged-20');
    // Refresh redraws the table (the marked one goes away) with every row that was shown.
    await page.$eval('#tenant-services tbody', (el) => { el.dataset.stale = '1'; });
    await page.click('#services .card-head button');
    await page.waitForSelector('#tenant-services tbody:not([data-stale])');
    assert.equal(await rows(), total);
    await finish(watched, env, TENANT.sk);
  });

  test('tenant: resizes a unit, sees it Reconfiguring, then Running at the new size', async () => {
    const { instanceId: unit } = await tenant(env.server, '/v2/computeunit', 'PurchaseComputeUnit',
      { computeUnitCount: 1, computeUnitConfig: { region: 'bj', type: 'gpu-1' }, billing: { paymentTiming: 'Postpaid' } });
    await operator(env.server, 'AdvanceClock', { seconds: 5 });
    const watched = await consolePage(env);
    const { page } = watched;
    await signIn(page, TENANT.ak, TENANT.sk);
    await waitForText(page, `[data-unit-status="${unit}"]`, 'Running');
    await page.evaluate((id) => [...document.querySelectorAll('#tenant-units tbody tr')]
      .find((tr) => tr.querySelector('code').textContent === id).click(), unit);
    await waitForText(page, '#unit-status', 'Running');
    await waitForText(page, '#unit-size', '1 (0 used)');

    await setValue(page, '#resize-unit input[name=count]', 3);
    await page.click('#resize-unit button[type=submit]');
    await waitForText(page, '#unit-status', 'Reconfiguring');
    await waitForText(page, `[data-unit-status="${unit}"]`, 'Reconfiguring');
    assert.equal(await page.$('#resize-unit'), null, 'no second resize while one is in flight');
    await screenshot(page, 'tenant-resizing-desktop');
    await operator(env.server, 'AdvanceClock', { seconds: 5 });
    await waitForText(page, '#unit-status', 'Running');
    await waitForText(page, '#unit-size', '3 (0 used)');
    assert.equal((await unitOf(env.server, unit)).totalComputeUnits, 3);

    // The current size again is refused: the API's code and message are shown.
    await page.click('#resize-unit button[type=submit]');
    await waitForText(page, '#unit-detail .message.error', 'OperationNotAllowed');
    await finish(watched, env, TENANT.sk);
  });

  test('operator: units across accounts with filters; faults injected and cleared', async () => {
    // Runs after the tenant's purchases above: their units are the demo account's.
    const watched = await consolePage(env);
    const { page } = watched;
    await signIn(page, OPERATOR.ak, OPERATOR.sk);
    await page.click('#tab-units');
    await waitForText(page, '#operator-units', 'acct-demo');
    await waitForText(page, '#operator-units', 'Running');
    await page.select('#panel-units select[name=region]', 'bd');
    await page.click('#panel-units form.filters button[type=submit]');
    await waitForText(page, '#operator-units', 'No units match.');
    await page.select('#panel-units select[name=region]', 'bj');
    await page.select('#panel-units select[name=status]', 'Running');
    await page.click('#panel-units form.filters button[type=submit]');
    await waitForText(page, '#operator-units', 'acct-demo');
    const statuses = await page.$$eval('#operator-units tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
    assert.ok(statuses.length >= 2 && statuses.every((s) => s === 'Running'), statuses.join());
    await screenshot(page, 'operator-units-desktop');

    await page.click('#tab-faults');
    await waitForText(page, '#faults', 'No faults injected');
    await page.$eval('#panel-faults input[name=count]', (el) => { el.value = '2'; });
    await page.select('#panel-faults select[name=region]', 'bj');
    await page.click('#panel-faults form button[type=submit]');
    await waitForText(page, '#faults', 'provision');
    assert.deepEqual(await page.$$eval('#faults tbody td', (tds) => tds.map((td) => td.textContent)),
      ['provision', '2', 'bj', 'any']);
    await screenshot(page, 'operator-faults-desktop');
    await page.click('#panel-faults .card-head button.danger');
    await waitForText(page, '#faults', 'No faults injected');
    await finish(watched, env, OPERATOR.sk);
  });

  test('operator: opens the demo account from the DescribeAccounts list and pages its ledger', async () => {
    // More entries than one ledger page (20): top-ups of ¥1 through the API.
    for (let i = 0; i < 21; i++) await operator(env.server, 'TopUpBalance', { accountId: 'acct-demo', amount: 100 });
    const listed = (await operator(env.server, 'DescribeAccounts')).accounts.find((a) => a.accountId === 'acct-demo');

    const watched = await consolePage(env);
    const { page } = watched;
    await signIn(page, OPERATOR.ak, OPERATOR.sk);
    await waitForText(page, '#accounts tbody', 'acct-demo');
    assert.equal(await text(page, '[data-live-units="acct-demo"]'), String(listed.liveUnits),
      'live units as DescribeAccounts counts them');
    assert.ok(listed.liveUnits >= 3, `the tenant tests left live units (${listed.liveUnits})`);
    assert.equal(describeAccountCalls(watched), 0, 'the list does not open (settle) any account');

    await openAccountRow(page, 'acct-demo');
    await waitForText(page, '#ledger', 'topup');
    const kinds = () => page.$$eval('#ledger tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
    assert.equal((await kinds()).length, 20);
    assert.ok((await kinds()).every((k) => ['topup', 'prepaid', 'renewal', 'resize', 'postpaid', 'refund'].includes(k)));
    await screenshot(page, 'operator-ledger-desktop');
    await page.click('#ledger-pager [data-page=older]');
    await waitForText(page, '#ledger-pager .page-no', 'Page 2');
    await waitForText(page, '#ledger', 'opening balance');
    assert.ok((await kinds()).includes('prepaid'), 'the Prepaid purchase is charged in the ledger');
    await page.click('#ledger-pager [data-page=newest]');
    await waitForText(page, '#ledger-pager .page-no', 'Page 1');
    assert.equal(describeAccountCalls(watched), 3, 'opened once, paged twice');

    // Neither the clock moving nor time passing reads the account again.
    const before = await page.$eval('#clock-now', (el) => el.dateTime);
    await page.click('[data-advance=hour]');
    await page.waitForFunction((t) => document.querySelector('#clock-now').dateTime !== t, {}, before);
    await waitForText(page, '#account-detail', 'press Refresh');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(describeAccountCalls(watched), 3, 'DescribeAccount only when a person asks');
    await finish(watched, env, OPERATOR.sk);

    const phone = await consolePage(env, PHONE);
    await signIn(phone.page, OPERATOR.ak, OPERATOR.sk);
    await openAccountRow(phone.page, 'acct-demo');
    await waitForText(phone.page, '#ledger', 'topup');
    await screenshot(phone.page, 'operator-ledger-phone');
    assert.ok(await phone.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
    await finish(phone, env, OPERATOR.sk);
  });
});

describe('console, system clock', { skip }, () => {
  const env = serverAndBrowser({});

  test('operator: the clock controls are shown disabled', async () => {
    const watched = await consolePage(env);
    const { page } = watched;
    await signIn(page, OPERATOR.ak, OPERATOR.sk);
    await waitForText(page, '#clock-mode', 'System clock');
    for (const which of ['hour', 'day', 'month']) {
      assert.equal(await page.$eval(`[data-advance=${which}]`, (el) => el.disabled), true, which);
    }
    // The system clock runs: the shown time moves by itself.
    const first = await page.$eval('#clock-now', (el) => el.dateTime);
    await page.waitForFunction((t) => document.querySelector('#clock-now').dateTime !== t, { timeout: 5000 }, first);
    await signOut(page);
    await finish(watched, env, OPERATOR.sk);
  });

});

describe('console over TLS', { skip }, () => {
  const env = serverAndBrowser({ clock: 'virtual' }, { tls: true });

  test('on a name that is not loopback, HTTPS makes the page a secure context that signs', async () => {
    // The same name that over plain HTTP shows the notice (see above) works over HTTPS.
    const origin = `https://${INSECURE_HOST}:${env.server.port}`;
    const watched = await watchedPage(env.browser);
    const { page } = watched;
    const response = await page.goto(`${origin}/console/`);
    assert.equal(response.status(), 200);
    assert.equal(await page.evaluate(() => window.isSecureContext), true);
    assert.equal(await page.$eval('#insecure', (el) => el.hidden), true);
    await signIn(page, OPERATOR.ak, OPERATOR.sk);
    await waitForText(page, '#clock-mode', 'Virtual clock');
    const before = await page.$eval('#clock-now', (el) => el.dateTime);
    await page.click('[data-advance=hour]');
    await page.waitForFunction((t) => document.querySelector('#clock-now').dateTime !== t, {}, before);
    await screenshot(page, 'operator-tls-desktop');
    assert.deepEqual(foreignRequests(watched.requests, origin), []);
    assert.deepEqual(watched.problems, []);
    assert.deepEqual(await secretLeaks(page, watched.requests, OPERATOR.sk), []);
    await page.close();
  });
});
