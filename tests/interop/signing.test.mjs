// BCE signature v1 as the Python, Go/Java and JS SDKs produce it (SPEC §2), re-implemented here
// with node:crypto, against the cuplane binary; authentication failures; replay and clientToken
// idempotency of PurchaseComputeUnit (SPEC §4.1).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, demoBootstrap, operator, pool, OPERATOR } from './server.mjs';
import { signedCall, authorization, signature, uriEncode, canonicalHeaders, canonicalQuery, bceTimestamp, rawRequest } from './bce-sign.mjs';

const ADMIN = { ak: 'demo-ak', sk: 'demo-sk' };
const OTHER = { ak: 'other-ak', sk: 'other-sk' };

describe('JS signer unit checks (no server)', () => {
  test('SPEC §2 reference vector (official Python signer)', () => {
    const sig = signature({
      ak: 'ak', sk: 'sk', timestamp: '2024-01-01T00:00:00Z', expiration: 300, method: 'POST',
      path: '/v2/serviceresources', query: [['Action', 'PurchaseComputeUnit']],
      headers: {
        'content-type': 'application/json', host: '127.0.0.1:8866',
        'request-source': 'qianfan_py_sdk_v0.4.12', 'x-bce-date': '2024-01-01T00:00:00Z',
      },
      signedHeaders: ['content-type', 'host', 'request-source', 'x-bce-date'],
    });
    assert.equal(sig, 'f6b229ba1d28558b6d845c9cf1a2b6f36ced1986ffb974f6f0cb76e778d97129');
  });

  test('the listing order of signedHeaders does not change the signature', () => {
    const base = {
      ak: 'ak', sk: 'sk', timestamp: '2024-01-01T00:00:00Z', expiration: 300, path: '/v2/serviceresources',
      query: [['Action', 'PurchaseComputeUnit']],
      headers: { 'Content-Type': 'application/json', Host: '127.0.0.1:8866', 'request-source': 'qianfan_py_sdk_v0.4.12', 'X-Bce-Date': '2024-01-01T00:00:00Z' },
    };
    const a = signature({ ...base, signedHeaders: ['x-bce-date', 'Host', 'request-source', 'content-type'] });
    assert.equal(a, 'f6b229ba1d28558b6d845c9cf1a2b6f36ced1986ffb974f6f0cb76e778d97129');
  });

  test('UriEncode keeps only A-Za-z0-9-._~ and upper-cases %XX', () => {
    assert.equal(uriEncode('AZaz09-._~'), 'AZaz09-._~');
    assert.equal(uriEncode('a b/c*+=:'), 'a%20b%2Fc%2A%2B%3D%3A');
    assert.equal(uriEncode('/v2/a b', true), '/v2/a%20b');
    assert.equal(uriEncode('中'), '%E4%B8%AD');
    assert.equal(canonicalQuery([['b', '2'], ['a', ''], ['authorization', 'x'], ['Action', 'X Y']]), 'Action=X%20Y&a=&b=2');
    assert.equal(canonicalHeaders({ Host: ' h:1 ', 'X-Bce-Date': 'd' }, ['X-BCE-DATE', 'host']), 'host:h%3A1\nx-bce-date:d');
  });
});

describe('SDK signing styles and authentication failures against the server', () => {
  let server;
  before(async () => {
    const b = demoBootstrap();
    b.accounts.push({
      accountId: 'acct-other', name: 'other', balance: 100000000,
      users: [{ name: 'boss', policies: ['QianfanFullControlAccessPolicy'], accessKeys: [{ accessKey: OTHER.ak, secretKey: OTHER.sk }] }],
      services: [{ serviceId: 'svco-other', name: 'other-chat', region: 'bj', type: 'gpu-1', unitsPerReplica: 1 }],
    });
    server = await startServer({ bootstrap: b });
  });
  after(async () => { await server.stop(); });

  /**
   * Sign and send one request. headers: what is sent (Host included). signedHeaders: names to
   * sign; listedHeaders: how they are listed in the Authorization header (default: as signed);
   * signValues: header values to sign in place of the sent ones. authorization: a string sends
   * that instead, null sends none.
   */
  async function send({
    creds = ADMIN, path = '/v2/serviceresources', action = 'DescribeComputeUnits', query, body = { serviceId: 'svco-demo' },
    headers, signedHeaders = ['host', 'content-type', 'x-bce-date'], listedHeaders, signValues = {},
    timestamp = bceTimestamp(), expiration = 1800, authorization: authOverride,
  }) {
    const q = query ?? [['Action', action]];
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    const sent = headers ?? {
      Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json', 'x-bce-date': timestamp,
    };
    sent['Content-Length'] = String(Buffer.byteLength(payload));
    const auth = authOverride !== undefined ? authOverride : authorization({
      ...creds, timestamp, expiration, path, query: q, headers: { ...sent, ...signValues }, signedHeaders, listedHeaders,
    });
    const h = { ...sent };
    if (auth !== null) h.Authorization = auth;
    const qs = q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const res = await rawRequest({ port: server.port, path: `${path}?${qs}`, headers: h, body: payload });
    assert.equal(res.headers['x-bce-request-id'], res.json?.requestId, 'x-bce-request-id header equals body requestId');
    return res;
  }
  const expectOk = (res) => { assert.equal(res.status, 200, res.text); return res.json.result; };
  const expectError = (res, status, code) => {
    assert.equal(res.status, status, res.text);
    assert.equal(res.json?.code, code, res.text);
    assert.equal(res.headers['x-bce-error-code'], code);
    assert.ok(res.headers['x-bce-error-message'], 'x-bce-error-message header');
  };

  const shuffle = (a) => {
    const b = [...a];
    for (let i = b.length - 1; i > 0; i--) { const j = crypto.randomInt(i + 1); [b[i], b[j]] = [b[j], b[i]]; }
    return b;
  };

  test('Python SDK style: request-source signed, signedHeaders in any order, /v2/charge, paymentTiming null', async () => {
    const names = ['host', 'content-type', 'x-bce-date', 'request-source'];
    const orders = [names, [...names].reverse(), ['x-bce-date', 'request-source', 'host', 'content-type'],
      shuffle(names), shuffle(names), shuffle(names)];
    for (const order of orders) {
      const timestamp = bceTimestamp();
      const res = await send({
        path: '/v2/charge', action: 'DescribeComputeUnits', timestamp,
        // Python's json.dumps: spaces after separators, None as null.
        body: '{"serviceId": "svco-demo", "paymentTiming": null}',
        headers: {
          Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json', 'x-bce-date': timestamp,
          'request-source': 'qianfan_py_sdk_v0.4.12', Accept: '*/*', 'User-Agent': 'python-requests/2.32.3',
        },
        signedHeaders: order,
      });
      assert.ok(Array.isArray(expectOk(res).instances), `order ${order.join(';')}`);
    }
    // A purchase the same way.
    const timestamp = bceTimestamp();
    const res = await send({
      path: '/v2/charge', action: 'PurchaseComputeUnit', timestamp,
      body: '{"serviceId": "svco-demo", "replicasCount": 1, "billing": {"paymentTiming": "Prepaid", "reservation": {"reservationTimeUnit": "Month", "reservationLength": 1, "autoRenew": false}}}',
      headers: { Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json', 'x-bce-date': timestamp, 'request-source': 'qianfan_py_sdk_v0.4.12' },
      signedHeaders: shuffle(names),
    });
    assert.match(expectOk(res).instanceId, /^unit-[a-z0-9]{12}$/);
  });

  test('Go SDK style: signs host without the port while sending Host: 127.0.0.1:PORT', async () => {
    const timestamp = bceTimestamp();
    const headers = { Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json', 'X-Bce-Date': timestamp, 'User-Agent': 'bce-sdk-go/0.9.187' };
    const res = await send({
      timestamp, headers, signedHeaders: ['content-length', 'content-type', 'host', 'x-bce-date'],
      signValues: { Host: '127.0.0.1' },
      action: 'PurchaseComputeUnit', body: { serviceId: 'svco-demo', replicasCount: 2, billing: { paymentTiming: 'Postpaid' } },
    });
    const { instanceId } = expectOk(res);
    assert.match(instanceId, /^unit-[a-z0-9]{12}$/);
    const listed = await send({
      timestamp, headers: { ...headers }, signedHeaders: ['content-length', 'content-type', 'host', 'x-bce-date'], signValues: { Host: '127.0.0.1' },
    });
    assert.ok(expectOk(listed).instances.some((i) => i.instanceId === instanceId));
  });

  test('Java SDK style: signs host (no port) and x-bce-date only', async () => {
    const timestamp = bceTimestamp();
    const res = await send({
      timestamp, action: 'DescribeComputeUnits',
      headers: { Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json; charset=utf-8', 'x-bce-date': timestamp },
      signedHeaders: ['host', 'x-bce-date'], signValues: { Host: '127.0.0.1' },
    });
    expectOk(res);
  });

  test('JS SDK style: x-bce-date one second off the auth timestamp; mixed-case signedHeaders', async () => {
    const now = Date.now();
    const timestamp = bceTimestamp(new Date(now));
    const res = await send({
      timestamp,
      headers: { Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json; charset=UTF-8', 'x-bce-date': bceTimestamp(new Date(now - 1000)) },
      signedHeaders: ['Host', 'Content-Type', 'X-Bce-Date'],
    });
    expectOk(res);
  });

  test('empty signedHeaders signs host, content-length, content-type and x-bce-* present', async () => {
    const timestamp = bceTimestamp();
    const body = JSON.stringify({ serviceId: 'svco-demo' });
    const headers = {
      Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json', 'x-bce-date': timestamp,
      'x-bce-request-source': 'interop-test', 'Content-Length': String(Buffer.byteLength(body)),
    };
    const sig = signature({
      ...ADMIN, timestamp, expiration: 1800, path: '/v2/serviceresources', query: [['Action', 'DescribeComputeUnits']], headers,
      signedHeaders: ['host', 'content-length', 'content-type', 'x-bce-date', 'x-bce-request-source'],
    });
    const res = await send({ timestamp, headers, body, authorization: `bce-auth-v1/${ADMIN.ak}/${timestamp}/1800//${sig}` });
    expectOk(res);
  });

  test('SignatureDoesNotMatch (400): tampered header, query, secret, or a wrong port in host', async () => {
    const names = ['host', 'content-type', 'x-bce-date', 'request-source'];
    const timestamp = bceTimestamp();
    const pyHeaders = () => ({ Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json', 'x-bce-date': timestamp, 'request-source': 'qianfan_py_sdk_v0.4.12' });
    // The sent request-source differs from the signed one.
    expectError(await send({ timestamp, headers: pyHeaders(), signedHeaders: names, signValues: { 'request-source': 'qianfan_py_sdk_v0.4.11' } }),
      400, 'SignatureDoesNotMatch');
    // The sent x-bce-date differs from the signed one.
    expectError(await send({ timestamp, headers: pyHeaders(), signedHeaders: names, signValues: { 'x-bce-date': '2024-01-01T00:00:00Z' } }),
      400, 'SignatureDoesNotMatch');
    // Signed for DescribeComputeUnits, sent as PurchaseComputeUnit.
    const auth = authorization({ ...ADMIN, timestamp, path: '/v2/serviceresources', query: [['Action', 'DescribeComputeUnits']], headers: pyHeaders(), signedHeaders: names });
    const p0 = await pool(server);
    expectError(await send({
      timestamp, headers: pyHeaders(), action: 'PurchaseComputeUnit', authorization: auth,
      body: { serviceId: 'svco-demo', replicasCount: 1, billing: { paymentTiming: 'Postpaid' } },
    }), 400, 'SignatureDoesNotMatch');
    assert.deepEqual(await pool(server), p0, 'the tampered purchase bought nothing');
    // Right key id, wrong secret.
    expectError(await send({ creds: { ak: ADMIN.ak, sk: 'not-the-secret' }, timestamp }), 400, 'SignatureDoesNotMatch');
    // host signed with another port: stripping the port does not rescue it.
    expectError(await send({ timestamp, signValues: { Host: '127.0.0.1:1' } }), 400, 'SignatureDoesNotMatch');
  });

  test('RequestExpired (400): outside the validity window', async () => {
    const hourAgo = bceTimestamp(new Date(Date.now() - 3600_000));
    expectError(await send({ timestamp: hourAgo, expiration: 300 }), 400, 'RequestExpired');
    const hourAhead = bceTimestamp(new Date(Date.now() + 3600_000));
    expectError(await send({ timestamp: hourAhead, expiration: 300 }), 400, 'RequestExpired');
    // ...but an hour-old signature that is valid for two hours is fine.
    expectOk(await send({ timestamp: hourAgo, expiration: 7200 }));
  });

  test('AccessDenied (403) without an Authorization header', async () => {
    expectError(await send({ authorization: null }), 403, 'AccessDenied');
  });

  test('InvalidHTTPAuthHeader (400) for a malformed Authorization header', async () => {
    const ts = bceTimestamp();
    for (const bad of [
      'garbage',
      'bce-auth-v1/demo-ak',
      `bce-auth-v1/demo-ak/${ts}/1800/host`,
      `bce-auth-v2/demo-ak/${ts}/1800/host/${'0'.repeat(64)}`,
      `bce-auth-v1/demo-ak/not-a-time/1800/host/${'0'.repeat(64)}`,
      `bce-auth-v1/demo-ak/${ts}/soon/host/${'0'.repeat(64)}`,
    ]) {
      expectError(await send({ authorization: bad }), 400, 'InvalidHTTPAuthHeader');
    }
  });

  test('InvalidAccessKeyId (403) for an unknown key', async () => {
    expectError(await send({ creds: { ak: 'no-such-ak', sk: 'whatever' } }), 403, 'InvalidAccessKeyId');
  });

  test('InvalidAccessKeyId (403) for a disabled key', async (t) => {
    const created = await signedCall({ port: server.port, ...OPERATOR, path: '/v1/operator', action: 'CreateAccessKey',
      body: { accountId: 'acct-demo', userName: 'admin' } });
    if (created.json?.code === 'InvalidAction') {
      t.skip('operator CreateAccessKey/DisableAccessKey (SPEC §6) not implemented yet');
      return;
    }
    const { accessKey, secretKey } = expectOk(created);
    expectOk(await send({ creds: { ak: accessKey, sk: secretKey } }));
    assert.equal(await operator(server, 'DisableAccessKey', { accessKey }), true);
    expectError(await send({ creds: { ak: accessKey, sk: secretKey } }), 403, 'InvalidAccessKeyId');
  });

  test('AccessDenied (403): tenant key on the operator API, operator key on the tenant API', async () => {
    expectError(await send({ path: '/v1/operator', action: 'DescribeInventory', body: {} }), 403, 'AccessDenied');
    expectError(await send({ creds: OPERATOR }), 403, 'AccessDenied');
  });

  test('wire protocol errors: MalformedJSON, InvalidAction, InvalidHTTPRequest, long clientToken', async () => {
    expectError(await send({ action: 'PurchaseComputeUnit', body: 'not json' }), 400, 'MalformedJSON');
    expectError(await send({ action: 'PurchaseComputeUnit', body: '[1]' }), 400, 'MalformedJSON');
    expectError(await send({ query: [] }), 400, 'InvalidAction');
    expectError(await send({ action: 'PurchaseComputeUnit',
      body: { serviceId: 'svco-demo', replicasCount: 1, billing: { paymentTiming: 'Postpaid' }, clientToken: 'x'.repeat(65) } }),
    400, 'InvalidParameter');
    const get = await rawRequest({ port: server.port, method: 'GET', path: '/v2/serviceresources?Action=DescribeComputeUnits' });
    assert.equal(get.status, 400);
    assert.equal(get.json?.code, 'InvalidHTTPRequest');
    assert.equal(get.headers['x-bce-request-id'], get.json?.requestId);
  });

  test('five byte-identical signed purchases in one second buy five units', async () => {
    const p0 = await pool(server);
    const n0 = expectOk(await send({ body: { serviceId: 'svco-demo' } })).instances.length;
    const timestamp = bceTimestamp();
    const path = '/v2/serviceresources';
    const query = [['Action', 'PurchaseComputeUnit']];
    const body = JSON.stringify({ serviceId: 'svco-demo', replicasCount: 3, billing: { paymentTiming: 'Postpaid' } });
    const headers = { Host: `127.0.0.1:${server.port}`, 'Content-Type': 'application/json', 'x-bce-date': timestamp };
    const auth = authorization({ ...ADMIN, timestamp, path, query, headers, signedHeaders: ['host', 'content-type', 'x-bce-date'] });
    const again = () => send({ timestamp, headers: { ...headers }, body, query, path, authorization: auth });
    const started = Date.now();
    const ids = [expectOk(await again()).instanceId, expectOk(await again()).instanceId];
    // Several copies at once, too.
    for (const r of await Promise.all([again(), again(), again()])) ids.push(expectOk(r).instanceId);
    assert.ok(Date.now() - started < 5000, 'the five requests went out within the signature window');
    assert.equal(new Set(ids).size, 5, 'every call buys: five distinct instances');
    const n1 = expectOk(await send({ body: { serviceId: 'svco-demo' } })).instances.length;
    assert.equal(n1 - n0, 5, 'five new instances listed');
    assert.equal((await pool(server)).allocatedUnits - p0.allocatedUnits, 30, 'pool allocation grew five times (3 replicas × 2 units)');
  });

  test('clientToken: same token and parameters return the first result; other parameters are IdempotentParameterMismatch', async () => {
    const p0 = await pool(server);
    const token = `tok-${crypto.randomUUID()}`;
    const params = { serviceId: 'svco-demo', replicasCount: 1, billing: { paymentTiming: 'Prepaid', reservation: { reservationTimeUnit: 'Month', reservationLength: 1 } } };
    const now = Date.now();
    const first = expectOk(await send({ action: 'PurchaseComputeUnit', body: { ...params, clientToken: token }, timestamp: bceTimestamp(new Date(now - 2000)) })).instanceId;
    const again = expectOk(await send({ action: 'PurchaseComputeUnit', body: { ...params, clientToken: token }, timestamp: bceTimestamp(new Date(now - 1000)) })).instanceId;
    assert.equal(again, first);
    // The token as a query parameter is the same token.
    const viaQuery = expectOk(await send({ query: [['Action', 'PurchaseComputeUnit'], ['clientToken', token]], body: params, timestamp: bceTimestamp(new Date(now)) })).instanceId;
    assert.equal(viaQuery, first);
    expectError(await send({ action: 'PurchaseComputeUnit', body: { ...params, replicasCount: 2, clientToken: token } }), 403, 'IdempotentParameterMismatch');
    expectError(await send({ action: 'PurchaseComputeUnit', body: { ...params, billing: { paymentTiming: 'Postpaid' }, clientToken: token } }),
      403, 'IdempotentParameterMismatch');
    assert.equal((await pool(server)).allocatedUnits - p0.allocatedUnits, 2, 'bought once');
    // A fresh token buys again.
    const fresh = expectOk(await send({ action: 'PurchaseComputeUnit', body: { ...params, clientToken: `${token}-2` } })).instanceId;
    assert.notEqual(fresh, first);
  });

  test("clientToken is per account: another account's identical token buys its own unit", async () => {
    const token = `shared-${crypto.randomUUID()}`;
    const mine = expectOk(await send({ action: 'PurchaseComputeUnit', body: { serviceId: 'svco-demo', replicasCount: 1, billing: { paymentTiming: 'Postpaid' }, clientToken: token } })).instanceId;
    const theirs = await send({ creds: OTHER, action: 'PurchaseComputeUnit', body: { serviceId: 'svco-other', replicasCount: 1, billing: { paymentTiming: 'Postpaid' }, clientToken: token } });
    const theirId = expectOk(theirs).instanceId;
    assert.notEqual(theirId, mine);
    const res = await send({ creds: OTHER, path: '/v2/computeunit', action: 'DescribeComputeUnit', body: { instanceId: theirId } });
    assert.equal(expectOk(res).computeUnitInstance.creator, 'boss');
  });
});
