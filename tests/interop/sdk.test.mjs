// The official Node SDK (@baiducloud/qianfan consoleAction) against the cuplane binary:
// the four compute-unit actions, their legacy /v2/charge names, error cases, and the quick start.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, demoBootstrap, operator, pool, waitFor } from './server.mjs';
import {
  sdk, okResult, expectSdkError, TIME_RE, INSTANCE_ID_RE, addMonths, isoPlusSeconds,
} from './sdk-helpers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const ADMIN = { ak: 'demo-ak', sk: 'demo-sk' };
const READER = { ak: 'reader-ak', sk: 'reader-sk' };
const OPERATE = { ak: 'operate-ak', sk: 'operate-sk' };
const OTHER = { ak: 'other-ak', sk: 'other-sk' };
const POOR = { ak: 'poor-ak', sk: 'poor-sk' };

const SR = '/v2/serviceresources';
const CU = '/v2/computeunit';
const CHARGE = '/v2/charge';

const BASE_KEYS = ['instanceId', 'region', 'status', 'type', 'totalComputeUnits', 'usedComputeUnits',
  'paymentTiming', 'startTime', 'expiredTime', 'creator'];

function bootstrap() {
  const b = demoBootstrap();
  b.prices.push({ type: 'gpu-2', prepaidPerUnitMonth: 600000, postpaidPerUnitHour: 1000 });
  b.inventory.push({ region: 'bd', type: 'gpu-2', totalUnits: 6 });
  const demo = b.accounts[0];
  demo.users.push(
    { name: 'reader', policies: ['QianfanServiceReadAccessPolicy'], accessKeys: [{ accessKey: READER.ak, secretKey: READER.sk }] },
    { name: 'operate', policies: ['QianfanServiceOperateAccessPolicy'], accessKeys: [{ accessKey: OPERATE.ak, secretKey: OPERATE.sk }] },
  );
  demo.services.push({ serviceId: 'svco-small', name: 'small-pool', region: 'bd', type: 'gpu-2', unitsPerReplica: 4 });
  b.accounts.push(
    {
      accountId: 'acct-other', name: 'other', balance: 100000000,
      users: [{ name: 'boss', policies: ['QianfanFullControlAccessPolicy'], accessKeys: [{ accessKey: OTHER.ak, secretKey: OTHER.sk }] }],
      services: [{ serviceId: 'svco-other', name: 'other-chat', region: 'bj', type: 'gpu-1', unitsPerReplica: 1 }],
    },
    {
      // 500 fen covers one hour of one Postpaid gpu-1 unit, nothing more.
      accountId: 'acct-poor', name: 'poor', balance: 500,
      users: [{ name: 'poorman', policies: ['QianfanFullControlAccessPolicy'], accessKeys: [{ accessKey: POOR.ak, secretKey: POOR.sk }] }],
      services: [{ serviceId: 'svco-poor', name: 'poor-chat', region: 'bj', type: 'gpu-1', unitsPerReplica: 1 }],
    },
  );
  return b;
}

const postpaid = (serviceId, replicasCount = 1) => ({ serviceId, replicasCount, billing: { paymentTiming: 'Postpaid' } });
const prepaid = (serviceId, replicasCount, reservation) => ({
  serviceId, replicasCount, billing: { paymentTiming: 'Prepaid', reservation },
});

describe('official Node SDK, system clock', () => {
  let server;
  const call = (creds, route, action, data) => sdk(server, creds, route, action, data);
  const purchase = async (data, creds = ADMIN, route = SR, action = 'PurchaseComputeUnit') => {
    const result = okResult(await call(creds, route, action, data));
    assert.deepEqual(Object.keys(result), ['instanceId']);
    assert.match(result.instanceId, INSTANCE_ID_RE);
    return result.instanceId;
  };
  const list = async (data, creds = ADMIN, route = SR, action = 'DescribeComputeUnits') => {
    const result = okResult(await call(creds, route, action, data));
    assert.ok(Array.isArray(result.instances), 'result.instances is an array');
    return result.instances;
  };
  const detail = async (instanceId, creds = ADMIN, route = CU) =>
    okResult(await call(creds, route, 'DescribeComputeUnit', { instanceId }));
  const autoRelease = async (data, creds = ADMIN, route = CU) => {
    const result = okResult(await call(creds, route, 'AutoReleaseComputeUnit', data));
    assert.equal(result, true);
  };
  const waitRunning = (instanceId) => waitFor(async () => {
    const d = await detail(instanceId);
    return d.computeUnitInstance.status === 'Running' && d;
  }, { timeoutMs: 5000, what: `${instanceId} Running` });

  // Instances bought in the first test and described by the later ones.
  let post1; let pre3; let preNoRenew; let otherUnit;

  before(async () => { server = await startServer({ bootstrap: bootstrap() }); });
  after(async () => {
    const { code } = await server.stop();
    assert.equal(code, 0, 'SIGTERM stops the server with exit code 0');
  });

  test('PurchaseComputeUnit: Postpaid and Prepaid with reservation', async () => {
    const before_ = await pool(server);
    post1 = await purchase(postpaid('svco-demo', 1));
    pre3 = await purchase(prepaid('svco-demo', 2, {
      reservationTimeUnit: 'Month', reservationLength: 3, autoRenew: true, autoRenewTimeUnit: 'month', autoRenewTime: 2,
    }));
    // reservationTimeUnit is case-insensitive; autoRenew defaults to false.
    preNoRenew = await purchase(prepaid('svco-demo', 1, { reservationTimeUnit: 'month', reservationLength: 1 }));
    otherUnit = await purchase(postpaid('svco-other', 3), OTHER);
    assert.equal(new Set([post1, pre3, preNoRenew, otherUnit]).size, 4, 'distinct instance ids');
    const after_ = await pool(server);
    // 1×2 + 2×2 + 1×2 units for svco-demo, 3×1 for svco-other.
    assert.equal(after_.allocatedUnits - before_.allocatedUnits, 2 + 4 + 2 + 3);
  });

  test('Prepaid purchase charges price × units × months at once', async () => {
    const acct0 = await operator(server, 'DescribeAccount', { accountId: 'acct-demo' });
    const id = await purchase(prepaid('svco-demo', 1, { reservationTimeUnit: 'MONTH', reservationLength: 2 }));
    const acct1 = await operator(server, 'DescribeAccount', { accountId: 'acct-demo' });
    // 300000 fen per unit-month × 2 units × 2 months, plus a few fen of Postpaid usage accrued
    // meanwhile by the running Postpaid unit (settled on describe of the account).
    const spent = acct0.balance - acct1.balance;
    assert.ok(spent >= 1200000 && spent < 1200000 + 100, `balance went down by ${spent}`);
    const entry = acct1.ledger.find((e) => e.instanceId === id);
    assert.ok(entry, 'a ledger entry names the instance');
    assert.equal(entry.kind, 'prepaid');
    assert.equal(entry.amount, -1200000);
  });

  test('DescribeComputeUnits: Running units with times; Prepaid expires after its reservation', async () => {
    for (const id of [post1, pre3, preNoRenew]) await waitRunning(id);
    const instances = await list({ serviceId: 'svco-demo' });
    const byId = Object.fromEntries(instances.map((i) => [i.instanceId, i]));
    for (const i of instances) {
      assert.deepEqual(Object.keys(i).sort(),
        ['expiredTime', 'instanceId', 'paymentTiming', 'replicasCount', 'startTime', 'status'].sort());
    }
    const p = byId[post1];
    assert.equal(p.paymentTiming, 'Postpaid');
    assert.equal(p.replicasCount, 1);
    assert.equal(p.status, 'Running');
    assert.match(p.startTime, TIME_RE);
    assert.equal(p.expiredTime, '', 'a Postpaid unit has no expiredTime');
    const q = byId[pre3];
    assert.equal(q.paymentTiming, 'Prepaid');
    assert.equal(q.replicasCount, 2);
    assert.equal(q.status, 'Running');
    assert.match(q.startTime, TIME_RE);
    assert.equal(q.expiredTime, addMonths(q.startTime, 3));
    assert.equal(byId[preNoRenew].expiredTime, addMonths(byId[preNoRenew].startTime, 1));
    assert.equal(byId[otherUnit], undefined, "another account's unit is not listed");
  });

  test('DescribeComputeUnits: newest first', async () => {
    const ids = [];
    for (let i = 3; i <= 5; i++) ids.push(await purchase(postpaid('svco-demo', i)));
    const listed = (await list({ serviceId: 'svco-demo' })).map((i) => i.instanceId);
    const pos = ids.map((id) => listed.indexOf(id));
    assert.ok(pos.every((p) => p >= 0), 'all listed');
    assert.deepEqual(listed.slice(0, 3), [...ids].reverse(), 'the three newest come first, newest first');
    assert.ok(listed.indexOf(post1) > pos[0], 'older units come later');
  });

  test('DescribeComputeUnits: paymentTiming filter (and null counts as absent)', async () => {
    const all = await list({ serviceId: 'svco-demo' });
    const pre = await list({ serviceId: 'svco-demo', paymentTiming: 'Prepaid' });
    const postL = await list({ serviceId: 'svco-demo', paymentTiming: 'Postpaid' });
    const withNull = await list({ serviceId: 'svco-demo', paymentTiming: null });
    assert.ok(pre.length >= 2 && postL.length >= 1);
    assert.ok(pre.every((i) => i.paymentTiming === 'Prepaid'));
    assert.ok(postL.every((i) => i.paymentTiming === 'Postpaid'));
    assert.ok(pre.some((i) => i.instanceId === pre3) && !pre.some((i) => i.instanceId === post1));
    assert.ok(postL.some((i) => i.instanceId === post1) && !postL.some((i) => i.instanceId === pre3));
    assert.equal(pre.length + postL.length, all.length);
    assert.deepEqual(withNull.map((i) => i.instanceId), all.map((i) => i.instanceId));
  });

  test('DescribeComputeUnit: Prepaid with auto-renew (all §4.4 fields)', async () => {
    const d = await detail(pre3);
    assert.deepEqual(Object.keys(d).sort(), ['computeUnitInstance', 'serviceInfoList', 'serviceUsageList']);
    const u = d.computeUnitInstance;
    assert.deepEqual(Object.keys(u).sort(),
      [...BASE_KEYS, 'reservationLength', 'reservationTimeUnit', 'autoRenew'].sort());
    assert.equal(u.instanceId, pre3);
    assert.equal(u.region, 'bj');
    assert.equal(u.type, 'gpu-1');
    assert.equal(u.status, 'Running');
    assert.equal(u.totalComputeUnits, 4);
    assert.equal(u.paymentTiming, 'Prepaid');
    assert.match(u.startTime, TIME_RE);
    assert.equal(u.expiredTime, addMonths(u.startTime, 3));
    assert.equal(u.creator, 'admin');
    assert.equal(u.reservationLength, 3);
    assert.equal(u.reservationTimeUnit, 'MONTH');
    assert.deepEqual(u.autoRenew, { renewTime: 2, renewTimeUnit: 'MONTH' });
    assert.deepEqual(d.serviceInfoList, d.serviceUsageList, 'serviceInfoList and serviceUsageList are the same');
    assert.equal(d.serviceUsageList.length, 1);
    const s = d.serviceUsageList[0];
    for (const k of ['serviceName', 'serviceId', 'runStatus', 'deployedComputingUnits', 'creator']) assert.ok(k in s, `service entry has ${k}`);
    assert.equal(s.serviceName, 'demo-chat');
    assert.equal(s.serviceId, 'svco-demo');
    assert.equal(typeof s.runStatus, 'string');
    assert.ok(s.runStatus.length > 0);
    assert.equal(s.deployedComputingUnits, 4);
    assert.equal(s.creator, 'admin');
    assert.equal(u.usedComputeUnits, 4, 'usedComputeUnits is what the services deploy on it');
  });

  test('DescribeComputeUnit: Prepaid without auto-renew has no autoRenew', async () => {
    const u = (await detail(preNoRenew)).computeUnitInstance;
    assert.deepEqual(Object.keys(u).sort(), [...BASE_KEYS, 'reservationLength', 'reservationTimeUnit'].sort());
    assert.equal(u.reservationLength, 1);
    assert.equal(u.reservationTimeUnit, 'MONTH');
    assert.equal(u.totalComputeUnits, 2);
  });

  test('PurchaseComputeUnit: a Postpaid purchase ignores any reservation', async () => {
    const id = await purchase({ serviceId: 'svco-demo', replicasCount: 1,
      billing: { paymentTiming: 'Postpaid', reservation: { reservationTimeUnit: 'Year', reservationLength: 99, autoRenew: true } } });
    const u = (await detail(id)).computeUnitInstance;
    assert.equal(u.paymentTiming, 'Postpaid');
    assert.deepEqual(Object.keys(u).sort(), [...BASE_KEYS].sort());
  });

  test('DescribeComputeUnit: Postpaid has no reservation fields and no releaseTime until one is set', async () => {
    const d = await detail(post1);
    const u = d.computeUnitInstance;
    assert.deepEqual(Object.keys(u).sort(), [...BASE_KEYS].sort());
    assert.equal(u.paymentTiming, 'Postpaid');
    assert.equal(u.expiredTime, '');
    assert.equal(u.totalComputeUnits, 2);
    assert.deepEqual(d.serviceInfoList, d.serviceUsageList);
  });

  test('AutoReleaseComputeUnit: "YYYY-MM-DD HH:MM:SS" is read at +08:00', async () => {
    await autoRelease({ instanceId: post1, releaseTime: '2030-01-15 09:30:00' });
    const u = (await detail(post1)).computeUnitInstance;
    assert.equal(u.releaseTime, '2030-01-15T01:30:00Z');
    assert.deepEqual(Object.keys(u).sort(), [...BASE_KEYS, 'releaseTime'].sort());
    assert.equal(u.status, 'Running', 'scheduling a release does not change the status');
  });

  test('AutoReleaseComputeUnit: RFC 3339 with offset and with Z', async () => {
    await autoRelease({ instanceId: post1, releaseTime: '2030-01-25T12:30:30+08:00' });
    assert.equal((await detail(post1)).computeUnitInstance.releaseTime, '2030-01-25T04:30:30Z');
    await autoRelease({ instanceId: post1, releaseTime: '2031-06-30T23:59:59Z' });
    assert.equal((await detail(post1)).computeUnitInstance.releaseTime, '2031-06-30T23:59:59Z');
  });

  test('AutoReleaseComputeUnit: null, "" and an absent releaseTime clear the schedule', async () => {
    for (const clear of [{ releaseTime: null }, { releaseTime: '' }, {}]) {
      await autoRelease({ instanceId: post1, releaseTime: '2030-01-15 09:30:00' });
      assert.equal((await detail(post1)).computeUnitInstance.releaseTime, '2030-01-15T01:30:00Z');
      await autoRelease({ instanceId: post1, ...clear });
      const u = (await detail(post1)).computeUnitInstance;
      assert.ok(!('releaseTime' in u), `cleared by ${JSON.stringify(clear)}`);
    }
  });

  test('AutoReleaseComputeUnit: refused on Prepaid, in the past, or unparsable', async () => {
    await expectSdkError(call(ADMIN, CU, 'AutoReleaseComputeUnit', { instanceId: pre3, releaseTime: '2030-01-15 09:30:00' }),
      400, 'OperationNotAllowed');
    assert.ok(!('releaseTime' in (await detail(pre3)).computeUnitInstance));
    await expectSdkError(call(ADMIN, CU, 'AutoReleaseComputeUnit', { instanceId: post1, releaseTime: '2001-01-01 00:00:00' }),
      400, 'InvalidParameter');
    await expectSdkError(call(ADMIN, CU, 'AutoReleaseComputeUnit', { instanceId: post1, releaseTime: 'next tuesday' }),
      400, 'InvalidParameter');
    await expectSdkError(call(ADMIN, CU, 'AutoReleaseComputeUnit', {}), 400, 'InvalidParameter');
  });

  test('legacy /v2/charge names: PurchaseServiceResource and DescribeServiceResources', async () => {
    const id = await purchase(prepaid('svco-demo', 1, { reservationTimeUnit: 'Month', reservationLength: 1 }),
      ADMIN, CHARGE, 'PurchaseServiceResource');
    const legacy = await list({ serviceId: 'svco-demo' }, ADMIN, CHARGE, 'DescribeServiceResources');
    const modern = await list({ serviceId: 'svco-demo' });
    assert.deepEqual(legacy.map((i) => i.instanceId), modern.map((i) => i.instanceId));
    assert.equal(legacy[0].instanceId, id, 'newest first');
    const filtered = await list({ serviceId: 'svco-demo', paymentTiming: 'Postpaid' }, ADMIN, CHARGE, 'DescribeServiceResources');
    assert.ok(filtered.every((i) => i.paymentTiming === 'Postpaid') && !filtered.some((i) => i.instanceId === id));
  });

  test('/v2/charge also serves the compute-unit actions (the Python SDK sends them there)', async () => {
    const id = await purchase(postpaid('svco-demo', 1), ADMIN, CHARGE, 'PurchaseComputeUnit');
    const listed = await list({ serviceId: 'svco-demo', paymentTiming: null }, ADMIN, CHARGE, 'DescribeComputeUnits');
    assert.equal(listed[0].instanceId, id);
    await waitRunning(id);
    await autoRelease({ instanceId: id, releaseTime: '2030-01-15 09:30:00' }, ADMIN, CHARGE);
    const d = await detail(id, ADMIN, CHARGE);
    assert.equal(d.computeUnitInstance.releaseTime, '2030-01-15T01:30:00Z');
    assert.deepEqual(d, await detail(id));
  });

  test('ServiceOperate policy may purchase and describe', async () => {
    const id = await purchase(postpaid('svco-demo', 1), OPERATE);
    const d = await detail(id, OPERATE);
    assert.equal(d.computeUnitInstance.creator, 'operate', 'creator records the user name');
    await autoRelease({ instanceId: id, releaseTime: '2030-01-15 09:30:00' }, OPERATE);
  });

  test('errors: ResourceNotFound (404) for an unknown instance or service', async () => {
    await expectSdkError(call(ADMIN, CU, 'DescribeComputeUnit', { instanceId: 'unit-doesnotexist' }), 404, 'ResourceNotFound');
    await expectSdkError(call(ADMIN, CU, 'AutoReleaseComputeUnit', { instanceId: 'unit-doesnotexist', releaseTime: '2030-01-15 09:30:00' }),
      404, 'ResourceNotFound');
    await expectSdkError(call(ADMIN, SR, 'PurchaseComputeUnit', postpaid('svco-nosuch', 1)), 404, 'ResourceNotFound');
    await expectSdkError(call(ADMIN, SR, 'DescribeComputeUnits', { serviceId: 'svco-nosuch' }), 404, 'ResourceNotFound');
  });

  test("errors: another account's instance or service is ResourceNotFound, as if absent", async () => {
    const theirs = await expectSdkError(call(ADMIN, CU, 'DescribeComputeUnit', { instanceId: otherUnit }), 404, 'ResourceNotFound');
    const absent = await expectSdkError(call(ADMIN, CU, 'DescribeComputeUnit', { instanceId: 'unit-zzzzzzzzzzzz' }), 404, 'ResourceNotFound');
    assert.equal(theirs.body.message.replaceAll(otherUnit, 'X'), absent.body.message.replaceAll('unit-zzzzzzzzzzzz', 'X'),
      'same message as for an instance that does not exist');
    await expectSdkError(call(ADMIN, CU, 'AutoReleaseComputeUnit', { instanceId: otherUnit, releaseTime: '2030-01-15 09:30:00' }),
      404, 'ResourceNotFound');
    await expectSdkError(call(ADMIN, SR, 'PurchaseComputeUnit', postpaid('svco-other', 1)), 404, 'ResourceNotFound');
    await expectSdkError(call(ADMIN, SR, 'DescribeComputeUnits', { serviceId: 'svco-other' }), 404, 'ResourceNotFound');
    await expectSdkError(call(OTHER, CU, 'DescribeComputeUnit', { instanceId: post1 }), 404, 'ResourceNotFound');
    // ...and the owner still sees it, untouched.
    const u = (await detail(otherUnit, OTHER)).computeUnitInstance;
    assert.equal(u.totalComputeUnits, 3);
    assert.equal(u.creator, 'boss');
    assert.ok(!('releaseTime' in u));
  });

  test('errors: InsufficientInventory (400) changes nothing', async () => {
    const p0 = await pool(server, 'bd', 'gpu-2');
    const a0 = await operator(server, 'DescribeAccount', { accountId: 'acct-demo' });
    // 2 replicas × 4 units = 8 > 6 in bd/gpu-2
    await expectSdkError(call(ADMIN, SR, 'PurchaseComputeUnit', postpaid('svco-small', 2)), 400, 'InsufficientInventory');
    await expectSdkError(call(ADMIN, SR, 'PurchaseComputeUnit', prepaid('svco-small', 2, { reservationTimeUnit: 'Month', reservationLength: 1 })),
      400, 'InsufficientInventory');
    assert.deepEqual(await pool(server, 'bd', 'gpu-2'), p0);
    // Running Postpaid units accrue per second (settled on describe), so compare the other entries.
    const a1 = await operator(server, 'DescribeAccount', { accountId: 'acct-demo' });
    const notPostpaid = (a) => a.ledger.filter((e) => e.kind !== 'postpaid');
    assert.deepEqual(notPostpaid(a1), notPostpaid(a0), 'no charge for a failed purchase');
    assert.deepEqual(await list({ serviceId: 'svco-small' }), []);
  });

  test('errors: InsufficientBalance (400) changes nothing', async () => {
    const p0 = await pool(server);
    // Prepaid: 300000 × 1 unit × 1 month > 500
    await expectSdkError(call(POOR, SR, 'PurchaseComputeUnit', prepaid('svco-poor', 1, { reservationTimeUnit: 'Month', reservationLength: 1 })),
      400, 'InsufficientBalance');
    // Postpaid: one settlement period of 2 units (2 × 500) > 500
    await expectSdkError(call(POOR, SR, 'PurchaseComputeUnit', postpaid('svco-poor', 2)), 400, 'InsufficientBalance');
    assert.deepEqual(await pool(server), p0);
    const acct = await operator(server, 'DescribeAccount', { accountId: 'acct-poor' });
    assert.equal(acct.balance, 500);
    assert.deepEqual(await list({ serviceId: 'svco-poor' }, POOR), []);
  });

  test('errors: InvalidParameter (400) names the field', async () => {
    const cases = [
      [{ serviceId: 'svco-demo', replicasCount: 0, billing: { paymentTiming: 'Postpaid' } }, 'replicasCount'],
      [{ serviceId: 'svco-demo', replicasCount: -1, billing: { paymentTiming: 'Postpaid' } }, 'replicasCount'],
      [{ serviceId: 'svco-demo', replicasCount: '2', billing: { paymentTiming: 'Postpaid' } }, 'replicasCount'],
      [{ serviceId: 'svco-demo', billing: { paymentTiming: 'Postpaid' } }, 'replicasCount'],
      [{ replicasCount: 1, billing: { paymentTiming: 'Postpaid' } }, 'serviceId'],
      [{ serviceId: 'svco-demo', replicasCount: 1 }, 'billing'],
      [{ serviceId: 'svco-demo', replicasCount: 1, billing: { paymentTiming: 'Weekly' } }, 'paymentTiming'],
      [{ serviceId: 'svco-demo', replicasCount: 1, billing: { paymentTiming: 'Prepaid' } }, 'reservation'],
      [prepaid('svco-demo', 1, { reservationTimeUnit: 'Month', reservationLength: 13 }), 'reservationLength'],
      [prepaid('svco-demo', 1, { reservationTimeUnit: 'Month', reservationLength: 0 }), 'reservationLength'],
      [prepaid('svco-demo', 1, { reservationTimeUnit: 'Year', reservationLength: 1 }), 'reservationTimeUnit'],
      [prepaid('svco-demo', 1, { reservationTimeUnit: 'Month', reservationLength: 1, autoRenew: true, autoRenewTime: 7 }), 'autoRenewTime'],
    ];
    const p0 = await pool(server);
    for (const [data, field] of cases) {
      const err = await expectSdkError(call(ADMIN, SR, 'PurchaseComputeUnit', data), 400, 'InvalidParameter');
      assert.ok(err.body.message.includes(field), `message "${err.body.message}" names ${field} for ${JSON.stringify(data)}`);
    }
    await expectSdkError(call(ADMIN, SR, 'DescribeComputeUnits', {}), 400, 'InvalidParameter');
    await expectSdkError(call(ADMIN, CU, 'DescribeComputeUnit', {}), 400, 'InvalidParameter');
    assert.deepEqual(await pool(server), p0, 'no invalid purchase allocated anything');
  });

  test('errors: AccessDenied (403) for a read-only user writing; reads allowed', async () => {
    const p0 = await pool(server);
    await expectSdkError(call(READER, SR, 'PurchaseComputeUnit', postpaid('svco-demo', 1)), 403, 'AccessDenied');
    await expectSdkError(call(READER, CHARGE, 'PurchaseServiceResource', postpaid('svco-demo', 1)), 403, 'AccessDenied');
    await expectSdkError(call(READER, CU, 'AutoReleaseComputeUnit', { instanceId: post1, releaseTime: '2030-01-15 09:30:00' }),
      403, 'AccessDenied');
    assert.deepEqual(await pool(server), p0);
    assert.ok(!('releaseTime' in (await detail(post1)).computeUnitInstance));
    // Describe* is allowed.
    assert.ok((await list({ serviceId: 'svco-demo' }, READER)).length > 0);
    assert.equal((await detail(pre3, READER)).computeUnitInstance.instanceId, pre3);
  });

  test('errors: unknown Action or path is InvalidAction / InvalidURI (400)', async () => {
    await expectSdkError(call(ADMIN, SR, 'NoSuchAction', {}), 400, 'InvalidAction');
    await expectSdkError(call(ADMIN, '/v2/nosuchpath', 'DescribeComputeUnits', { serviceId: 'svco-demo' }), 400, 'InvalidURI');
    await expectSdkError(call(ADMIN, CU, 'PurchaseServiceResource', postpaid('svco-demo', 1)), 400, 'InvalidAction');
  });

  test('pool accounting: allocated equals the units of live instances', async () => {
    const { pools } = await operator(server, 'DescribeInventory');
    const bj = pools.find((p) => p.region === 'bj' && p.type === 'gpu-1');
    let units = 0;
    for (const [creds, serviceId] of [[ADMIN, 'svco-demo'], [OTHER, 'svco-other'], [POOR, 'svco-poor']]) {
      for (const i of await list({ serviceId }, creds)) units += (await detail(i.instanceId, creds)).computeUnitInstance.totalComputeUnits;
    }
    assert.equal(bj.allocatedUnits, units);
    assert.equal(bj.totalUnits, 64);
  });
});

describe('official Node SDK, virtual clock (Creating, expiry times, release)', () => {
  let server;
  const call = async (data, route, action) => okResult(await sdk(server, ADMIN, route, action, data));
  let t0; let pre; let post;

  before(async () => { server = await startServer({ clock: 'virtual', provisionDelay: '60s' }); });
  after(async () => { await server.stop(); });

  test('a new unit is Creating with empty times until provisioning completes', async () => {
    t0 = (await operator(server, 'DescribeClock')).now;
    pre = (await call(prepaid('svco-demo', 1, { reservationTimeUnit: 'Month', reservationLength: 3 }), SR, 'PurchaseComputeUnit')).instanceId;
    post = (await call(postpaid('svco-demo', 2), SR, 'PurchaseComputeUnit')).instanceId;
    const { instances } = await call({ serviceId: 'svco-demo' }, SR, 'DescribeComputeUnits');
    assert.deepEqual(instances.map((i) => i.instanceId), [post, pre]);
    for (const i of instances) {
      assert.equal(i.status, 'Creating');
      assert.equal(i.startTime, '');
      assert.equal(i.expiredTime, '');
    }
    const u = (await call({ instanceId: pre }, CU, 'DescribeComputeUnit')).computeUnitInstance;
    assert.equal(u.status, 'Creating');
    assert.equal(u.startTime, '');
    assert.equal(u.expiredTime, '');
    // A Creating Postpaid unit can already get a release schedule.
    assert.equal(await call({ instanceId: post, releaseTime: isoPlusSeconds(t0, 3600) }, CU, 'AutoReleaseComputeUnit'), true);
  });

  test('after the provisioning delay: Running, startTime is that moment, Prepaid expires 3 months later', async () => {
    const { now } = await operator(server, 'AdvanceClock', { seconds: 60 });
    assert.equal(now, isoPlusSeconds(t0, 60));
    const { instances } = await call({ serviceId: 'svco-demo' }, SR, 'DescribeComputeUnits');
    const byId = Object.fromEntries(instances.map((i) => [i.instanceId, i]));
    assert.equal(byId[pre].status, 'Running');
    assert.equal(byId[pre].startTime, now);
    assert.equal(byId[pre].expiredTime, addMonths(now, 3));
    assert.equal(byId[post].status, 'Running');
    assert.equal(byId[post].startTime, now);
    assert.equal(byId[post].expiredTime, '');
  });

  // The SDK signs with the wall clock; the signature window must not be judged against the
  // advanced virtual time (SPEC §1/§5: the virtual clock is for SDK-driven tests).
  test('at releaseTime a Postpaid unit is Released, listed as Deleted, its units back in the pool (SDK signs with wall time)', async () => {
    const p0 = await pool(server);
    const { now } = await operator(server, 'AdvanceClock', { seconds: 7200 });
    assert.equal(now, isoPlusSeconds(t0, 7260));
    const u = (await call({ instanceId: post }, CU, 'DescribeComputeUnit')).computeUnitInstance;
    assert.equal(u.status, 'Released');
    const { instances } = await call({ serviceId: 'svco-demo' }, SR, 'DescribeComputeUnits');
    assert.equal(instances.find((i) => i.instanceId === post)?.status, 'Deleted');
    assert.equal(instances.find((i) => i.instanceId === pre)?.status, 'Running');
    assert.equal(p0.allocatedUnits - (await pool(server)).allocatedUnits, 4);
    await expectSdkError(sdk(server, ADMIN, CU, 'AutoReleaseComputeUnit', { instanceId: post, releaseTime: isoPlusSeconds(now, 3600) }),
      400, 'OperationNotAllowed');
  });

  test('a month later the Prepaid unit without auto-renew is Released at expiredTime', async () => {
    const { expiredTime } = (await call({ instanceId: pre }, CU, 'DescribeComputeUnit')).computeUnitInstance;
    await operator(server, 'AdvanceClock', { to: expiredTime });
    const u = (await call({ instanceId: pre }, CU, 'DescribeComputeUnit')).computeUnitInstance;
    assert.equal(u.status, 'Released');
    const { instances } = await call({ serviceId: 'svco-demo' }, SR, 'DescribeComputeUnits');
    assert.equal(instances.find((i) => i.instanceId === pre)?.status, 'Deleted');
  });
});

describe('--local-offset', () => {
  test('"YYYY-MM-DD HH:MM:SS" is read in the configured offset (+00:00 here)', async (t) => {
    const server = await startServer({ args: ['--local-offset', '+00:00'] });
    t.after(() => server.stop());
    const { instanceId } = okResult(await sdk(server, ADMIN, SR, 'PurchaseComputeUnit', postpaid('svco-demo', 1)));
    assert.equal(okResult(await sdk(server, ADMIN, CU, 'AutoReleaseComputeUnit', { instanceId, releaseTime: '2030-01-15 09:30:00' })), true);
    const u = okResult(await sdk(server, ADMIN, CU, 'DescribeComputeUnit', { instanceId })).computeUnitInstance;
    assert.equal(u.releaseTime, '2030-01-15T09:30:00Z');
  });
});

/** Run quickstart.mjs with these env vars; resolves {code, stdout, stderr}. */
function runQuickstart(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(HERE, 'quickstart.mjs')], {
      cwd: HERE, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('error', reject);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

describe('quick start script', () => {
  test('quickstart.mjs runs against a demo-like bootstrap and exits 0', async (t) => {
    const server = await startServer({ bootstrap: demoBootstrap() });
    t.after(() => server.stop());
    const { code, stdout, stderr } = await runQuickstart({
      QIANFAN_ACCESS_KEY: 'demo-ak', QIANFAN_SECRET_KEY: 'demo-sk', QIANFAN_CONSOLE_API_BASE_URL: server.baseUrl,
    });
    assert.equal(code, 0, `quickstart failed\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    const id = stdout.match(/unit-[a-z0-9]{12}/)?.[0];
    assert.ok(id, 'prints the new instance id');
    const u = okResult(await sdk(server, ADMIN, CU, 'DescribeComputeUnit', { instanceId: id })).computeUnitInstance;
    assert.equal(u.status, 'Running');
    assert.equal(u.paymentTiming, 'Postpaid');
    assert.match(u.releaseTime, TIME_RE, 'the script scheduled a release');
  });

  test('README flow: first start without bootstrap prints export lines that quickstart.mjs accepts', async (t) => {
    const server = await startServer({ bootstrap: null });
    t.after(() => server.stop());
    const env = {};
    for (const m of server.stdout().matchAll(/^\s*export (QIANFAN_[A-Z_]+)=(\S+)\s*$/gm)) env[m[1]] = m[2];
    assert.deepEqual(Object.keys(env).sort(), ['QIANFAN_ACCESS_KEY', 'QIANFAN_CONSOLE_API_BASE_URL', 'QIANFAN_SECRET_KEY']);
    assert.equal(env.QIANFAN_CONSOLE_API_BASE_URL, server.baseUrl);
    const { code, stdout, stderr } = await runQuickstart(env);
    assert.equal(code, 0, `quickstart failed\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  });
});
