// The console's API client: every call is a signed POST to this same origin. The secret key
// lives only in the closure of createSession: it is never stored, put in a URL, or logged,
// and it is gone when the tab is closed or the person signs out.

import { bceTimestamp, signRequest } from './bce_signer.js';

// Short-lived signatures: the console signs each call afresh, so a captured request is
// useless after five minutes (the server also allows its clock skew around this window).
const EXPIRATION_SECONDS = 300;
const SIGNED_HEADERS = ['content-type', 'host', 'x-bce-date'];

export const PATHS = {
  operator: '/v1/operator',
  computeUnit: '/v2/computeunit',
  serviceResources: '/v2/serviceresources',
  charge: '/v2/charge',
  service: '/v2/service',
};

/** An API error with the server's code and message (or a transport failure, code NetworkError). */
export class ApiError extends Error {
  constructor(code, message, status = 0, requestId = '') {
    super(message);
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }

  /** True when the server does not offer this action (an older or newer cuplane). */
  get unsupported() {
    return this.code === 'InvalidAction' || this.code === 'InvalidURI';
  }
}

async function readAnswer(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError('InvalidResponse', `the server answered HTTP ${response.status} without JSON`,
      response.status);
  }
  if (response.ok && body && 'result' in body) return body.result;
  throw new ApiError(body?.code || `HTTP${response.status}`, body?.message || response.statusText,
    response.status, body?.requestId || '');
}

/** A signed-in session: call(path, action, body) resolves the result or rejects with an ApiError. */
export function createSession(accessKey, secretKey) {
  async function call(path, action, body = {}) {
    const timestamp = bceTimestamp(new Date());
    const payload = JSON.stringify(body);
    // The browser sends Host itself, as location.host: sign exactly that.
    const headers = [['Content-Type', 'application/json'], ['x-bce-date', timestamp],
      ['Host', window.location.host]];
    const authorization = await signRequest(
      { method: 'POST', path, query: [['Action', action]], headers },
      { accessKey, secretKey, timestamp, expiration: EXPIRATION_SECONDS,
        signedHeaders: SIGNED_HEADERS });
    let response;
    try {
      response = await fetch(`${path}?Action=${encodeURIComponent(action)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-bce-date': timestamp,
          Authorization: authorization },
        body: payload,
        credentials: 'omit',
        cache: 'no-store',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new ApiError('NetworkError', 'the server could not be reached');
    }
    return readAnswer(response);
  }
  return { accessKey, call };
}
