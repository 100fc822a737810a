// A self-signed certificate made by openssl for one test run, as an operator would make one.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Writes cert.pem and key.pem into `dir` for 127.0.0.1, localhost and `names` (DNS names).
 * Resolves {cert, key, spki}: spki is the base64 SHA-256 of the public key, which Chromium's
 * --ignore-certificate-errors-spki-list takes to trust exactly this certificate.
 */
export function makeCertificate(dir, names = []) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const alt = ['IP:127.0.0.1', 'DNS:localhost', ...names.map((n) => `DNS:${n}`)].join(',');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-days', '2', '-subj', '/CN=cuplane-test', '-addext',
    `subjectAltName=${alt}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const publicKey = execFileSync('openssl', ['x509', '-in', cert, '-pubkey', '-noout']);
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: publicKey });
  const spki = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der }).toString('base64');
  return { cert, key, spki };
}
