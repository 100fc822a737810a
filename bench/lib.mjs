// What the benchmarks share: wrk runs (parsed to requests/s and p99), an nginx baseline, wrk Lua
// scripts that sign cuplane requests, and a "goal" line printer. Every benchmark measures its
// baseline in the same run and prints the ratio: on a shared, noisy machine only ratios mean
// anything. All load goes to 127.0.0.1, bounded in time.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { authorization, bceTimestamp } from '../tests/interop/bce-sign.mjs';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cuplane-bench-${prefix}-`));
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function millis(text) {
  const m = text.match(/^([\d.]+)(us|ms|s)$/);
  if (!m) return NaN;
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
}

/**
 * wrk against `url` for SECONDS with `connections` (and `threads`), optionally driven by a Lua
 * script. Resolves {rps, p50, p99, errors}; throws when any response was not 2xx/3xx.
 */
export function wrk({ url, script, connections = 64, threads = 2, seconds = SECONDS }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '10s'];
  if (script) args.push('-s', script);
  args.push(url);
  return new Promise((resolve, reject) => {
    const proc = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { out += d; });
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
      const p50 = millis(out.match(/\s50%\s+(\S+)/)?.[1] ?? '');
      const p99 = millis(out.match(/\s99%\s+(\S+)/)?.[1] ?? '');
      const bad = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
      const socketErrors = out.match(/Socket errors: (.*)/)?.[1];
      if (code !== 0 || !Number.isFinite(rps)) return reject(new Error(`wrk failed:\n${out}`));
      if (bad > 0) return reject(new Error(`${bad} responses were errors:\n${out}`));
      resolve({ rps, p50, p99, socketErrors, output: out });
    });
  });
}

/** nginx serving `body` as a static file on a free port. Resolves {url, stop()}. */
export async function startNginx(body) {
  const dir = tempDir('nginx');
  fs.chmodSync(dir, 0o755);  // nginx's workers run as an unprivileged user when started as root
  fs.mkdirSync(path.join(dir, 'www'), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'www', 'unit.json'), body);
  const port = await freePort();
  const temp = (name) => `${name} ${path.join(dir, name)};`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `
daemon off;
worker_processes ${os.cpus().length};
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  ${temp('client_body_temp_path')} ${temp('proxy_temp_path')}
  ${temp('fastcgi_temp_path')} ${temp('uwsgi_temp_path')} ${temp('scgi_temp_path')}
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    location / { root ${path.join(dir, 'www')}; default_type application/json; }
  }
}
`);
  const proc = spawn('nginx', ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')],
    { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/unit.json`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function luaString(s) {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

// Headers signing (ak, sk) for `path?Action=action` on `port`, valid for an hour.
function signedHeaders({ port, ak, sk, path: p, action }) {
  const timestamp = bceTimestamp();
  const headers = { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/json', 'x-bce-date': timestamp };
  headers.Authorization = authorization({
    ak, sk, timestamp, expiration: 3600, path: p, query: [['Action', action]], headers,
    signedHeaders: ['host', 'content-type', 'x-bce-date'],
  });
  return headers;
}

/**
 * A wrk Lua script sending signed cuplane calls. `callers` is one {ak, sk} per wrk thread
 * (thread i signs as callers[i % n]); `body` is a Lua expression for the JSON body, which may
 * use `thread_id` and `n` (a per-thread counter) to make each request distinct (the body is
 * not part of the signature, so one signed header set serves every request).
 */
export function signedScript({ dir, port, path: p, action, callers, body }) {
  return writeScript(dir, action, `${headerSetsLua({ port, path: p, action, callers })}
local headers
local n = 0
function init(args)
  headers = header_sets[(thread_id % #header_sets) + 1]
end
function request()
  n = n + 1
  return wrk.format("POST", ${luaString(`${p}?Action=${action}`)}, headers, ${body})
end
`);
}

/**
 * Like signedScript for a request that never changes (a read): each wrk thread builds it once,
 * as wrk does for a script-less run like the nginx baseline's, instead of calling into Lua for
 * every request. The client then spends the same per request on both sides of a ratio, which
 * matters on a machine whose cores it shares with the server. `body` is the body's text.
 */
export function signedFixedScript({ dir, port, path: p, action, callers, body }) {
  return writeScript(dir, action, `${headerSetsLua({ port, path: p, action, callers })}
function init(args)
  wrk.method = "POST"
  wrk.path = ${luaString(`${p}?Action=${action}`)}
  wrk.headers = header_sets[(thread_id % #header_sets) + 1]
  wrk.body = ${luaString(body)}
end
`);
}

// The signed header sets of `callers` and the setup() that numbers wrk's threads.
function headerSetsLua({ port, path: p, action, callers }) {
  const headerSets = callers.map((c) => signedHeaders({ port, ak: c.ak, sk: c.sk, path: p, action }));
  return `
local header_sets = {
${headerSets.map((h) => `  {${Object.entries(h).map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`).join(', ')}},`).join('\n')}
}
local next_thread = 0
function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end`;
}

function writeScript(dir, action, lua) {
  const file = path.join(dir, `${action}-${Math.random().toString(36).slice(2)}.lua`);
  fs.writeFileSync(file, lua);
  return file;
}

/** Prints one goal line: the figure, its baseline, the ratio and whether it meets `atLeast`. */
export function goal(label, value, baseline, atLeast, extra = '') {
  const ratio = value / baseline;
  const met = ratio >= atLeast;
  console.log(`${met ? 'MET ' : 'MISS'} ${label}: ${value.toFixed(0)} vs ${baseline.toFixed(0)} = ` +
    `${ratio.toFixed(2)}x (goal >= ${atLeast}x)${extra ? `; ${extra}` : ''}`);
  return met;
}

export function latencyGoal(label, p99, maxMs) {
  const met = p99 < maxMs;
  console.log(`${met ? 'MET ' : 'MISS'} ${label}: p99 ${p99.toFixed(2)} ms (goal < ${maxMs} ms)`);
  return met;
}

export function binary() {
  return process.env.CUPLANE_BINARY || path.resolve('build/cuplane');
}

export function has(tool) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `cuplane serve` on an existing (or new) data dir, on a free loopback port. Resolves
 * {port, pid, rssMb() (peak resident memory), stop()}; stop() leaves the data dir in place.
 */
export async function serveDataDir({ dataDir, args = [] }) {
  const proc = spawn(binary(), ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0',
    '--provision-delay', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cuplane did not start in 300 s: ${err}`)), 300000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`cuplane exited (${code}): ${err}`)); });
  });
  return {
    port,
    pid: proc.pid,
    rssMb: () => {
      const status = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      return Number(status.match(/VmHWM:\s+(\d+) kB/)[1]) / 1024;
    },
    stop: async () => { proc.kill('SIGTERM'); await exited; },
  };
}

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/**
 * Runs each of `runs` (async functions resolving {rps, p99, ...}) in turn, ROUNDS times, so
 * that a burst of load from elsewhere hits both sides; resolves, per run, the round with the
 * median rps.
 */
export async function alternate(...runs) {
  const results = runs.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < runs.length; i++) results[i].push(await runs[i]());
  }
  return results.map((r) => [...r].sort((a, b) => a.rps - b.rps)[Math.floor(r.length / 2)]);
}
