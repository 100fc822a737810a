// cuplane as a test double: what a clean state costs between tests. On `--store memory`, with
// 10,000 units in the store: Reset, and RestoreSnapshot of a snapshot of those 10,000 units,
// each against the goal of 50 ms; start-up to the listening line against 100 ms. Beside them,
// measured in the same run, what a suite pays without Reset: restarting the server (stop, then
// start until it serves), on the memory store and on the default SQLite file store.
//
//   node bench/test_double.mjs [units=10000] [rounds=5]
//
// Loopback only; starts and stops its own servers (CUPLANE_BINARY or build/cuplane).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startCuplane } from '../contrib/node/cuplane.mjs';
import { binary, tempDir } from './lib.mjs';

const UNITS = Number(process.argv[2] ?? 10000);
const ROUNDS = Number(process.argv[3] ?? 5);
const dir = tempDir('test-double');
const bootstrapFile = path.join(dir, 'bootstrap.json');
fs.writeFileSync(bootstrapFile, JSON.stringify({
  operators: [{ accessKey: 'op-ak', secretKey: 'op-sk' }],
  prices: [{ type: 'gpu-1', prepaidPerUnitMonth: 300000, postpaidPerUnitHour: 500 }],
  inventory: [{ region: 'bj', type: 'gpu-1', totalUnits: UNITS }],
  accounts: [{
    accountId: 'acct-bench', name: 'bench', balance: 1e15,
    users: [{ name: 'admin', policies: ['QianfanFullControlAccessPolicy'],
      accessKeys: [{ accessKey: 'bench-ak', secretKey: 'bench-sk' }] }],
    services: [{ serviceId: 'svc-bench', name: 'bench', region: 'bj', type: 'gpu-1', unitsPerReplica: 1 }],
  }],
}));

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return ms(start);
}

// A server on the default SQLite store in `dataDir`, resolved once it prints its listening line.
function startSqlite(dataDir) {
  const proc = spawn(binary(), ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--clock', 'virtual',
    '--provision-delay', '0', '--bootstrap', bootstrapFile], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      if (/cuplane listening on /.test(out)) resolve({ stop: async () => { proc.kill('SIGTERM'); await exited; } });
    });
    exited.then((code) => reject(new Error(`cuplane exited (${code})`)));
  });
}

async function fill(cuplane, units = UNITS) {
  const key = cuplane.tenantKey;
  let next = 0;
  const worker = async () => {
    while (next < units) {
      const i = next++;
      await cuplane.call(key, '/v2/serviceresources', 'PurchaseComputeUnit', {
        serviceId: 'svc-bench', replicasCount: 1, clientToken: `fill-${units}-${i}`,
        billing: { paymentTiming: i % 2 ? 'Postpaid' : 'Prepaid', reservation: { reservationTimeUnit: 'Month', reservationLength: 1 } },
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await cuplane.advance(1); // every unit provisioned: Running, with its settlement or expiry pending
}

function verdict(label, value, goalMs, baselineLabel, baseline) {
  const met = value < goalMs;
  console.log(`${met ? 'MET ' : 'MISS'} ${label}: ${value.toFixed(1)} ms (goal < ${goalMs} ms); ` +
    `${baselineLabel} ${baseline.toFixed(1)} ms = ${(baseline / value).toFixed(1)}x the cost`);
  return met;
}

let ok = true;
try {
  // Start-up, and a restart (stop + start) of the memory store: the cost Reset saves a suite.
  const startups = [];
  const memoryRestarts = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    const server = await startCuplane({ bootstrap: bootstrapFile });
    startups.push(ms(start));
    memoryRestarts.push(startups.at(-1) + await timed(() => server.stop()));
  }
  const sqliteRestarts = [];
  for (let r = 0; r < ROUNDS; r++) {
    const dataDir = path.join(dir, `sqlite-${r}`);
    const start = process.hrtime.bigint();
    const server = await startSqlite(dataDir);
    await server.stop();
    sqliteRestarts.push(ms(start));
  }
  const restart = median(memoryRestarts);
  const sqliteRestart = median(sqliteRestarts);

  const cuplane = await startCuplane({ bootstrap: bootstrapFile, args: ['--write-rate', '0', '--read-rate', '0'] });
  // What one test typically leaves behind: ten units.
  const smallResets = [];
  for (let r = 0; r < ROUNDS; r++) {
    await fill(cuplane, 10);
    smallResets.push(await timed(() => cuplane.reset()));
  }
  const fillStart = process.hrtime.bigint();
  await fill(cuplane);
  console.log(`filled a memory store with ${UNITS} units in ${(ms(fillStart) / 1000).toFixed(1)} s`);
  const saveMs = await timed(() => cuplane.saveSnapshot('full'));
  const resets = [];
  const restores = [];
  for (let r = 0; r < ROUNDS; r++) {
    resets.push(await timed(() => cuplane.reset()));
    restores.push(await timed(() => cuplane.restoreSnapshot('full')));
  }
  const inventory = await cuplane.operator('DescribeInventory');
  if (inventory.pools[0].allocatedUnits !== UNITS) throw new Error(`restored ${inventory.pools[0].allocatedUnits} units, not ${UNITS}`);
  await cuplane.stop();

  console.log(`SaveSnapshot of ${UNITS} units: ${saveMs.toFixed(1)} ms; restart of a server on ` +
    `the SQLite file store: ${sqliteRestart.toFixed(1)} ms (median of ${ROUNDS})`);
  ok = verdict(`Reset after a test that bought 10 units (memory store, median of ${ROUNDS})`,
    median(smallResets), 50, 'memory-store restart', restart) && ok;
  ok = verdict(`Reset of ${UNITS} units (memory store, median of ${ROUNDS})`, median(resets), 50,
    'memory-store restart', restart) && ok;
  ok = verdict(`RestoreSnapshot of ${UNITS} units (memory store, median of ${ROUNDS})`, median(restores), 50,
    'memory-store restart', restart) && ok;
  ok = verdict(`start-up to the listening line (memory store, median of ${ROUNDS})`, median(startups), 100,
    'SQLite-store restart', sqliteRestart) && ok;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exitCode = ok ? 0 : 1;
