// How long AdvanceClock takes to run a simulated period of Postpaid billing, and whether that
// time grows with units (it should not: settlement is per account). Measured in one run against
// the same binary, each case on a fresh server with a SQLite store:
//
//   1 account × UNITS units                (the goal: 365 days in under a second)
//   1 account × 10·UNITS units             (ratio to the first: cost independent of units)
//   100 accounts × UNITS/10 units each     (ratio to the second: cost grows with accounts)
//
//   node bench/advance_clock_year.mjs [units=1000] [days=365]
//
// Units are bought first and provisioned by a one-second advance, untimed; only the advance over
// `days` is timed. The servers run with throttling off. Loopback only; starts and stops its own
// servers (CUPLANE_BINARY, default build/cuplane).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
process.env.CUPLANE_BINARY ??= path.join(here, '..', 'build', 'cuplane');
const { startServer, operator } = await import('../tests/interop/server.mjs');
const { signedCall } = await import('../tests/interop/bce-sign.mjs');

const units = Number(process.argv[2] ?? 1000);
const days = Number(process.argv[3] ?? 365);
if (!(units >= 10) || !(days >= 1)) throw new Error('usage: advance_clock_year.mjs [units>=10] [days>=1]');
const inFlight = 16;

function bootstrap(accounts, unitsPerAccount) {
  return {
    operators: [{ accessKey: 'op-ak', secretKey: 'op-sk' }],
    prices: [{ type: 'gpu-1', prepaidPerUnitMonth: 300000, postpaidPerUnitHour: 500 }],
    inventory: [{ region: 'bj', type: 'gpu-1', totalUnits: accounts * unitsPerAccount }],
    accounts: Array.from({ length: accounts }, (_, a) => ({
      accountId: `acct-${a}`, name: `bench ${a}`, balance: 1e15,
      users: [{ name: 'admin', policies: ['QianfanFullControlAccessPolicy'],
        accessKeys: [{ accessKey: `ak-${a}`, secretKey: `sk-${a}` }] }],
      services: [{ serviceId: `svc-${a}`, name: 'bench', region: 'bj', type: 'gpu-1', unitsPerReplica: 1 }],
    })),
  };
}

// Buys `count` Postpaid units for account `a`, `inFlight` at a time.
async function buy(server, a, count) {
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      const res = await signedCall({ port: server.port, ak: `ak-${a}`, sk: `sk-${a}`, path: '/v2/serviceresources',
        action: 'PurchaseComputeUnit',
        body: { serviceId: `svc-${a}`, replicasCount: 1, billing: { paymentTiming: 'Postpaid' }, clientToken: `b${i}` } });
      if (res.status !== 200) throw new Error(`purchase ${i} of acct-${a}: ${res.status} ${res.text}`);
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker));
}

// The number of `postpaid` ledger entries of an account (DescribeAccount pages).
async function postpaidEntries(server, accountId) {
  let count = 0;
  let marker;
  for (;;) {
    const page = await operator(server, 'DescribeAccount', { accountId, maxKeys: 1000, ...(marker ? { marker } : {}) });
    count += page.ledger.filter((e) => e.kind === 'postpaid').length;
    if (!page.nextMarker) return count;
    marker = page.nextMarker;
  }
}

async function run(accounts, unitsPerAccount) {
  const server = await startServer({ bootstrap: bootstrap(accounts, unitsPerAccount), clock: 'virtual',
    args: ['--read-rate', '0', '--write-rate', '0'] });
  try {
    for (let a = 0; a < accounts; a++) await buy(server, a, unitsPerAccount);
    await operator(server, 'AdvanceClock', { seconds: 1 });  // every unit Running
    const started = process.hrtime.bigint();
    await operator(server, 'AdvanceClock', { seconds: days * 86400 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const inventory = await operator(server, 'DescribeInventory');
    if (inventory.pools[0].allocatedUnits !== accounts * unitsPerAccount) throw new Error('units were lost');
    const entries = await postpaidEntries(server, 'acct-0');
    return { seconds, entries };
  } finally {
    await server.stop();
  }
}

const label = (accounts, perAccount) =>
  `${accounts} account${accounts > 1 ? 's' : ''} × ${perAccount.toLocaleString('en')} unit${perAccount > 1 ? 's' : ''}`;
const cases = [[1, units], [1, units * 10], [100, units / 10]];
const results = [];
for (const [accounts, perAccount] of cases) {
  const result = await run(accounts, perAccount);
  results.push(result);
  console.log(`AdvanceClock ${days} days, Postpaid, ${label(accounts, perAccount)}: ${result.seconds.toFixed(3)} s; ` +
    `acct-0 holds ${result.entries} postpaid entries (${(result.entries * 365 / days).toFixed(0)} per account-year)`);
}
const [small, large, many] = results;
console.log(`ratio ${label(1, units * 10)} / ${label(1, units)}: ${(large.seconds / small.seconds).toFixed(2)} (goal <= 1.2)`);
console.log(`ratio ${label(100, units / 10)} / ${label(1, units * 10)}: ${(many.seconds / large.seconds).toFixed(2)} ` +
  '(settlements grow with accounts)');
console.log(`goal ${label(1, units)} over ${days} days < 1 s: ${small.seconds < 1 ? 'met' : 'NOT met'}`);
