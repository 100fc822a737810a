// Helpers for calling cuplane through the official Node SDK (@baiducloud/qianfan consoleAction).
import assert from 'node:assert/strict';
import { consoleAction } from '@baiducloud/qianfan';

/**
 * consoleAction with these credentials against this server. The SDK reads its configuration
 * from process.env synchronously when called, so setting it right before the call is enough.
 * Resolves the SDK's answer: the response body plus a `headers` object.
 */
export function sdk(server, { ak, sk }, route, action, data) {
  process.env.QIANFAN_ACCESS_KEY = ak;
  process.env.QIANFAN_SECRET_KEY = sk;
  process.env.QIANFAN_CONSOLE_API_BASE_URL = server.baseUrl;
  return consoleAction({ base_api_route: route, action, data });
}

/**
 * The SDK throws an Error whose message holds "status = N", "Response Header {json}" and
 * "Response Body {json}". Returns {status, headers, body}.
 */
export function parseSdkError(err) {
  const msg = String(err?.message ?? err);
  const status = Number(msg.match(/status = (\d+)/)?.[1]);
  const headerLine = msg.match(/Response Header (.*)$/m)?.[1];
  const bodyText = msg.match(/Response Body ([\s\S]*)$/)?.[1];
  let headers = {};
  let body;
  try { headers = JSON.parse(headerLine); } catch { /* keep {} */ }
  try { body = JSON.parse(bodyText); } catch { /* keep undefined */ }
  return { status, headers, body, message: msg };
}

/** Assert a successful SDK answer and its request id; returns its result. */
export function okResult(resp) {
  assert.equal(typeof resp.requestId, 'string', 'body has a requestId');
  assert.equal(resp.headers['x-bce-request-id'], resp.requestId, 'x-bce-request-id header equals body requestId');
  assert.ok('result' in resp, 'body has a result');
  return resp.result;
}

/**
 * Await an SDK call that must fail with this HTTP status and error code (checked in the body and
 * in the x-bce-error-code header). Returns the parsed error.
 */
export async function expectSdkError(promise, status, code) {
  let err;
  try {
    const resp = await promise;
    assert.fail(`expected ${status} ${code}, got success: ${JSON.stringify(resp)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = parseSdkError(e);
  }
  assert.equal(err.status, status, `HTTP status (${err.message})`);
  assert.equal(err.headers['x-bce-error-code'], code, `x-bce-error-code header (${err.message})`);
  assert.ok(err.body, `error body is JSON (${err.message})`);
  assert.equal(err.body.code, code, 'body code');
  assert.equal(typeof err.body.message, 'string');
  assert.ok(err.headers['x-bce-error-message'] !== undefined, 'x-bce-error-message header present');
  assert.equal(err.headers['x-bce-request-id'], err.body.requestId, 'x-bce-request-id header equals body requestId');
  return err;
}

export const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
export const INSTANCE_ID_RE = /^unit-[a-z0-9]{12}$/;

/** ISO UTC time plus n calendar months, clamped to the end of the month. */
export function addMonths(iso, n) {
  const d = new Date(iso);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + n;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  const out = new Date(Date.UTC(y, m, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
  return out.toISOString().replace(/\.\d+Z$/, 'Z');
}

export const isoPlusSeconds = (iso, s) => new Date(Date.parse(iso) + s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
