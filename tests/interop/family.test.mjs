// The compute-unit family beyond the four seed actions, driven by the official Node SDK's
// consoleAction (tenant and operator keys alike): every call buys, orders, injected faults
// (CreateFailed with a full refund, ReconfigureFailed with the growth refunded), resizes and the
// operator's view of every unit.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, demoBootstrap, OPERATOR } from './server.mjs';
import { sdk, okResult, expectSdkError, INSTANCE_ID_RE } from './sdk-helpers.mjs';

const ADMIN = { ak: 'demo-ak', sk: 'demo-sk' };
const SR = '/v2/serviceresources';
const OP = '/v1/operator';
const CU = '/v2/computeunit';
const CHARGE = '/v2/charge';
const ORDER_ID_RE = /^ord-[a-z0-9]{16}$/;

const postpaid = (serviceId, replicasCount = 1) => ({ serviceId, replicasCount, billing: { paymentTiming: 'Postpaid' } });
const prepaid = (serviceId, replicasCount, months) => ({
  serviceId, replicasCount, billing: { paymentTiming: 'Prepaid', reservation: { reservationTimeUnit: 'Month', reservationLength: months } },
});

describe('compute-unit family through consoleAction (virtual clock)', () => {
  let server;
  const tenant = async (route, action, data) => okResult(await sdk(server, ADMIN, route, action, data));
  const op = async (action, data = {}) => okResult(await sdk(server, OPERATOR, OP, action, data));
  const unit = async (instanceId) => (await tenant('/v2/computeunit', 'DescribeComputeUnit', { instanceId })).computeUnitInstance;

  before(async () => { server = await startServer({ bootstrap: demoBootstrap(), clock: 'virtual', provisionDelay: '5s' }); });
  after(async () => { await server.stop(); });

  test('five identical purchases sent at once through the SDK buy five units', async () => {
    const before_ = (await op('DescribeUnits', { accountId: 'acct-demo' })).units.length;
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => tenant(SR, 'PurchaseComputeUnit', postpaid('svco-demo'))));
    const ids = results.map((r) => r.instanceId);
    for (const id of ids) assert.match(id, INSTANCE_ID_RE);
    assert.equal(new Set(ids).size, 5);
    assert.equal((await op('DescribeUnits', { accountId: 'acct-demo' })).units.length - before_, 5);
  });

  test('InjectFault / DescribeFaults: a provisioning fault makes the purchase CreateFailed with a full refund', async () => {
    assert.equal(await op('InjectFault', { operation: 'provision', count: 1, region: 'bj', type: 'gpu-1' }), true);
    assert.deepEqual((await op('DescribeFaults')).faults, [{ operation: 'provision', remaining: 1, region: 'bj', type: 'gpu-1' }]);
    const { instanceId } = await tenant(SR, 'PurchaseComputeUnit', prepaid('svco-demo', 1, 1));
    assert.equal((await unit(instanceId)).status, 'Creating', 'the purchase is accepted');
    assert.deepEqual((await op('DescribeFaults')).faults, [], 'the fault is used once, at acceptance');
    await op('AdvanceClock', { seconds: 5 });
    assert.equal((await unit(instanceId)).status, 'CreateFailed');
    const { ledger } = await op('DescribeAccount', { accountId: 'acct-demo', maxKeys: 1000 });
    const mine = ledger.filter((e) => e.instanceId === instanceId);
    assert.deepEqual(mine.map((e) => [e.kind, e.amount]).sort(), [['prepaid', -600000], ['refund', 600000]]);
    assert.match(mine[0].orderId, ORDER_ID_RE);
    assert.equal(mine[0].orderId, mine[1].orderId, 'charge and refund name one order');
  });

  test('ClearFaults and the refusals of InjectFault', async () => {
    await op('InjectFault', { operation: 'reconfigure', count: 2 });
    await op('InjectFault', { operation: 'deploy', count: 1, type: 'gpu-1' });
    await op('InjectFault', { operation: 'deactivate', count: 1, region: 'gz' });
    assert.equal((await op('DescribeFaults')).faults.length, 3);
    assert.equal(await op('ClearFaults'), true);
    assert.deepEqual((await op('DescribeFaults')).faults, []);
    await expectSdkError(sdk(server, OPERATOR, OP, 'InjectFault', { operation: 'meltdown', count: 1 }), 400, 'InvalidParameter');
    await expectSdkError(sdk(server, ADMIN, OP, 'InjectFault', { operation: 'provision', count: 1 }), 403, 'AccessDenied');
  });

  test('DescribeUnits pages every account\'s units, newest first, with accountId', async () => {
    const all = await op('DescribeUnits', { maxKeys: 1000 });
    assert.equal(all.isTruncated, false);
    const seen = [];
    let marker;
    for (;;) {
      const page = await op('DescribeUnits', { maxKeys: 2, ...(marker ? { marker } : {}) });
      assert.ok(page.units.length <= 2);
      seen.push(...page.units.map((u) => u.instanceId));
      if (!page.isTruncated) { assert.equal(page.nextMarker, undefined); break; }
      marker = page.nextMarker;
    }
    assert.deepEqual(seen, all.units.map((u) => u.instanceId));
    for (const u of all.units) {
      assert.equal(u.accountId, 'acct-demo');
      assert.equal(typeof u.totalComputeUnits, 'number');
    }
    const failed = await op('DescribeUnits', { status: 'CreateFailed' });
    assert.equal(failed.units.length, 1);
  });

  test('PurchaseComputeUnit on /v2/computeunit: units with no service, region chosen, {instanceId, orderId}', async () => {
    const bought = await tenant(CU, 'PurchaseComputeUnit', {
      computeUnitCount: 3, computeUnitConfig: { type: 'gpu-1' }, billing: { paymentTiming: 'Postpaid' },
    });
    assert.deepEqual(Object.keys(bought).sort(), ['instanceId', 'orderId']);
    assert.match(bought.instanceId, INSTANCE_ID_RE);
    assert.match(bought.orderId, ORDER_ID_RE);
    const u = await unit(bought.instanceId);
    assert.equal(u.region, 'bj');
    assert.equal(u.totalComputeUnits, 3);
    assert.equal(u.usedComputeUnits, 0);
    await expectSdkError(sdk(server, ADMIN, CU, 'PurchaseComputeUnit', {
      computeUnitCount: 1, computeUnitConfig: { type: 'gpu-1', region: 'gz' }, billing: { paymentTiming: 'Postpaid' },
    }), 400, 'InsufficientInventory');
  });

  test('DescribeComputeUnits on /v2/computeunit and /v2/charge: the account\'s units, filtered and paged', async () => {
    const all = await tenant(CU, 'DescribeComputeUnits', {});
    assert.ok(all.computeUnitInstanceList.length >= 7);
    assert.equal(all.isTruncated, undefined);
    const viaCharge = await tenant(CHARGE, 'DescribeComputeUnits', {});
    assert.deepEqual(viaCharge.computeUnitInstanceList.map((u) => u.instanceId), all.computeUnitInstanceList.map((u) => u.instanceId));
    const page = await tenant(CU, 'DescribeComputeUnits', { maxKeys: 2 });
    assert.equal(page.computeUnitInstanceList.length, 2);
    assert.equal(page.isTruncated, true);
    const next = await tenant(CU, 'DescribeComputeUnits', { maxKeys: 2, marker: page.nextMarker });
    assert.equal(next.computeUnitInstanceList[0].instanceId, all.computeUnitInstanceList[2].instanceId);
    const prepaidOnly = await tenant(CU, 'DescribeComputeUnits', { paymentTiming: 'Prepaid', region: 'bj', type: 'gpu-1' });
    assert.ok(prepaidOnly.computeUnitInstanceList.every((u) => u.paymentTiming === 'Prepaid'));
  });

  test('ReleaseComputeUnit: unit form, service form and the /v2/charge names', async () => {
    const a = (await tenant(CU, 'PurchaseComputeUnit', { computeUnitCount: 1, computeUnitConfig: { type: 'gpu-1' }, billing: { paymentTiming: 'Postpaid' } })).instanceId;
    assert.equal(await tenant(CU, 'ReleaseComputeUnit', { instanceId: a }), true);
    assert.equal((await unit(a)).status, 'Released');
    assert.equal(await tenant(CHARGE, 'ReleaseComputeUnit', { instanceId: a }), true, 'a retry succeeds');
    const b = (await tenant(SR, 'PurchaseComputeUnit', postpaid('svco-demo'))).instanceId;
    await op('AdvanceClock', { seconds: 5 });
    assert.equal(await tenant(SR, 'ReleaseComputeUnit', { serviceId: 'svco-demo', instanceId: b }), true);
    assert.equal(await tenant(CHARGE, 'ReleaseServiceResource', { serviceId: 'svco-demo', instanceId: b }), true);
    const { instances } = await tenant(SR, 'DescribeComputeUnits', { serviceId: 'svco-demo' });
    assert.equal(instances.find((i) => i.instanceId === b).status, 'Deleted');
    const p = (await tenant(SR, 'PurchaseComputeUnit', prepaid('svco-demo', 1, 1))).instanceId;
    await expectSdkError(sdk(server, ADMIN, CU, 'ReleaseComputeUnit', { instanceId: p }), 400, 'OperationNotAllowed');
  });

  test('CreateAutoRenewRules / DeleteAutoRenewRules, and the Python helper\'s AutoReleaseComputeUnit', async () => {
    const id = (await tenant(SR, 'PurchaseComputeUnit', prepaid('svco-demo', 1, 1))).instanceId;
    await op('AdvanceClock', { seconds: 5 });
    assert.equal(await tenant(CHARGE, 'CreateAutoRenewRules', { instanceId: id, instanceType: 'ComputingUnit', autoRenewTimeUnit: 'Month', autoRenewTime: 3 }), true);
    assert.deepEqual((await unit(id)).autoRenew, { renewTime: 3, renewTimeUnit: 'MONTH' });
    assert.equal(await tenant(CHARGE, 'AutoReleaseComputeUnit', { instanceId: id, instanceType: 'ComputingUnit', autoRenewTimeUnit: 'month', autoRenewTime: 2 }), true);
    assert.deepEqual((await unit(id)).autoRenew, { renewTime: 2, renewTimeUnit: 'MONTH' });
    assert.equal(await tenant(CHARGE, 'DeleteAutoRenewRules', { instanceId: id }), true);
    assert.equal((await unit(id)).autoRenew, undefined);
    await expectSdkError(sdk(server, ADMIN, CHARGE, 'CreateAutoRenewRules', { instanceId: id, instanceType: 'TPM' }), 400, 'OperationNotAllowed');
  });
  test('ResizeComputeUnit on /v2/computeunit and /v2/charge: growth paid pro rata, shrink refunded, a fault rolled back', async () => {
    const bought = await tenant(CU, 'PurchaseComputeUnit', {
      computeUnitCount: 2, computeUnitConfig: { type: 'gpu-1', region: 'bj' },
      billing: { paymentTiming: 'Prepaid', reservation: { reservationTimeUnit: 'Month', reservationLength: 1 } },
    });
    const id = bought.instanceId;
    await op('AdvanceClock', { seconds: 5 });
    const { startTime, expiredTime } = await unit(id);
    const term = (Date.parse(expiredTime) - Date.parse(startTime)) / 1000;
    await op('AdvanceClock', { seconds: 86400 });
    const remaining = (Date.parse(expiredTime) - Date.parse((await op('DescribeClock')).now)) / 1000;

    const grown = await tenant(CU, 'ResizeComputeUnit', { instanceId: id, count: 4, clientToken: 'grow-once' });
    assert.deepEqual(Object.keys(grown).sort(), ['instanceId', 'orderId']);
    assert.equal(grown.instanceId, id);
    assert.match(grown.orderId, ORDER_ID_RE);
    assert.deepEqual(await tenant(CHARGE, 'ResizeComputeUnit', { instanceId: id, count: 4, clientToken: 'grow-once' }), grown, 'a replay');
    const u = await unit(id);
    assert.equal(u.status, 'Reconfiguring');
    assert.equal(u.totalComputeUnits, 4, 'a growth holds the new size at once');
    // DescribeAccount settles the account's Postpaid usage too: find the resize by its order.
    const byOrder = async (orderId) =>
      (await op('DescribeAccount', { accountId: 'acct-demo', maxKeys: 1000 })).ledger.filter((e) => e.orderId === orderId);
    const [charged, ...others] = await byOrder(grown.orderId);
    assert.equal(others.length, 0, 'one entry: the replay charged nothing');
    assert.equal(charged.kind, 'resize');
    assert.equal(charged.instanceId, id);
    // ceil(300000 fen × 2 units × 1 month × remaining / term), in exact integer arithmetic.
    const numerator = 300000n * 2n * BigInt(remaining);
    const expected = (numerator + BigInt(term) - 1n) / BigInt(term);
    assert.equal(BigInt(-charged.amount), expected);
    await op('AdvanceClock', { seconds: 5 });
    assert.equal((await unit(id)).status, 'Running');

    await expectSdkError(sdk(server, ADMIN, CU, 'ResizeComputeUnit', { instanceId: id, count: 4 }), 400, 'OperationNotAllowed');
    await expectSdkError(sdk(server, ADMIN, CU, 'ResizeComputeUnit', { instanceId: id, count: 0 }), 400, 'InvalidParameter');
    await expectSdkError(sdk(server, ADMIN, CU, 'ResizeComputeUnit', { instanceId: 'unit-000000000000', count: 3 }), 404, 'ResourceNotFound');

    const shrunk = await tenant(CHARGE, 'ResizeComputeUnit', { instanceId: id, count: 3 });
    assert.equal((await unit(id)).totalComputeUnits, 4, 'a shrink holds the old size until done');
    await op('AdvanceClock', { seconds: 5 });
    assert.equal((await unit(id)).totalComputeUnits, 3);
    const [refunded] = await byOrder(shrunk.orderId);
    assert.equal(refunded.kind, 'resize');
    assert.ok(refunded.amount > 0);

    await op('InjectFault', { operation: 'reconfigure', count: 1 });
    const failing = await tenant(CU, 'ResizeComputeUnit', { instanceId: id, count: 5 });
    await op('AdvanceClock', { seconds: 5 });
    const after = await unit(id);
    assert.equal(after.status, 'ReconfigureFailed');
    assert.equal(after.totalComputeUnits, 3);
    const entries = await byOrder(failing.orderId);
    assert.deepEqual(entries.map((e) => e.kind).sort(), ['refund', 'resize']);
    assert.equal(entries[0].amount + entries[1].amount, 0, 'the failed growth cost nothing');
  });
});
