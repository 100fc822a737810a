// How long AdvanceClock takes to run a simulated period with many live units (issue 3).
// Prints the time per transition at N units as a ratio against the same run at N/10 units,
// measured in the same process, so machine noise cancels out.
//
//   node bench/advance_clock_year.mjs [units=1000] [payment=Prepaid|Postpaid] [days=365]
//
// Loopback only; starts and stops its own server (CUPLANE_BINARY or build/cuplane).
import { startServer, operator } from '../tests/interop/server.mjs';
import { signedCall } from '../tests/interop/bce-sign.mjs';

const units = Number(process.argv[2] ?? 1000);
const payment = process.argv[3] ?? 'Prepaid';
const days = Number(process.argv[4] ?? 365);

function bootstrap(count) {
  return {
    operators: [{ accessKey: 'op-ak', secretKey: 'op-sk' }],
    prices: [{ type: 'gpu-1', prepaidPerUnitMonth: 300000, postpaidPerUnitHour: 500 }],
    inventory: [{ region: 'bj', type: 'gpu-1', totalUnits: count }],
    accounts: [{
      accountId: 'acct-bench', name: 'bench', balance: 1e15,
      users: [{ name: 'admin', policies: ['QianfanFullControlAccessPolicy'],
        accessKeys: [{ accessKey: 'bench-ak', secretKey: 'bench-sk' }] }],
      services: [{ serviceId: 'svc-bench', name: 'bench', region: 'bj', type: 'gpu-1', unitsPerReplica: 1 }],
    }],
  };
}

async function run(count) {
  const server = await startServer({ bootstrap: bootstrap(count), clock: 'virtual', provisionDelay: '1s' });
  try {
    const billing = payment === 'Prepaid'
      ? { paymentTiming: 'Prepaid', reservation: { reservationTimeUnit: 'Month', reservationLength: 1, autoRenew: true, autoRenewTime: 1 } }
      : { paymentTiming: 'Postpaid' };
    for (let i = 0; i < count; i++) {
      const res = await signedCall({ port: server.port, ak: 'bench-ak', sk: 'bench-sk', path: '/v2/serviceresources',
        action: 'PurchaseComputeUnit', body: { serviceId: 'svc-bench', replicasCount: 1, billing, clientToken: `b${i}` } });
      if (res.status !== 200) throw new Error(res.text);
    }
    const started = process.hrtime.bigint();
    await operator(server, 'AdvanceClock', { seconds: days * 86400 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const inventory = await operator(server, 'DescribeInventory');
    if (inventory.pools[0].allocatedUnits !== count) throw new Error('units were lost');
    return seconds;
  } finally {
    await server.stop();
  }
}

const baseline = Math.max(1, Math.round(units / 10));
const base = await run(baseline);
const full = await run(units);
// Transitions per unit over the period: renewals monthly (Prepaid) or settlements hourly.
const perUnit = payment === 'Prepaid' ? Math.ceil(days / 30.44) : days * 24;
console.log(`AdvanceClock ${days} days, ${payment}: ${baseline} units ${base.toFixed(2)} s, ` +
  `${units} units ${full.toFixed(2)} s (~${(units * perUnit / full).toFixed(0)} transitions/s)`);
console.log(`ratio per unit (${units} vs ${baseline} units): ${((full / units) / (base / baseline)).toFixed(2)}`);
