// Purchases and describes per second on the SQLite store and on PostgreSQL, measured in the
// same run against the same binary, printed as a ratio (machine noise cancels out).
//
//   scripts/with-postgres node bench/store_throughput.mjs [seconds=5] [clients=16]
//
// Loopback only; starts and stops its own servers (CUPLANE_BINARY or build/cuplane). Without
// CUPLANE_TEST_POSTGRES_URL it measures SQLite alone.
import { startServer } from '../tests/interop/server.mjs';
import { signedCall } from '../tests/interop/bce-sign.mjs';

const seconds = Number(process.argv[2] ?? 5);
const clients = Number(process.argv[3] ?? 16);

const bootstrap = {
  operators: [{ accessKey: 'op-ak', secretKey: 'op-sk' }],
  prices: [{ type: 'gpu-1', prepaidPerUnitMonth: 1000, postpaidPerUnitHour: 1 }],
  inventory: [{ region: 'bj', type: 'gpu-1', totalUnits: 100000000 }],
  accounts: [{
    accountId: 'acct-bench', name: 'bench', balance: 1e15,
    users: [{ name: 'admin', policies: ['QianfanFullControlAccessPolicy'],
      accessKeys: [{ accessKey: 'bench-ak', secretKey: 'bench-sk' }] }],
    services: [{ serviceId: 'svc-bench', name: 'bench', region: 'bj', type: 'gpu-1', unitsPerReplica: 1 }],
  }],
};

// `clients` loops issuing `request(i)` for `seconds`; returns completed requests per second.
async function load(server, request) {
  let done = 0;
  let next = 0;
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (Date.now() < deadline) {
      const res = await request(next++);
      if (res.status !== 200) throw new Error(res.text);
      done++;
    }
  }));
  return done / seconds;
}

async function measure(label, args) {
  const server = await startServer({ bootstrap, args: [...args, '--read-rate', '0', '--write-rate', '0'] });
  try {
    const call = (action, path, body) => signedCall({ port: server.port, ak: 'bench-ak', sk: 'bench-sk', path, action, body });
    let instanceId;
    const purchases = await load(server, async (i) => {
      const res = await call('PurchaseComputeUnit', '/v2/serviceresources',
        { serviceId: 'svc-bench', replicasCount: 1, billing: { paymentTiming: 'Postpaid' }, clientToken: `p${i}` });
      instanceId ??= res.json?.result?.instanceId;
      return res;
    });
    const describes = await load(server, () => call('DescribeComputeUnit', '/v2/computeunit', { instanceId }));
    console.log(`${label}: ${purchases.toFixed(0)} purchases/s, ${describes.toFixed(0)} describes/s`);
    return { purchases, describes };
  } finally {
    await server.stop();
  }
}

const sqlite = await measure('sqlite', []);
const url = process.env.CUPLANE_TEST_POSTGRES_URL;
if (url) {
  const pg = await measure('postgresql', ['--store', url]);
  console.log(`ratio postgresql/sqlite: purchases ${(pg.purchases / sqlite.purchases).toFixed(2)}, ` +
    `describes ${(pg.describes / sqlite.describes).toFixed(2)}`);
}
