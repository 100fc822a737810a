// bce-auth-v1 in the browser, with WebCrypto's HMAC-SHA256. The canonical forms are the
// server's (src/auth/bce_signer.cc) rule for rule, and both are checked against one file of
// vectors (src/auth/bce_signer_test_vectors.json). Text is signed as its UTF-8 bytes, which is
// what travels on the wire. Nothing here keeps a key: the caller passes it for each signature.

const utf8 = new TextEncoder();
const HEX_UPPER = '0123456789ABCDEF';

function isUnreserved(b) {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
    b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
}

function encodeBytes(bytes, keepSlash) {
  let out = '';
  for (const b of bytes) {
    if (isUnreserved(b) || (keepSlash && b === 0x2f)) out += String.fromCharCode(b);
    else out += '%' + HEX_UPPER[b >> 4] + HEX_UPPER[b & 0x0f];
  }
  return out;
}

/** Keeps A-Z a-z 0-9 - . _ ~ (and '/' when keepSlash); every other byte becomes %XX. */
export function uriEncode(text, keepSlash = false) {
  return encodeBytes(utf8.encode(String(text)), keepSlash);
}

function hexValue(b) {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

// Byte-wise, as the server does: a '%' without two hex digits after it stays a literal '%'.
function percentDecode(bytes) {
  const out = [];
  for (let i = 0; i < bytes.length; ++i) {
    if (bytes[i] === 0x25 && i + 2 < bytes.length) {
      const high = hexValue(bytes[i + 1]);
      const low = hexValue(bytes[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out.push(bytes[i]);
  }
  return out;
}

/** The path percent-decoded, then UriEncoded with '/' kept; "" and "x" sign as "/" and "/x". */
export function canonicalUri(path) {
  const decoded = percentDecode(utf8.encode(String(path)));
  if (decoded.length === 0 || decoded[0] !== 0x2f) decoded.unshift(0x2f);
  return encodeBytes(decoded, true);
}

// ASCII-only lower case, as the server's: 'İ'.toLowerCase() must not change what is signed.
function lowerAscii(text) {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

// The whitespace Python's str.strip() removes, which the SDKs trim with.
function trim(text) {
  return text.replace(/^[ \t\r\n\v\f]+|[ \t\r\n\v\f]+$/g, '');
}

// Strings that are all ASCII after encoding sort by code unit as the server's sort by byte.
const byCodeUnit = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const sortedJoin = (parts, separator) => parts.sort(byCodeUnit).join(separator);

/** enc(k)=enc(v) for every [key, value] except `authorization` (any case), sorted, '&'. */
export function canonicalQuery(pairs) {
  const parts = pairs
    .filter(([key]) => lowerAscii(key) !== 'authorization')
    .map(([key, value]) => `${uriEncode(key)}=${uriEncode(value ?? '')}`);
  return sortedJoin(parts, '&');
}

const normalizeName = (name) => lowerAscii(trim(name));

function findHeader(headers, lowerName) {
  const found = headers.find(([name]) => normalizeName(name) === lowerName);
  return found ? found[1] : undefined;
}

/** The names of `signedHeaders` that `headers` ([[name, value], ...]) carries: lower, sorted, unique. */
export function presentSignedNames(headers, signedHeaders) {
  const names = new Set();
  for (const wanted of signedHeaders) {
    const lower = normalizeName(wanted);
    if (lower !== '' && findHeader(headers, lower) !== undefined) names.add(lower);
  }
  return [...names].sort(byCodeUnit);
}

/** enc(lower(trim(name))):enc(trim(value)) for each present signed header, sorted, '\n'. */
export function canonicalHeaders(headers, signedHeaders) {
  const lines = presentSignedNames(headers, signedHeaders).map(
    (name) => `${uriEncode(name)}:${uriEncode(trim(String(findHeader(headers, name))))}`);
  return sortedJoin(lines, '\n');
}

/** hex(HMAC-SHA256(key, data)), key and data as UTF-8. Resolves a lower-case hex string. */
export async function hmacSha256Hex(key, data) {
  const cryptoKey = await crypto.subtle.importKey(
    'raw', utf8.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, utf8.encode(data)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The signature (64 hex characters) of a request.
 * request: {method, path, query: [[k, v]], headers: [[name, value]]}.
 */
export async function computeSignature(request, accessKey, secretKey, timestamp, expiration,
  signedHeaders) {
  const signingKey = await hmacSha256Hex(
    secretKey, `bce-auth-v1/${accessKey}/${timestamp}/${expiration}`);
  const canonicalRequest = [
    request.method,
    canonicalUri(request.path),
    canonicalQuery(request.query),
    canonicalHeaders(request.headers, signedHeaders),
  ].join('\n');
  return hmacSha256Hex(signingKey, canonicalRequest);
}

/**
 * The Authorization header value: bce-auth-v1/{ak}/{timestamp}/{expiration}/{h1;h2}/{signature},
 * listing exactly the signed headers the request carries.
 */
export async function signRequest(request, { accessKey, secretKey, timestamp, expiration,
  signedHeaders }) {
  const names = presentSignedNames(request.headers, signedHeaders);
  const signature = await computeSignature(
    request, accessKey, secretKey, timestamp, expiration, names);
  return `bce-auth-v1/${accessKey}/${timestamp}/${expiration}/${names.join(';')}/${signature}`;
}

/** "YYYY-MM-DDTHH:MM:SSZ" for a Date: the timestamp form every SDK signs. */
export function bceTimestamp(date) {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
