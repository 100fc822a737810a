// The official Node SDK (@baiducloud/qianfan consoleAction) puts a service's replicas on
// compute units through /v2/service: it buys a unit, creates a service on it, scales it out and
// in, and deactivates it, watching runStatus, scaleStatus and usedComputeUnits on the virtual
// clock.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, demoBootstrap, operator } from './server.mjs';
import { sdk, okResult, expectSdkError, TIME_RE } from './sdk-helpers.mjs';

const ADMIN = { ak: 'demo-ak', sk: 'demo-sk' };
const READER = { ak: 'reader-ak', sk: 'reader-sk' };
const SR = '/v2/serviceresources';
const CU = '/v2/computeunit';
const SVC = '/v2/service';

function bootstrap() {
  const b = demoBootstrap();
  b.accounts[0].users.push({
    name: 'reader', policies: ['QianfanServiceReadAccessPolicy'],
    accessKeys: [{ accessKey: READER.ak, secretKey: READER.sk }],
  });
  return b;
}

describe('official Node SDK: services on compute units', () => {
  let server;
  const call = (route, action, data, creds = ADMIN) => sdk(server, creds, route, action, data);
  const service = async (serviceId) => okResult(await call(SVC, 'DescribeService', { serviceId }));
  const unit = async (instanceId) => okResult(await call(CU, 'DescribeComputeUnit', { instanceId }));
  const advance = (seconds) => operator(server, 'AdvanceClock', { seconds });

  before(async () => {
    server = await startServer({
      bootstrap: bootstrap(), clock: 'virtual', provisionDelay: '1s', args: ['--deploy-delay', '5s'],
    });
  });
  after(async () => { await server?.stop(); });

  test('buy a unit, create a service on it, scale out and in, deactivate', async () => {
    // A unit bought for svco-demo (2 units per replica): 4 replicas, 8 units, all used.
    const { instanceId } = okResult(await call(SR, 'PurchaseComputeUnit', {
      serviceId: 'svco-demo', replicasCount: 4, billing: { paymentTiming: 'Postpaid' },
    }));
    let demo = await service('svco-demo');
    assert.equal(demo.runStatus, 'Deploying');
    assert.deepEqual(demo.deployments, [{
      instanceId, deploymentReplicasCount: 4, deployedComputingUnits: 8, scaleStatus: 'ScalingOut',
    }]);
    await advance(1 + 5);
    demo = await service('svco-demo');
    assert.equal(demo.runStatus, 'Serving');
    assert.equal(demo.deployments[0].scaleStatus, undefined);

    // Scale svco-demo in to 1 replica: it holds 8 units until the scale is done.
    assert.equal(okResult(await call(SVC, 'ScaleService', {
      serviceId: 'svco-demo', instanceId, deploymentReplicasCount: 1,
    })), true);
    let detail = await unit(instanceId);
    assert.equal(detail.computeUnitInstance.usedComputeUnits, 8);
    assert.equal(detail.serviceUsageList[0].scaleStatus, 'ScalingIn');
    await advance(5);
    detail = await unit(instanceId);
    assert.equal(detail.computeUnitInstance.usedComputeUnits, 2);

    // A new service on the 6 free units: 3 replicas of 2 units.
    const created = okResult(await call(SVC, 'CreateService', {
      name: 'sdk-chat', description: 'made by the Node SDK', modelId: 'amv-1',
      deploymentConfig: {
        deploymentComputeUnitList: [{ instanceId, deploymentReplicasCount: 3 }],
        replicaComputeUnitCount: 2,
      },
    }));
    assert.match(created.serviceId, /^svco-[a-z0-9]{12}$/);
    let chat = await service(created.serviceId);
    assert.equal(chat.runStatus, 'Deploying');
    assert.equal(chat.chargeType, 'ComputingUnit');
    assert.equal(chat.payType, 'Postpay');
    assert.equal(chat.creator, 'admin');
    assert.match(chat.createTime, TIME_RE);
    assert.deepEqual(chat.resourceConfig, { region: 'bj', type: 'GPU-1-2', replicasCount: 3 });
    assert.equal((await unit(instanceId)).computeUnitInstance.usedComputeUnits, 8);
    await advance(5);
    assert.equal((await service(created.serviceId)).runStatus, 'Serving');

    // The unit is full: scaling out is refused, naming the free units.
    const refused = await expectSdkError(call(SVC, 'ScaleService', {
      serviceId: created.serviceId, instanceId, deploymentReplicasCount: 4,
    }), 400, 'OperationNotAllowed');
    assert.match(refused.body.message, /6 free compute unit/);
    // Scale it in to 2, then out again to 3.
    okResult(await call(SVC, 'ScaleService', { serviceId: created.serviceId, instanceId, deploymentReplicasCount: 2 }));
    await advance(5);
    okResult(await call(SVC, 'ScaleService', { serviceId: created.serviceId, instanceId, deploymentReplicasCount: 3 }));
    chat = await service(created.serviceId);
    assert.equal(chat.deployments[0].scaleStatus, 'ScalingOut');
    assert.equal(chat.runStatus, 'Serving');  // two replicas stay up meanwhile
    await advance(5);

    // The list, paged, and filtered by runStatus.
    const page = okResult(await call(SVC, 'DescribeServices', { maxKeys: 1 }));
    assert.equal(page.isTruncated, true);
    assert.equal(page.services[0].serviceId, 'svco-demo');
    const next = okResult(await call(SVC, 'DescribeServices', { maxKeys: 1, marker: page.nextMarker }));
    assert.equal(next.services[0].serviceId, created.serviceId);
    assert.equal(next.isTruncated, false);
    const serving = okResult(await call(SVC, 'DescribeServices', { runStatus: ['Serving'] }, READER));
    assert.equal(serving.services.length, 2);

    // A reader may look but not change.
    await expectSdkError(call(SVC, 'DeactivateService', { serviceId: created.serviceId }, READER),
      403, 'AccessDenied');

    // Deactivate: Deactivating, then Stopped with its deployment gone; the unit stays.
    const deactivated = okResult(await call(SVC, 'DeactivateService', { serviceId: created.serviceId }));
    assert.equal(deactivated.operation, true);
    assert.match(deactivated.message, /not released and keep billing/);
    assert.equal((await service(created.serviceId)).runStatus, 'Deactivating');
    await advance(5);
    chat = await service(created.serviceId);
    assert.equal(chat.runStatus, 'Stopped');
    assert.deepEqual(chat.deployments, []);
    detail = await unit(instanceId);
    assert.equal(detail.computeUnitInstance.status, 'Running');
    assert.equal(detail.computeUnitInstance.usedComputeUnits, 2);
    assert.deepEqual(detail.serviceUsageList.map((s) => s.serviceId), ['svco-demo']);
    await expectSdkError(call(SVC, 'ScaleService', {
      serviceId: created.serviceId, instanceId, deploymentReplicasCount: 1,
    }), 400, 'OperationNotAllowed');
  });

  test('an unknown service is not found, and bad fields name themselves', async () => {
    await expectSdkError(call(SVC, 'DescribeService', { serviceId: 'svco-nowhere' }), 404, 'ResourceNotFound');
    const bad = await expectSdkError(call(SVC, 'DescribeServices', { maxKeys: 0 }), 400, 'InvalidParameter');
    assert.match(bad.body.message, /maxKeys/);
  });
});
