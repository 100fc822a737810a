// A sample suite: how a project tests its compute-unit code against cuplane, through the
// official SDK (@baiducloud/qianfan). Run with `node --test`; Jest and Vitest take the same
// before/beforeEach/after hooks (beforeAll/afterAll there).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { consoleAction } from '@baiducloud/qianfan';
import { startCuplane } from '../cuplane.mjs';

const MONTH = 31 * 86400;
let cuplane;

before(async () => {
  cuplane = await startCuplane({ bootstrap: fileURLToPath(new URL('bootstrap.json', import.meta.url)) });
  cuplane.applyEnv(); // QIANFAN_ACCESS_KEY, QIANFAN_SECRET_KEY, QIANFAN_CONSOLE_API_BASE_URL
});
beforeEach(() => cuplane.reset());
after(() => cuplane.stop());

async function buyPrepaid(months = 1) {
  const { result } = await consoleAction({
    base_api_route: '/v2/serviceresources',
    action: 'PurchaseComputeUnit',
    data: {
      serviceId: 'svc-chat', replicasCount: 1, clientToken: randomUUID(),
      billing: { paymentTiming: 'Prepaid', reservation: { reservationTimeUnit: 'Month', reservationLength: months } },
    },
  });
  return result.instanceId;
}

async function unit(instanceId) {
  const { result } = await consoleAction({ base_api_route: '/v2/computeunit', action: 'DescribeComputeUnit', data: { instanceId } });
  return result.computeUnitInstance;
}

async function unitsOfTheService() {
  const { result } = await consoleAction({ base_api_route: '/v2/serviceresources', action: 'DescribeComputeUnits', data: { serviceId: 'svc-chat' } });
  return result.instances;
}

test('a prepaid unit expires after its month', async () => {
  const id = await buyPrepaid();
  await cuplane.advance(1); // provisioned
  const running = await unit(id);
  assert.equal(running.status, 'Running');
  assert.ok(Date.parse(running.expiredTime) > Date.parse(running.startTime));

  await cuplane.advance(MONTH);
  assert.equal((await unit(id)).status, 'Released');
});

test('every test starts from the bootstrap, the clock included', async () => {
  assert.deepEqual(await unitsOfTheService(), []); // the previous test's unit is gone
  const start = await cuplane.now();
  await cuplane.advance(3600);
  await cuplane.reset();
  assert.equal((await cuplane.now()).getTime(), start.getTime());
});

test('a snapshot brings a whole setup back', async () => {
  const first = await buyPrepaid();
  await cuplane.saveSnapshot('one-unit');
  await buyPrepaid();
  await cuplane.advance(MONTH);
  await cuplane.restoreSnapshot('one-unit');
  assert.deepEqual((await unitsOfTheService()).map((u) => u.instanceId), [first]);
});

test('an injected provisioning fault fails the unit', async () => {
  await cuplane.injectFault('provision');
  const id = await buyPrepaid();
  await cuplane.advance(1);
  assert.equal((await unit(id)).status, 'CreateFailed');
});
