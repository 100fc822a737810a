// Quick start: buy a compute unit from a local cuplane with the official Qianfan Node.js SDK.
//
//   1. make run                      (starts cuplane and prints three `export` lines)
//   2. paste those export lines into another shell
//   3. cd tests/interop && node quickstart.mjs
//
// The SDK reads QIANFAN_ACCESS_KEY, QIANFAN_SECRET_KEY and QIANFAN_CONSOLE_API_BASE_URL from the
// environment, exactly as it does against Baidu Qianfan; nothing here is cuplane-specific.
import { consoleAction } from '@baiducloud/qianfan';

const SERVICE_ID = process.env.QUICKSTART_SERVICE_ID || 'svco-demo';

for (const name of ['QIANFAN_ACCESS_KEY', 'QIANFAN_SECRET_KEY', 'QIANFAN_CONSOLE_API_BASE_URL']) {
  if (!process.env[name]) {
    console.error(`${name} is not set: run \`make run\` and paste the export lines it prints.`);
    process.exit(1);
  }
}

// Every call is POST <route>?Action=<action> with a JSON body; the answer is {requestId, result}.
async function call(route, action, data) {
  const { result } = await consoleAction({ base_api_route: route, action, data });
  return result;
}

// 1. Buy one replica of pay-as-you-go (Postpaid) capacity for the demo service.
const { instanceId } = await call('/v2/serviceresources', 'PurchaseComputeUnit', {
  serviceId: SERVICE_ID,
  replicasCount: 1,
  billing: { paymentTiming: 'Postpaid' },
});
console.log(`purchased ${instanceId}`);

// 2. A new unit starts as Creating; wait until it is Running.
let unit;
for (const deadline = Date.now() + 20_000; ; await new Promise((r) => setTimeout(r, 200))) {
  ({ computeUnitInstance: unit } = await call('/v2/computeunit', 'DescribeComputeUnit', { instanceId }));
  if (unit.status === 'Running') break;
  if (Date.now() > deadline) throw new Error(`${instanceId} is still ${unit.status}`);
}
console.log(`${instanceId} is Running since ${unit.startTime}`);

// 3. List the service's units, newest first.
const { instances } = await call('/v2/serviceresources', 'DescribeComputeUnits', { serviceId: SERVICE_ID });
console.log(`${SERVICE_ID} has ${instances.length} unit(s):`);
for (const i of instances) {
  console.log(`  ${i.instanceId}  ${i.paymentTiming.padEnd(8)}  ${i.status.padEnd(8)}  replicas=${i.replicasCount}`);
}

// 4. Schedule its release one hour after it started (RFC 3339; "YYYY-MM-DD HH:MM:SS" in
//    Beijing time works too). Send releaseTime null to cancel.
const releaseTime = new Date(Date.parse(unit.startTime) + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
await call('/v2/computeunit', 'AutoReleaseComputeUnit', { instanceId, releaseTime });
console.log(`${instanceId} will be released at ${releaseTime}`);

// 5. Describe it: the unit and the services running on it.
const detail = await call('/v2/computeunit', 'DescribeComputeUnit', { instanceId });
console.log(JSON.stringify(detail, null, 2));
