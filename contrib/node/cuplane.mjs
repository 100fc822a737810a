// cuplane for Node.js test suites: one server per suite, the Qianfan SDK pointed at it, a
// clean state before each test, the virtual clock in the test's hands. Plain ES module, no
// dependency, no test framework assumed: node:test, Jest and Vitest call it the same way.
//
//   import { startCuplane } from './cuplane.mjs';
//   let cuplane;
//   before(async () => { cuplane = await startCuplane({ bootstrap: 'test/bootstrap.json' }); });
//   beforeEach(() => cuplane.reset());
//   after(() => cuplane.stop());
//
// The server runs as `cuplane serve --clock virtual --store memory --listen 127.0.0.1:0
// --provision-delay 0 --bootstrap FILE`. The bootstrap file needs an operator key (operators[0],
// used for reset and the clock); the first tenant key of its first account is what `env`
// (and `applyEnv()`) give the SDK: QIANFAN_ACCESS_KEY, QIANFAN_SECRET_KEY,
// QIANFAN_CONSOLE_API_BASE_URL.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

const LISTENING = /cuplane listening on http:\/\/([^\s:]+|\[[^\]]+\]):(\d+)/;

function uriEncode(value, keepSlash = false) {
  let out = '';
  for (const byte of Buffer.from(String(value), 'utf8')) {
    const ch = String.fromCharCode(byte);
    if ((byte < 0x80 && /[A-Za-z0-9\-._~]/.test(ch)) || (keepSlash && ch === '/')) out += ch;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const hmacHex = (key, data) => crypto.createHmac('sha256', key).update(data, 'utf8').digest('hex');

/** The bce-auth-v1 Authorization header for a POST with these signed headers. */
function authorization({ ak, sk, path, query, headers, timestamp, expiration = 1800 }) {
  const prefix = `bce-auth-v1/${ak}/${timestamp}/${expiration}`;
  const canonicalQuery = query.map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).sort().join('&');
  const names = Object.keys(headers).map((h) => h.toLowerCase());
  const canonicalHeaders = Object.entries(headers)
    .map(([k, v]) => `${uriEncode(k.trim().toLowerCase())}:${uriEncode(String(v).trim())}`)
    .sort()
    .join('\n');
  const canonicalRequest = ['POST', uriEncode(decodeURIComponent(path), true), canonicalQuery, canonicalHeaders].join('\n');
  return `${prefix}/${names.join(';')}/${hmacHex(hmacHex(sk, prefix), canonicalRequest)}`;
}

/** A refusal from cuplane: `code` is its error code (InvalidParameter, ...). */
export class CuplaneError extends Error {
  constructor(status, code, message) {
    super(`${status} ${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

/** POST path?Action=action, signed with {ak, sk}; resolves `result`, rejects CuplaneError. */
export function signedCall({ host, port, ak, sk }, path, action, body = {}) {
  const payload = JSON.stringify(body);
  const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const signed = { host: `${host}:${port}`, 'content-type': 'application/json', 'x-bce-date': timestamp };
  const query = [['Action', action]];
  const headers = { ...signed, 'content-length': Buffer.byteLength(payload) };
  headers.authorization = authorization({ ak, sk, path, query, headers: signed, timestamp });
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method: 'POST', path: `${path}?Action=${uriEncode(action)}`, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = {};
        try { json = JSON.parse(text); } catch { /* not JSON: reported below */ }
        if (res.statusCode === 200) resolve(json.result);
        else reject(new CuplaneError(res.statusCode, json.code ?? '', json.message ?? text));
      });
      res.on('error', reject);
    });
    req.setTimeout(30000, () => req.destroy(new Error(`cuplane ${action} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function firstTenantKey(spec) {
  for (const account of spec.accounts ?? []) {
    for (const user of account.users ?? []) {
      for (const key of user.accessKeys ?? []) return { ak: key.accessKey, sk: key.secretKey };
    }
  }
  return null;
}

/**
 * Starts a server. Options: bootstrap (path of the bootstrap file, required), binary (default
 * $CUPLANE_BINARY or `cuplane` on PATH), args (extra `serve` flags), timeoutMs (start-up).
 * Resolves a handle: {baseUrl, host, port, env, applyEnv(), reset(), now(), advance(seconds),
 * injectFault(operation, {count, region, type}), saveSnapshot(name), restoreSnapshot(name),
 * operator(action, body), call(key, path, action, body), stop(), output()}.
 */
export async function startCuplane({ bootstrap, binary = process.env.CUPLANE_BINARY || 'cuplane', args = [], timeoutMs = 20000 } = {}) {
  if (!bootstrap) throw new Error('startCuplane: name a bootstrap file ({bootstrap: "path"})');
  const spec = JSON.parse(fs.readFileSync(bootstrap, 'utf8'));
  const op = spec.operators?.[0];
  if (!op) throw new Error(`startCuplane: ${bootstrap} has no operators[0] key`);
  const operatorKey = { ak: op.accessKey, sk: op.secretKey };
  const tenantKey = firstTenantKey(spec);

  const argv = ['serve', '--clock', 'virtual', '--store', 'memory', '--listen', '127.0.0.1:0',
    '--provision-delay', '0', '--bootstrap', bootstrap, ...args];
  const proc = spawn(binary, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cuplane did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const scan = (chunk) => {
      output += chunk;
      const match = output.match(LISTENING);
      if (match) {
        clearTimeout(timer);
        resolve({ host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) });
      }
    };
    proc.stdout.on('data', scan);
    proc.stderr.on('data', (chunk) => { output += chunk; });
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`cuplane exited (${code}):\n${output}`)); });
  });
  // A suite that dies without stop() must not leave a server behind.
  const killOnExit = () => proc.kill('SIGKILL');
  process.on('exit', killOnExit);

  let where;
  try {
    where = await listening;
  } catch (e) {
    proc.kill('SIGKILL');
    process.off('exit', killOnExit);
    throw e;
  }
  const { host, port } = where;
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const operator = (action, body = {}) => signedCall({ host, port, ...operatorKey }, '/v1/operator', action, body);
  const env = { QIANFAN_CONSOLE_API_BASE_URL: baseUrl };
  if (tenantKey) Object.assign(env, { QIANFAN_ACCESS_KEY: tenantKey.ak, QIANFAN_SECRET_KEY: tenantKey.sk });

  return {
    baseUrl,
    host,
    port,
    env,
    tenantKey,
    operatorKey,
    /** Sets the SDK's variables in process.env (what @baiducloud/qianfan reads at each call). */
    applyEnv() { Object.assign(process.env, env); },
    /** Back to the bootstrap file's state, the virtual clock included. */
    async reset() { await operator('Reset'); },
    async now() { return new Date((await operator('DescribeClock')).now); },
    /** Moves the virtual clock; everything due by then has run when it resolves. */
    async advance(seconds) { return new Date((await operator('AdvanceClock', { seconds })).now); },
    /** The next `count` `operation`s (provision, reconfigure, deploy, deactivate) fail. */
    async injectFault(operation, { count = 1, region, type } = {}) {
      await operator('InjectFault', { operation, count, ...(region && { region }), ...(type && { type }) });
    },
    async saveSnapshot(name) { await operator('SaveSnapshot', { name }); },
    async restoreSnapshot(name) { await operator('RestoreSnapshot', { name }); },
    operator,
    /** Any signed call with any key ({ak, sk}). */
    call(key, path, action, body) { return signedCall({ host, port, ...key }, path, action, body); },
    output: () => output,
    /** SIGTERM, and resolves once the server has exited. */
    async stop() {
      process.off('exit', killOnExit);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
