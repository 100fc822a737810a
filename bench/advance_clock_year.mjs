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
// `days` (in 10-day AdvanceClock calls) is timed. The first two cases alternate three rounds
// and report medians. The servers run with throttling off. Loopback only; starts and stops its own
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
const rounds = 3;
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

// A server holding `accounts` × `unitsPerAccount` running Postpaid units.
async function prepare(accounts, unitsPerAccount) {
  const server = await startServer({ bootstrap: bootstrap(accounts, unitsPerAccount), clock: 'virtual',
    args: ['--read-rate', '0', '--write-rate', '0'] });
  for (let a = 0; a < accounts; a++) await buy(server, a, unitsPerAccount);
  await operator(server, 'AdvanceClock', { seconds: 1 });  // every unit Running
  return { server, accounts, unitsPerAccount };
}

// Seconds to advance the clock by `days`, in steps of at most 10 days so that no single request
// outlasts the client's timeout when there are many accounts.
async function advance({ server }) {
  const started = process.hrtime.bigint();
  for (let left = days; left > 0; left -= 10) {
    await operator(server, 'AdvanceClock', { seconds: Math.min(10, left) * 86400 });
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function finish({ server, accounts, unitsPerAccount }) {
  try {
    const inventory = await operator(server, 'DescribeInventory');
    if (inventory.pools[0].allocatedUnits !== accounts * unitsPerAccount) throw new Error('units were lost');
    return await postpaidEntries(server, 'acct-0');
  } finally {
    await server.stop();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const label = (accounts, perAccount) =>
  `${accounts} account${accounts > 1 ? 's' : ''} × ${perAccount.toLocaleString('en')} unit${perAccount > 1 ? 's' : ''}`;

// 1 × N and 1 × 10N alternate rounds on two live servers, so that machine noise hits both alike;
// the medians count.
const smallServer = await prepare(1, units);
const largeServer = await prepare(1, units * 10);
const smallTimes = [];
const largeTimes = [];
for (let round = 0; round < rounds; round++) {
  smallTimes.push(await advance(smallServer));
  largeTimes.push(await advance(largeServer));
}
const small = { seconds: median(smallTimes), entries: Math.round((await finish(smallServer)) / rounds) };
const large = { seconds: median(largeTimes), entries: Math.round((await finish(largeServer)) / rounds) };
const manyServer = await prepare(100, units / 10);
const many = { seconds: await advance(manyServer) };
many.entries = await finish(manyServer);
for (const [r, accounts, perAccount] of [[small, 1, units], [large, 1, units * 10], [many, 100, units / 10]]) {
  console.log(`AdvanceClock ${days} days, Postpaid, ${label(accounts, perAccount)}: ${r.seconds.toFixed(3)} s` +
    `${r === many ? '' : ` (median of ${rounds})`}; acct-0 holds ${r.entries} postpaid entries per ${days} days`);
}
const ratio = large.seconds / small.seconds;
const verdict = (met) => (met ? 'MET ' : 'MISS');
console.log(`${verdict(small.seconds < 1)} ${label(1, units)}, ${days} days: ${small.seconds.toFixed(3)} s (goal < 1 s)`);
console.log(`${verdict(ratio <= 1.2)} ${label(1, units * 10)} / ${label(1, units)}: ${ratio.toFixed(2)} (goal <= 1.2)`);
console.log(`${verdict(small.entries <= days * 24 + 1)} postpaid entries of one account over ${days} days: ` +
  `${small.entries} (goal about ${days * 24}: one per hour, not one per unit-hour)`);
console.log(`     ${label(100, units / 10)} / ${label(1, units * 10)}: ${(many.seconds / large.seconds).toFixed(2)} ` +
  '(settlements grow with accounts, not units)');
