// HTTPS (--tls-cert/--tls-key): the official Node SDK over TLS with a certificate made by
// openssl for this run and trusted through NODE_EXTRA_CA_CERTS, as an operator would deploy it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCertificate } from './certificate.mjs';
import { startServer } from './server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ADMIN = { ak: 'demo-ak', sk: 'demo-sk' };

/** One SDK call in a fresh node process with `extraEnv`; resolves {ok, resp | error}. */
function sdkInChild(server, extraEnv, route, action, data) {
  const env = { ...process.env, ...extraEnv, QIANFAN_ACCESS_KEY: ADMIN.ak, QIANFAN_SECRET_KEY: ADMIN.sk,
    QIANFAN_CONSOLE_API_BASE_URL: server.baseUrl };
  if (!('NODE_EXTRA_CA_CERTS' in extraEnv)) delete env.NODE_EXTRA_CA_CERTS;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(HERE, 'tls-client.mjs'), route, action, JSON.stringify(data)],
      { env, cwd: HERE, timeout: 120000 }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop()));
      });
  });
}

describe('HTTPS with --tls-cert and --tls-key', () => {
  let dir;
  let files;
  let server;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cuplane-tls-'));
    files = makeCertificate(dir);
    server = await startServer({ args: ['--tls-cert', files.cert, '--tls-key', files.key] });
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the listening line and the base URL say https', () => {
    assert.match(server.stdout(), /cuplane listening on https:\/\/127\.0\.0\.1:\d+/);
    assert.equal(server.baseUrl, `https://127.0.0.1:${server.port}`);
  });

  test('the SDK buys and describes a unit over TLS when the CA is trusted', async () => {
    const trusted = { NODE_EXTRA_CA_CERTS: files.cert };
    const bought = await sdkInChild(server, trusted, '/v2/serviceresources', 'PurchaseComputeUnit',
      { serviceId: 'svco-demo', replicasCount: 1, billing: { paymentTiming: 'Postpaid' } });
    assert.equal(bought.ok, true, bought.error);
    const { instanceId } = bought.resp.result;
    assert.match(instanceId, /\S+/);
    const described = await sdkInChild(server, trusted, '/v2/computeunit', 'DescribeComputeUnit',
      { instanceId });
    assert.equal(described.ok, true, described.error);
    assert.equal(described.resp.result.computeUnitInstance.instanceId, instanceId);
  });

  test('without the CA the SDK refuses the certificate (TLS is really checked)', async () => {
    const answer = await sdkInChild(server, {}, '/v2/serviceresources', 'DescribeComputeUnits',
      { serviceId: 'svco-demo' });
    assert.equal(answer.ok, false);
    assert.match(answer.error, /certificate|self[- ]signed/i);
  });

  test('plain HTTP to the TLS port gets no API answer', async () => {
    const outcome = await new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, method: 'POST',
        path: '/v2/computeunit?Action=DescribeComputeUnit', agent: false, timeout: 5000 }, (res) => {
        res.resume();
        resolve(`status ${res.statusCode}`);
      });
      req.on('error', (e) => resolve(`error ${e.code ?? e.message}`));
      req.on('timeout', () => { req.destroy(); resolve('timeout'); });
      req.end('{}');
    });
    assert.match(outcome, /^(error|timeout)/);
  });
});
