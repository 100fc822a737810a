// Signed DescribeComputeUnit against nginx serving a static 600-byte JSON file, both under
// `wrk -t2 -c64` on loopback in the same run. Goal: >= 0.5x nginx's requests/s, p99 < 2 ms.
//
//   node bench/signed_read.mjs   (BENCH_SECONDS=5 per wrk run, BENCH_ROUNDS=3 alternating rounds,
//                                 the median round of each side counts; CUPLANE_BINARY=build/cuplane)
import fs from 'node:fs';
import { startServer } from '../tests/interop/server.mjs';
import { signedCall } from '../tests/interop/bce-sign.mjs';
import { alternate, goal, latencyGoal, signedFixedScript, startNginx, tempDir, wrk } from './lib.mjs';

const bootstrap = {
  operators: [{ accessKey: 'op-ak', secretKey: 'op-sk' }],
  prices: [{ type: 'gpu-1', prepaidPerUnitMonth: 1000, postpaidPerUnitHour: 1 }],
  inventory: [{ region: 'bj', type: 'gpu-1', totalUnits: 1000 }],
  accounts: [{
    accountId: 'acct-bench', name: 'bench', balance: 1e12,
    users: [{ name: 'admin', policies: ['QianfanFullControlAccessPolicy'],
      accessKeys: [{ accessKey: 'bench-ak', secretKey: 'bench-sk' }] }],
    services: [{ serviceId: 'svc-bench', name: 'bench', region: 'bj', type: 'gpu-1', unitsPerReplica: 1 }],
  }],
};

// A static body the size of a DescribeComputeUnit answer.
function staticJson(bytes) {
  const base = { requestId: '00000000-0000-4000-8000-000000000000', result: { instanceId: 'cu-static', padding: '' } };
  base.result.padding = 'x'.repeat(bytes - JSON.stringify(base).length);
  return JSON.stringify(base);
}

const dir = tempDir('read');
const nginx = await startNginx(staticJson(600));
const server = await startServer({ bootstrap, args: ['--read-rate', '0', '--write-rate', '0'] });
try {
  const call = (action, path, body) =>
    signedCall({ port: server.port, ak: 'bench-ak', sk: 'bench-sk', path, action, body });
  const bought = await call('PurchaseComputeUnit', '/v2/serviceresources',
    { serviceId: 'svc-bench', replicasCount: 1, billing: { paymentTiming: 'Postpaid' } });
  const instanceId = bought.json.result.instanceId;
  const sample = await call('DescribeComputeUnit', '/v2/computeunit', { instanceId });
  if (sample.status !== 200) throw new Error(sample.text);

  // Built once per wrk thread, as for nginx: both sides of the ratio cost the client the same.
  const script = signedFixedScript({
    dir, port: server.port, path: '/v2/computeunit', action: 'DescribeComputeUnit',
    callers: [{ ak: 'bench-ak', sk: 'bench-sk' }], body: JSON.stringify({ instanceId }),
  });
  const [baseline, cuplane] = await alternate(
    () => wrk({ url: nginx.url }),
    () => wrk({ url: `http://127.0.0.1:${server.port}/`, script }));
  console.log(`nginx static ${staticJson(600).length} B: ${baseline.rps.toFixed(0)} req/s, p99 ${baseline.p99.toFixed(2)} ms`);
  console.log(`cuplane signed DescribeComputeUnit (${sample.text.length} B): ${cuplane.rps.toFixed(0)} req/s, ` +
    `p50 ${cuplane.p50.toFixed(2)} ms, p99 ${cuplane.p99.toFixed(2)} ms`);
  goal('signed DescribeComputeUnit / nginx static (req/s)', cuplane.rps, baseline.rps, 0.5);
  latencyGoal('signed DescribeComputeUnit', cuplane.p99, 2);
} finally {
  await server.stop();
  await nginx.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
