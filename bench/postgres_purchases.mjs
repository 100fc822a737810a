// Purchases on PostgreSQL against pgbench on the same cluster, in the same run.
// - spread: 16 connections over 16 accounts and 16 pools (no row shared between connections);
//   goal >= 1.0x pgbench running a single-row INSERT transaction with 16 clients;
// - hot row: the same 16 connections on one account and one pool, reported beside it (every
//   purchase then updates the same account and pool rows, so their row locks serialise them);
// - beside the goal, pgbench itself sending one purchase's statements
//   (bench/postgres/purchase.sql), with cuplane's round trips and in one pipeline: the most
//   PostgreSQL allows these statements, whatever client sends them.
//
//   CUPLANE_PG_DURABLE=1 scripts/with-postgres node bench/postgres_purchases.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../tests/interop/server.mjs';
import { purchaseBootstrap, purchaseLoad } from './durable_purchases.mjs';
import { SECONDS, goal, tempDir } from './lib.mjs';

const admin = process.env.CUPLANE_TEST_POSTGRES_URL;
if (!admin) {
  console.log('SKIP postgresql purchases: CUPLANE_TEST_POSTGRES_URL is not set (run under scripts/with-postgres)');
  process.exit(0);
}

function databaseUrl(name) {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

function psql(url, sql) {
  return execFileSync('psql', ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql],
    { encoding: 'utf8' });
}

function createDatabase(name) {
  psql(admin, `DROP DATABASE IF EXISTS ${name}`);
  psql(admin, `CREATE DATABASE ${name}`);
  return databaseUrl(name);
}

// The database of the purchase runs with `accounts` accounts; pgbench reuses the spread run's.
const purchaseDatabase = (accounts) => `cuplane_bench_${accounts}`;

function runPgbench(url, script, mode) {
  const out = execFileSync('pgbench',
    ['-n', '-c', '16', '-j', '2', '-T', String(SECONDS), '-M', mode, '-f', script, url],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const tps = Number(out.match(/tps = ([\d.]+)/)?.[1]);
  if (!Number.isFinite(tps)) throw new Error(`pgbench: ${out}`);
  return tps;
}

function pgbenchTps(dir) {
  const url = createDatabase('cuplane_bench_pgbench');
  psql(url, 'CREATE TABLE t (id BIGSERIAL PRIMARY KEY, token TEXT NOT NULL, amount BIGINT NOT NULL)');
  const script = path.join(dir, 'insert.sql');
  fs.writeFileSync(script, "INSERT INTO t (token, amount) VALUES ('token', 1);\n");
  return runPgbench(url, script, 'simple');
}

// The statements of bench/postgres/purchase.sql in one pipeline: its own pipeline marks dropped,
// and one around everything after the service's read (whose \gset cannot be in a pipeline).
function onePipeline(script) {
  const lines = script.split('\n').filter((l) => l && !l.startsWith('--') && !/^\\(start|end)pipeline/.test(l));
  const afterRead = lines.findIndex((l) => l.endsWith('\\gset')) + 1;
  return [...lines.slice(0, afterRead), '\\startpipeline', ...lines.slice(afterRead), '\\endpipeline', ''].join('\n');
}

// pgbench itself sending a purchase's own statements (bench/postgres/purchase.sql) to the
// database the spread run left, client c as account c: what PostgreSQL alone allows, with no
// cuplane between.
function purchaseStatementsTps(dir, accounts) {
  const url = databaseUrl(purchaseDatabase(accounts));
  const roundTrips = path.join(import.meta.dirname, 'postgres', 'purchase.sql');
  const piped = path.join(dir, 'purchase_one_pipeline.sql');
  fs.writeFileSync(piped, onePipeline(fs.readFileSync(roundTrips, 'utf8')));
  return {
    roundTrips: runPgbench(url, roundTrips, 'prepared'),
    onePipeline: runPgbench(url, piped, 'prepared'),
  };
}

async function cuplanePurchases(dir, accounts) {
  const url = createDatabase(purchaseDatabase(accounts));
  const server = await startServer({
    bootstrap: purchaseBootstrap(accounts, accounts),
    args: ['--store', url, '--read-rate', '0', '--write-rate', '0'],
  });
  try {
    // One wrk thread per connection, so that connection c always buys as account c % accounts.
    return await purchaseLoad({ server, dir, accounts, connections: 16, threads: 16 });
  } finally {
    await server.stop();
  }
}

const dir = tempDir('pg');
try {
  const durable = psql(admin, 'SHOW fsync').trim() === 'on' && psql(admin, 'SHOW synchronous_commit').trim() === 'on';
  const baseline = pgbenchTps(dir);
  const spread = await cuplanePurchases(dir, 16);
  const ceiling = purchaseStatementsTps(dir, 16);
  const hot = await cuplanePurchases(dir, 1);
  console.log(`cluster: fsync and synchronous_commit ${durable ? 'on' : 'OFF (not a durable cluster)'}`);
  console.log(`pgbench single-row INSERT, 16 clients: ${baseline.toFixed(0)} tps`);
  console.log(`cuplane purchases, 16 connections over 16 accounts and 16 pools: ${spread.rps.toFixed(0)}/s, ` +
    `p99 ${spread.p99.toFixed(2)} ms`);
  console.log(`pgbench sending a purchase's own statements, 16 clients over the same 16 accounts and pools: ` +
    `${ceiling.roundTrips.toFixed(0)} tps with cuplane's 8 round trips (${(ceiling.roundTrips / baseline).toFixed(2)}x ` +
    `the insert), ${ceiling.onePipeline.toFixed(0)} tps in one pipeline (${(ceiling.onePipeline / baseline).toFixed(2)}x)`);
  console.log(`  cuplane's purchases / pgbench with cuplane's round trips: ${(spread.rps / ceiling.roundTrips).toFixed(2)}x`);
  console.log(`cuplane purchases, 16 connections on 1 account and 1 pool (hot rows): ${hot.rps.toFixed(0)}/s, ` +
    `p99 ${hot.p99.toFixed(2)} ms (${(hot.rps / baseline).toFixed(2)}x pgbench)`);
  goal('postgresql purchases (16 accounts, 16 pools) / pgbench insert (per s)', spread.rps, baseline, 1.0);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
