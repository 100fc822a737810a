// A store of 1,000,000 units (10,000 services, 1,000 accounts) against one of 1,000 units, on
// SQLite, in the same run: DescribeComputeUnit p99 within 1.5x; DescribeComputeUnits of one
// 10-unit service (in an account that also holds 1,000 other units in the big store) as fast
// with the million as without; the server's memory under 200 MB with the million.
//
//   node bench/million_units.mjs [units=1000000]   (BENCH_SECONDS=5, BENCH_ROUNDS=3; building the
//                                                  store takes about a minute)
//
// The units are written straight into the database with the sqlite3 shell (through the API
// it would take longer than the benchmark), as Prepaid units that run until 2030 with no
// pending transition, so the scheduler has nothing to do with them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { signedCall } from '../tests/interop/bce-sign.mjs';
import { alternate, goal, serveDataDir, signedScript, tempDir, wrk } from './lib.mjs';

const BIG = Number(process.argv[2] ?? 1000000);
const SMALL = 1000;
const ACCOUNTS = 1000;
const SERVICES_PER_ACCOUNT = 10;

function bootstrap() {
  return {
    operators: [{ accessKey: 'op-ak', secretKey: 'op-sk' }],
    prices: [{ type: 'gpu-1', prepaidPerUnitMonth: 1000, postpaidPerUnitHour: 1 }],
    inventory: [{ region: 'bj', type: 'gpu-1', totalUnits: 100000000 }],
    accounts: Array.from({ length: ACCOUNTS }, (_, a) => ({
      accountId: `acct-${a}`, name: `tenant ${a}`, balance: 1e12,
      users: [{ name: 'admin', policies: ['QianfanFullControlAccessPolicy'],
        accessKeys: [{ accessKey: `ak-${a}`, secretKey: `sk-${a}` }] }],
      services: [
        ...Array.from({ length: SERVICES_PER_ACCOUNT }, (_, s) => ({
          serviceId: `svc-${a}-${s}`, name: `service ${s}`, region: 'bj', type: 'gpu-1', unitsPerReplica: 1 })),
        ...(a === 0 ? [{ serviceId: 'svc-probe', name: 'probe', region: 'bj', type: 'gpu-1', unitsPerReplica: 1 }] : []),
      ],
    })),
  };
}

// Unit i belongs to account i % ACCOUNTS, service (i / ACCOUNTS) % 10 of it; the probe service
// gets 10 more units of account 0.
function fillSql(units) {
  const columns = 'instance_id, seq, account_id, service_id, region, type, replicas_count, total_units, ' +
    'payment_timing, status, created_at, start_time, expired_time, reservation_months, paid_months, ' +
    'prepaid_paid, unit_price, creator';
  const row = (id, seq, account, service) => `${id}, ${seq}, ${account}, ${service}, 'bj', 'gpu-1', 1, 1, ` +
    "'Prepaid', 'Running', 1700000000, 1700000000, 1900000000, 1, 1, 1000, 1000, 'admin'";
  return `
PRAGMA journal_mode=WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${units - 1})
INSERT INTO instances (${columns})
SELECT ${row("printf('cu-m%07d', i)", '1000 + i', `'acct-' || (i % ${ACCOUNTS})`,
    `'svc-' || (i % ${ACCOUNTS}) || '-' || ((i / ${ACCOUNTS}) % ${SERVICES_PER_ACCOUNT})`)} FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
INSERT INTO instances (${columns})
SELECT ${row("printf('cu-probe%02d', i)", `${units + 1000} + i`, "'acct-0'", "'svc-probe'")} FROM n;
INSERT INTO deployments (instance_id, service_id, deployed_units) SELECT instance_id, service_id, 1 FROM instances;
UPDATE pools SET allocated_units = allocated_units + ${units + 10} WHERE region = 'bj' AND type = 'gpu-1';
COMMIT;
`;
}

async function buildStore(dir, units) {
  const dataDir = path.join(dir, `data-${units}`);
  fs.writeFileSync(path.join(dir, 'bootstrap.json'), JSON.stringify(bootstrap()));
  const first = await serveDataDir({ dataDir, args: ['--bootstrap', path.join(dir, 'bootstrap.json')] });
  await first.stop();
  execFileSync('sqlite3', [path.join(dataDir, 'cuplane.db')], { input: fillSql(units), stdio: ['pipe', 'ignore', 'inherit'] });
  return dataDir;
}

// Both servers run at once and the wrk runs alternate between them (BENCH_ROUNDS rounds, the
// median round counts), so a burst of load from elsewhere hits both stores alike. 16
// connections: enough to keep the server busy without measuring mostly queueing.
async function measureBoth(dir, dataDirs) {
  const servers = [];
  try {
    for (const dataDir of dataDirs) {
      servers.push(await serveDataDir({ dataDir, args: ['--read-rate', '0', '--write-rate', '0'] }));
    }
    const caller = { ak: 'ak-0', sk: 'sk-0' };
    const runs = [];
    for (const server of servers) {
      const check = await signedCall({ port: server.port, ...caller, path: '/v2/serviceresources',
        action: 'DescribeComputeUnits', body: { serviceId: 'svc-probe' } });
      const listed = check.json?.result?.instances?.length;
      if (check.status !== 200 || listed !== 10) throw new Error(`probe service lists ${listed}: ${check.text}`);
      const url = `http://127.0.0.1:${server.port}/`;
      const one = signedScript({ dir, port: server.port, path: '/v2/computeunit', action: 'DescribeComputeUnit',
        callers: [caller], body: JSON.stringify(JSON.stringify({ instanceId: 'cu-probe05' })) });
      const list = signedScript({ dir, port: server.port, path: '/v2/serviceresources', action: 'DescribeComputeUnits',
        callers: [caller], body: JSON.stringify(JSON.stringify({ serviceId: 'svc-probe' })) });
      runs.push(() => wrk({ url, script: one, connections: 16 }), () => wrk({ url, script: list, connections: 16 }));
    }
    const r = await alternate(...runs);
    return servers.map((server, i) => ({ one: r[2 * i], list: r[2 * i + 1], rssMb: server.rssMb() }));
  } finally {
    for (const server of servers) await server.stop();
  }
}

const dir = tempDir('million');
try {
  const start = Date.now();
  const smallDir = await buildStore(dir, SMALL);
  const bigDir = await buildStore(dir, BIG);
  console.log(`built stores of ${SMALL} and ${BIG} units in ${((Date.now() - start) / 1000).toFixed(0)} s ` +
    `(${(fs.statSync(path.join(bigDir, 'cuplane.db')).size / 1e6).toFixed(0)} MB)`);
  const [small, big] = await measureBoth(dir, [smallDir, bigDir]);
  for (const [label, r] of [[`${SMALL} units`, small], [`${BIG} units`, big]]) {
    console.log(`${label}: DescribeComputeUnit ${r.one.rps.toFixed(0)} req/s p99 ${r.one.p99.toFixed(2)} ms; ` +
      `DescribeComputeUnits (10 units) ${r.list.rps.toFixed(0)} req/s p99 ${r.list.p99.toFixed(2)} ms; ` +
      `server RSS ${r.rssMb.toFixed(0)} MB`);
  }
  const p99Ratio = big.one.p99 / small.one.p99;
  console.log(`${p99Ratio <= 1.5 ? 'MET ' : 'MISS'} DescribeComputeUnit p99 with ${BIG} units / with ${SMALL}: ` +
    `${p99Ratio.toFixed(2)}x (goal <= 1.5x)`);
  goal(`DescribeComputeUnits of a 10-unit service, with ${BIG} units / without (req/s)`,
    big.list.rps, small.list.rps, 0.8);
  const memoryMet = big.rssMb < 200;
  console.log(`${memoryMet ? 'MET ' : 'MISS'} server memory with ${BIG} units: ${big.rssMb.toFixed(0)} MB (goal < 200 MB)`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
