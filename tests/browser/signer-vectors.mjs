// Runs the server's bce-auth-v1 vectors (src/auth/bce_signer_test_vectors.json) through the
// console's signer. checkVectors is self-contained, so the same function runs in Node on the
// module and inside Chromium (page.evaluate) on the module as the console serves it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SIGNER_SOURCE = path.join(HERE, '../../src/web/console/js/bce_signer.js');

export function loadVectors() {
  return JSON.parse(fs.readFileSync(path.join(HERE, '../../src/auth/bce_signer_test_vectors.json'), 'utf8'));
}

/**
 * signer: the module, or a URL to import it from. Resolves {checked, failures: [text]}.
 */
export async function checkVectors(signer, vectors) {
  const s = typeof signer === 'string' ? await import(signer) : signer;
  const failures = [];
  let checked = 0;
  const expect = (what, got, want) => {
    checked += 1;
    if (got !== want) failures.push(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  for (const c of vectors.uriEncode) expect(`uriEncode(${JSON.stringify(c.text)}, ${c.keepSlash})`, s.uriEncode(c.text, c.keepSlash), c.expect);
  for (const c of vectors.canonicalUri) expect(`canonicalUri(${JSON.stringify(c.path)})`, s.canonicalUri(c.path), c.expect);
  for (const c of vectors.canonicalQuery) expect(`canonicalQuery(${JSON.stringify(c.query)})`, s.canonicalQuery(c.query), c.expect);
  for (const c of vectors.canonicalHeaders) {
    expect(`canonicalHeaders(${JSON.stringify(c.headers)}, ${JSON.stringify(c.signed)})`, s.canonicalHeaders(c.headers, c.signed), c.expect);
  }
  for (const c of vectors.hmacSha256Hex) expect(`hmacSha256Hex(${JSON.stringify(c.key)})`, await s.hmacSha256Hex(c.key, c.data), c.expect);
  for (const c of vectors.signatures) {
    const request = { method: c.method, path: c.path, query: c.query, headers: c.headers };
    const authorization = await s.signRequest(request, {
      accessKey: c.accessKey, secretKey: c.secretKey, timestamp: c.timestamp,
      expiration: c.expiration, signedHeaders: c.signedHeaders,
    });
    expect(`signRequest: ${c.name}`, authorization, c.expectAuthorization);
    expect(`computeSignature: ${c.name}`, await s.computeSignature(request, c.accessKey, c.secretKey,
      c.timestamp, c.expiration, c.signedHeaders), c.expectSignature);
  }
  return { checked, failures };
}
