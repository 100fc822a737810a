// Test helper: start the cuplane binary on a free loopback port with a temporary data dir and
// bootstrap file, talk to it (tenant and operator API), stop it and clean up.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signedCall } from './bce-sign.mjs';

export const BINARY = process.env.CUPLANE_BINARY || '/work/main/build/cuplane';

export const OPERATOR = { ak: 'op-ak', sk: 'op-sk' };

/** The demo bootstrap of SPEC §6, deep-copied so a test can change it. */
export function demoBootstrap() {
  return {
    operators: [{ accessKey: OPERATOR.ak, secretKey: OPERATOR.sk }],
    prices: [{ type: 'gpu-1', prepaidPerUnitMonth: 300000, postpaidPerUnitHour: 500 }],
    inventory: [{ region: 'bj', type: 'gpu-1', totalUnits: 64 }],
    accounts: [{
      accountId: 'acct-demo', name: 'demo', balance: 100000000,
      users: [{ name: 'admin', policies: ['QianfanFullControlAccessPolicy'],
        accessKeys: [{ accessKey: 'demo-ak', secretKey: 'demo-sk' }] }],
      services: [{ serviceId: 'svco-demo', name: 'demo-chat', region: 'bj', type: 'gpu-1', unitsPerReplica: 2 }],
    }],
  };
}

// Servers still running when this process exits (a crashed test file) are killed and their
// temp dirs removed, so no cuplane outlives the test run.
const live = new Map(); // proc -> temp dir
process.on('exit', () => {
  for (const [proc, dir] of live) {
    try { proc.kill('SIGKILL'); } catch { /* already gone */ }
    try { fs.rmSync(dir, { recursive: true, force: true }); } catch { /* best effort */ }
  }
});

/**
 * Start `cuplane serve`. Options: bootstrap (object, or null for none), clock ('system' |
 * 'virtual'), provisionDelay (default '0'), args (extra arguments).
 * Resolves {port, baseUrl, dataDir, stdout(), stderr(), stop()}.
 */
export async function startServer({ bootstrap = demoBootstrap(), clock, provisionDelay = '0', args = [] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cuplane-interop-'));
  const dataDir = path.join(dir, 'data');
  const argv = ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--provision-delay', provisionDelay];
  if (bootstrap) {
    const file = path.join(dir, 'bootstrap.json');
    fs.writeFileSync(file, JSON.stringify(bootstrap, null, 2));
    argv.push('--bootstrap', file);
  }
  if (clock) argv.push('--clock', clock);
  argv.push(...args);

  const proc = spawn(BINARY, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  live.set(proc, dir);
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
    proc.on('error', (error) => resolve({ code: null, signal: null, error }));
  });

  let port;
  let scheme = 'http';
  try {
    port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`cuplane did not start within 15 s\nstdout: ${out}\nstderr: ${err}`)), 15000);
      proc.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/cuplane listening on (https?):\/\/127\.0\.0\.1:(\d+)/);
        if (m) { clearTimeout(timer); scheme = m[1]; resolve(Number(m[2])); }
      });
      proc.on('error', (e) => { clearTimeout(timer); reject(e); });
      exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`cuplane exited early (code ${code}, signal ${signal})\nstdout: ${out}\nstderr: ${err}`)); });
    });
  } catch (e) {
    proc.kill('SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    live.delete(proc);
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  let stopped;
  const server = {
    port,
    baseUrl: `${scheme}://127.0.0.1:${port}`,
    dataDir,
    stdout: () => out,
    stderr: () => err,
    /** SIGTERM, wait for the exit (SIGKILL after 10 s), remove the temp dir. Resolves {code, signal}. */
    stop() {
      stopped ??= (async () => {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
        const result = await exited;
        clearTimeout(timer);
        live.delete(proc);
        fs.rmSync(dir, { recursive: true, force: true });
        return result;
      })();
      return stopped;
    },
  };
  return server;
}

/** Call the operator API; throws unless it answers 200; resolves the result. */
export async function operator(server, action, body = {}) {
  const res = await signedCall({ port: server.port, ...OPERATOR, path: '/v1/operator', action, body });
  if (res.status !== 200) throw new Error(`operator ${action} -> ${res.status} ${res.text}`);
  return res.json.result;
}

/** The (region, type) pool from DescribeInventory. */
export async function pool(server, region = 'bj', type = 'gpu-1') {
  const { pools } = await operator(server, 'DescribeInventory');
  return pools.find((p) => p.region === region && p.type === type);
}

/** Poll fn() every 25 ms until it returns a truthy value; throws after timeoutMs. */
export async function waitFor(fn, { timeoutMs = 5000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
