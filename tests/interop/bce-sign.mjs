// A small, independent implementation of BCE signature v1 (bce-auth-v1) with node:crypto,
// written from SPEC §2 (not from cuplane's C++ code), plus a raw HTTP client that lets a test
// choose every header, Host included. Used by the interop tests and their helpers.
import crypto from 'node:crypto';
import http from 'node:http';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** UriEncode: keep A-Z a-z 0-9 - . _ ~ (and '/' when keepSlash), %XX (upper-case) for other bytes. */
export function uriEncode(value, keepSlash = false) {
  let out = '';
  for (const byte of Buffer.from(String(value), 'utf8')) {
    const ch = String.fromCharCode(byte);
    if ((byte < 0x80 && UNRESERVED.test(ch)) || (keepSlash && ch === '/')) out += ch;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** CanonicalQuery from [[key, value], ...]: every parameter except authorization, sorted. */
export function canonicalQuery(pairs) {
  return pairs
    .filter(([k]) => k.toLowerCase() !== 'authorization')
    .map(([k, v]) => (v === undefined || v === null || v === '' ? `${uriEncode(k)}=` : `${uriEncode(k)}=${uriEncode(v)}`))
    .sort()
    .join('&');
}

/** CanonicalHeaders for the named headers (names case-insensitive). headers: {name: value}. */
export function canonicalHeaders(headers, signedHeaderNames) {
  const lower = {};
  for (const [k, v] of Object.entries(headers)) lower[k.trim().toLowerCase()] = String(v);
  return signedHeaderNames
    .map((n) => n.trim().toLowerCase())
    .map((n) => `${uriEncode(n)}:${uriEncode((lower[n] ?? '').trim())}`)
    .sort()
    .join('\n');
}

const hmacHex = (key, data) => crypto.createHmac('sha256', key).update(data, 'utf8').digest('hex');

/** The BCE v1 signature (hex) of a request. */
export function signature({ ak, sk, timestamp, expiration = 1800, method = 'POST', path, query = [], headers, signedHeaders }) {
  const signingKey = hmacHex(sk, `bce-auth-v1/${ak}/${timestamp}/${expiration}`);
  const canonicalUri = uriEncode(decodeURIComponent(path), true);
  const canonicalRequest = [
    method.toUpperCase(),
    canonicalUri,
    canonicalQuery(query),
    canonicalHeaders(headers, signedHeaders),
  ].join('\n');
  return hmacHex(signingKey, canonicalRequest);
}

/**
 * The full Authorization header value. signedHeaders is listed in the given order (the server
 * must accept any order); pass listedHeaders to list them differently from what was signed.
 */
export function authorization(opts) {
  const { ak, timestamp, expiration = 1800, signedHeaders } = opts;
  const sig = signature(opts);
  const listed = (opts.listedHeaders ?? signedHeaders).map((h) => h.toLowerCase()).join(';');
  return `bce-auth-v1/${ak}/${timestamp}/${expiration}/${listed}/${sig}`;
}

/** UTC timestamp "YYYY-MM-DDTHH:MM:SSZ" for a Date (default now). */
export function bceTimestamp(date = new Date()) {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Send one HTTP request with exactly these headers (Host included when given).
 * Resolves {status, headers, text, json}.
 */
export function rawRequest({ port, host = '127.0.0.1', method = 'POST', path, headers = {}, body = '' }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path, headers, agent: false, setHost: !Object.keys(headers).some((h) => h.toLowerCase() === 'host') }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(15000, () => req.destroy(new Error(`request to ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sign and send `POST path?Action=action` with a JSON body, the way a generic SDK does:
 * signs host, content-type and x-bce-date. Resolves like rawRequest.
 */
export async function signedCall({ port, ak, sk, path, action, body = {}, query = [], expiration = 1800, timestamp = bceTimestamp() }) {
  const q = action ? [['Action', action], ...query] : query;
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const headers = {
    Host: `127.0.0.1:${port}`,
    'Content-Type': 'application/json',
    'x-bce-date': timestamp,
    'Content-Length': Buffer.byteLength(payload),
  };
  const signedHeaders = ['host', 'content-type', 'x-bce-date'];
  headers.Authorization = authorization({ ak, sk, timestamp, expiration, path, query: q, headers, signedHeaders });
  const qs = q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return rawRequest({ port, path: qs ? `${path}?${qs}` : path, headers, body: payload });
}
