// What the official Node SDK (@baiducloud/qianfan consoleAction) sees in the corners: a console
// base URL ending in "/" (the SDK then requests "//v2/..." and signs that path), Qianfan IAM's
// exact authentication messages, the service-scoped DescribeComputeUnit (with replicasCount
// the service's own), and CreateService buying its unit with resourceConfig.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, demoBootstrap, operator, pool } from './server.mjs';
import { sdk, okResult, expectSdkError, INSTANCE_ID_RE } from './sdk-helpers.mjs';

const ADMIN = { ak: 'demo-ak', sk: 'demo-sk' };
const SR = '/v2/serviceresources';
const CU = '/v2/computeunit';
const CHARGE = '/v2/charge';
const SVC = '/v2/service';

describe('official Node SDK: base URL, auth messages, service views, services with units', () => {
  let server;
  const call = (route, action, data, creds = ADMIN) => sdk(server, creds, route, action, data);
  const advance = (seconds) => operator(server, 'AdvanceClock', { seconds });

  before(async () => {
    server = await startServer({
      bootstrap: demoBootstrap(), clock: 'virtual', provisionDelay: '1s', args: ['--deploy-delay', '2s'],
    });
  });
  after(async () => { await server?.stop(); });

  test('a base URL with a trailing slash works: //v2/... is routed as /v2/...', async () => {
    const slashed = { ...server, baseUrl: `${server.baseUrl}/` };
    const viaSlash = (route, action, data) => sdk(slashed, ADMIN, route, action, data);
    const { instanceId } = okResult(await viaSlash(SR, 'PurchaseComputeUnit', {
      serviceId: 'svco-demo', replicasCount: 1, billing: { paymentTiming: 'Postpaid' },
    }));
    assert.match(instanceId, INSTANCE_ID_RE);
    const listed = okResult(await viaSlash(CHARGE, 'DescribeComputeUnits', { serviceId: 'svco-demo' }));
    assert.ok(listed.instances.some((i) => i.instanceId === instanceId));
    const detail = okResult(await viaSlash(CU, 'DescribeComputeUnit', { instanceId }));
    assert.equal(detail.computeUnitInstance.totalComputeUnits, 2);
    // Errors come back the same way through that base URL.
    await expectSdkError(viaSlash(SVC, 'DescribeService', { serviceId: 'svco-nowhere' }), 404, 'ResourceNotFound');
    okResult(await viaSlash(CU, 'ReleaseComputeUnit', { instanceId }));
  });

  test("authentication failures carry Qianfan IAM's messages in the body and X-Bce-Error-Message", async () => {
    const badSignature = 'SignatureDoesNotMatch, cause: Fail to authn user: Signature does not match';
    const unknownKey = 'NotFound, cause: Could not find credential.';
    const wrong = await expectSdkError(call(SR, 'DescribeComputeUnits', { serviceId: 'svco-demo' },
      { ak: ADMIN.ak, sk: 'not-the-secret' }), 400, 'SignatureDoesNotMatch');
    assert.equal(wrong.body.message, badSignature);
    assert.equal(wrong.headers['x-bce-error-message'], badSignature);
    const unknown = await expectSdkError(call(SR, 'DescribeComputeUnits', { serviceId: 'svco-demo' },
      { ak: 'no-such-ak', sk: 'whatever' }), 403, 'InvalidAccessKeyId');
    assert.equal(unknown.body.message, unknownKey);
    assert.equal(unknown.headers['x-bce-error-message'], unknownKey);
  });

  test('DescribeComputeUnit by service: {instance}, with the replicas of that service on the unit', async () => {
    const { instanceId } = okResult(await call(SR, 'PurchaseComputeUnit', {
      serviceId: 'svco-demo', replicasCount: 3, billing: { paymentTiming: 'Postpaid' },
    }));
    await advance(1 + 2);
    okResult(await call(SVC, 'ScaleService', { serviceId: 'svco-demo', instanceId, deploymentReplicasCount: 1 }));
    await advance(2);
    const { instance } = okResult(await call(SR, 'DescribeComputeUnit', { serviceId: 'svco-demo', instanceId }));
    assert.equal(instance.instanceId, instanceId);
    assert.equal(instance.replicasCount, 1, 'the service has 1 replica there now (it was bought with 3)');
    assert.equal(instance.status, 'Running');
    assert.deepEqual(Object.keys(instance).sort(),
      ['expiredTime', 'instanceId', 'paymentTiming', 'replicasCount', 'startTime', 'status']);
    // What the Python SDK sends (/v2/charge with a serviceId), and the legacy name.
    assert.deepEqual(okResult(await call(CHARGE, 'DescribeComputeUnit', { serviceId: 'svco-demo', instanceId })).instance, instance);
    assert.deepEqual(okResult(await call(CHARGE, 'DescribeServiceResource', { serviceId: 'svco-demo', instanceId })).instance, instance);
    // Without a serviceId it is the unit's own detail.
    assert.equal(okResult(await call(CHARGE, 'DescribeComputeUnit', { instanceId })).computeUnitInstance.usedComputeUnits, 2);
    okResult(await call(CU, 'ReleaseComputeUnit', { instanceId }));
    const gone = okResult(await call(SR, 'DescribeComputeUnit', { serviceId: 'svco-demo', instanceId })).instance;
    assert.equal(gone.status, 'Deleted');
    assert.equal(gone.replicasCount, 0);
  });

  test('CreateService with resourceConfig buys its unit and deploys on it; a clientToken replays it', async () => {
    const before = await pool(server);
    const body = {
      name: 'sdk-bought', resourceConfig: { type: 'GPU-1-4', replicasCount: 2 },
      billing: { paymentTiming: 'Prepaid', reservation: { reservationTimeUnit: 'Month', reservationLength: 1 } },
      clientToken: 'sdk-create-1',
    };
    const { serviceId } = okResult(await call(SVC, 'CreateService', body));
    assert.match(serviceId, /^svco-[a-z0-9]{12}$/);
    assert.equal(okResult(await call(SVC, 'CreateService', body)).serviceId, serviceId, 'the retry');
    const after_ = await pool(server);
    assert.equal(after_.allocatedUnits - before.allocatedUnits, 8, 'one unit of 2 x 4 units');
    let service = okResult(await call(SVC, 'DescribeService', { serviceId }));
    assert.deepEqual(service.resourceConfig, { region: 'bj', type: 'GPU-1-4', replicasCount: 2 });
    assert.equal(service.payType, 'Prepay');
    assert.equal(service.runStatus, 'Deploying');
    await advance(1 + 2);
    service = okResult(await call(SVC, 'DescribeService', { serviceId }));
    assert.equal(service.runStatus, 'Serving');
    const [deployment] = service.deployments;
    assert.equal(deployment.deployedComputingUnits, 8);
    const unitDetail = okResult(await call(CU, 'DescribeComputeUnit', { instanceId: deployment.instanceId }));
    assert.equal(unitDetail.computeUnitInstance.paymentTiming, 'Prepaid');
    assert.equal(unitDetail.computeUnitInstance.usedComputeUnits, 8);
    await expectSdkError(call(SVC, 'CreateService', { ...body, name: 'renamed' }), 403, 'IdempotentParameterMismatch');
    const bad = await expectSdkError(call(SVC, 'CreateService', { ...body, clientToken: '', resourceConfig: { type: 'GPU-9-1', replicasCount: 1 } }),
      400, 'InvalidParameter');
    assert.match(bad.body.message, /resourceConfig\.type/);
  });
});
