// Durable Postpaid purchases on the SQLite store (16 connections, distinct clientTokens, each
// answered only once its commit is on disk) against a bare SQLite loop of single-row
// INSERT + COMMIT with synchronous=FULL in WAL mode on the same disk, in the same run.
// Goal: >= 1.5x the bare commit rate (group commit), p99 < 10 ms.
//
//   node bench/durable_purchases.mjs   (BENCH_SECONDS=5, BENCH_ROUNDS=3; CUPLANE_BINARY=build/cuplane)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../tests/interop/server.mjs';
import { SECONDS, alternate, goal, latencyGoal, signedScript, tempDir, wrk } from './lib.mjs';

// Pool i is (region i % 6, type i / 6): the server knows 6 regions and 7 unit types.
const REGIONS = ['bj', 'bd', 'sz', 'gz', 'yq', 'global'];
const TYPES = ['cpu', 'gpu-1', 'gpu-2', 'gpu-3', 'gpu-4', 'gpu-5', 'gpu-6'];
const poolOf = (i) => ({ region: REGIONS[i % REGIONS.length], type: TYPES[Math.floor(i / REGIONS.length)] });

export function purchaseBootstrap(accounts = 1, pools = 1) {
  const used = Array.from({ length: pools }, (_, i) => poolOf(i));
  const types = [...new Set(used.map((p) => p.type))];
  return {
    operators: [{ accessKey: 'op-ak', secretKey: 'op-sk' }],
    prices: types.map((type) => ({ type, prepaidPerUnitMonth: 1000, postpaidPerUnitHour: 1 })),
    inventory: used.map((p) => ({ ...p, totalUnits: 100000000 })),
    accounts: Array.from({ length: accounts }, (_, a) => ({
      accountId: `acct-${a}`, name: `bench ${a}`, balance: 1e15,
      users: [{ name: 'admin', policies: ['QianfanFullControlAccessPolicy'],
        accessKeys: [{ accessKey: `ak-${a}`, secretKey: `sk-${a}` }] }],
      // The service of account a draws from pool a (mod the number of pools).
      services: [{ serviceId: `svc-${a}`, name: 'bench', ...used[a % pools], unitsPerReplica: 1 }],
    })),
  };
}

/** wrk purchases through `server`: wrk thread i buys as account i % accounts. */
export async function purchaseLoad({ server, dir, accounts = 1, connections = 16, threads = 2 }) {
  const callers = Array.from({ length: accounts }, (_, a) => ({ ak: `ak-${a}`, sk: `sk-${a}` }));
  // Thread t always signs as account t % accounts, so its body names that account's service.
  const body = `string.format('{"serviceId":"svc-%d","replicasCount":1,"billing":{"paymentTiming":"Postpaid"},` +
    `"clientToken":"t%d-%d"}', thread_id % ${accounts}, thread_id, n)`;
  const script = signedScript({
    dir, port: server.port, path: '/v2/serviceresources', action: 'PurchaseComputeUnit', callers, body,
  });
  return wrk({ url: `http://127.0.0.1:${server.port}/`, script, connections, threads });
}

// Rows per second of the bare loop: `rows` autocommitted single-row inserts through the
// sqlite3 shell (one COMMIT, so one WAL fsync, each). A fresh WAL file grows with every commit,
// and a growing file makes each fsync also flush its size, which a long-running server's
// reused WAL does not pay; so both runs first write `rows` rows and checkpoint (later commits
// then overwrite the WAL from its start), and the cost is the difference between a run with the
// timed rows and one without.
function bareCommitsPerSecond(dir, rows) {
  const run = (name, timed) => {
    const db = path.join(dir, `${name}.db`);
    const script = ['PRAGMA journal_mode=WAL;', 'PRAGMA synchronous=FULL;',
      'CREATE TABLE t (id INTEGER PRIMARY KEY, token TEXT NOT NULL, amount INTEGER NOT NULL);'];
    for (let i = 0; i < rows; i++) script.push(`INSERT INTO t (token, amount) VALUES ('warm-${i}', ${i});`);
    script.push('PRAGMA wal_checkpoint(RESTART);');
    for (let i = 0; i < timed; i++) script.push(`INSERT INTO t (token, amount) VALUES ('token-${i}', ${i});`);
    const start = process.hrtime.bigint();
    execFileSync('sqlite3', [db], { input: script.join('\n'), stdio: ['pipe', 'ignore', 'inherit'] });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    fs.rmSync(db, { force: true });
    return seconds;
  };
  const without = run('bare-warm', 0);
  const withRows = run('bare-timed', rows);
  return rows / Math.max(withRows - without, 1e-3);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = tempDir('purchases');
  const server = await startServer({ bootstrap: purchaseBootstrap(), args: ['--read-rate', '0', '--write-rate', '0'] });
  try {
    const estimate = bareCommitsPerSecond(dir, 300);
    const rows = Math.min(20000, Math.max(300, Math.round(estimate * SECONDS)));
    const [bareRun, load] = await alternate(
      async () => ({ rps: bareCommitsPerSecond(dir, rows) }),
      () => purchaseLoad({ server, dir }));
    const bare = bareRun.rps;
    console.log(`bare sqlite INSERT+COMMIT (WAL, synchronous=FULL): ${bare.toFixed(0)} commits/s`);
    console.log(`cuplane durable purchases, 16 connections: ${load.rps.toFixed(0)}/s, ` +
      `p50 ${load.p50.toFixed(2)} ms, p99 ${load.p99.toFixed(2)} ms`);
    goal('durable SQLite purchases / bare commits (per s)', load.rps, bare, 1.5);
    latencyGoal('durable SQLite purchases at 16 connections', load.p99, 10);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
