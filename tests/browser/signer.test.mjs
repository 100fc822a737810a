// The console's signer, in Node (WebCrypto as in the browser), on the server's own vectors.
// console.test.mjs runs the same vectors inside Chromium on the module the binary serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkVectors, loadVectors, SIGNER_SOURCE } from './signer-vectors.mjs';

test('browser signer gives every server vector', async () => {
  const signer = await import(SIGNER_SOURCE);
  const { checked, failures } = await checkVectors(signer, loadVectors());
  assert.deepEqual(failures, []);
  assert.ok(checked >= 40, `only ${checked} checks ran`);
});

test('a changed canonical rule is caught', async () => {
  // The check itself must be able to fail: a signer that forgets to sort its query does.
  const signer = await import(SIGNER_SOURCE);
  const broken = { ...signer, canonicalQuery: (pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&') };
  const { failures } = await checkVectors(broken, loadVectors());
  assert.ok(failures.some((f) => f.startsWith('canonicalQuery')), failures.join('\n'));
});
