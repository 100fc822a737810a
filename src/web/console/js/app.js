// The console's entry point: checks that the browser can sign here, signs in with a key pair,
// tells an operator key from a tenant key, and shows the matching view.

import { ApiError, PATHS, createSession } from './api.js';
import { ClockBar } from './clock.js';
import { OperatorView } from './operator_view.js';
import { TenantView } from './tenant_view.js';
import { fill, h, showError } from './ui.js';

const $ = (id) => document.getElementById(id);

let active = null;  // {session, view, clock}: everything that knows the secret, dropped on sign-out

// WebCrypto exists only in a secure context: HTTPS, or http on loopback (127.0.0.1, [::1],
// localhost). Anywhere else the page cannot sign, and says so instead of failing obscurely.
function canSign() {
  return window.isSecureContext && Boolean(globalThis.crypto?.subtle);
}

function showInsecureNotice() {
  const here = `${window.location.protocol}//${window.location.host}`;
  const port = window.location.port ? `:${window.location.port}` : '';
  fill($('insecure'),
    h('h2', { text: 'This page cannot sign requests here' }),
    h('p', {}, 'Your browser offers the cryptography the console needs (WebCrypto) only on a ',
      h('strong', { text: 'secure connection' }), `, and ${here} is not one.`),
    h('ul', {},
      h('li', {}, 'Open it on the server\'s own machine: ', h('code', { text: `http://127.0.0.1${port}/console/` }),
        ' or ', h('code', { text: `http://localhost${port}/console/` }), ', or through an SSH tunnel to it;'),
      h('li', {}, 'or start cuplane with ', h('code', { text: '--tls-cert FILE --tls-key FILE' }),
        ' and open the https:// address.')),
    h('p', { class: 'hint', text: 'Signing in is disabled until then: a secret key typed here could not be used safely.' }));
  $('insecure').hidden = false;
  for (const el of $('sign-in-form').elements) el.disabled = true;
}

// An operator key may call /v1/operator; a tenant key is refused there with AccessDenied,
// which the server says only after the signature was checked, so that too proves the key.
async function detectRole(session) {
  try {
    await session.call(PATHS.operator, 'DescribeClock');
    return 'operator';
  } catch (err) {
    if (err instanceof ApiError && err.code === 'AccessDenied') return 'tenant';
    throw err;
  }
}

async function signIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const accessKey = form.elements.accessKey.value.trim();
  const secretKey = form.elements.secretKey.value;
  // The field is emptied at once: from here on the secret exists only in the session's closure.
  form.elements.secretKey.value = '';
  const message = $('sign-in-message');
  message.textContent = '';
  message.className = 'message';
  if (!accessKey || !secretKey) {
    message.className = 'message error';
    message.textContent = 'Enter both the access key and the secret key.';
    return;
  }
  const submit = form.querySelector('button[type=submit]');
  submit.disabled = true;
  try {
    const session = createSession(accessKey, secretKey);
    const role = await detectRole(session);
    start(session, role);
    form.reset();
  } catch (err) {
    showError(message, err);
  } finally {
    submit.disabled = false;
  }
}

function start(session, role) {
  const view = role === 'operator'
    ? new OperatorView(session, () => active?.clock?.refresh()) : new TenantView(session);
  const clock = role === 'operator'
    ? new ClockBar($('clock'), session, () => view.clockAdvanced()) : null;
  active = { session, view, clock };
  clock?.start();
  $('sign-in').hidden = true;
  fill($('who'), h('span', { class: `role ${role}`, text: role === 'operator' ? 'Operator' : 'Tenant' }),
    h('code', { text: session.accessKey }));
  $('session').hidden = false;
  fill($('view'), view.el);
  $('view').hidden = false;
  document.body.dataset.role = role;
}

// Everything that holds the key is dropped; the page is as it was before sign-in.
function signOut() {
  active?.clock?.stop();
  active?.view.stop?.();
  active = null;
  fill($('view'));
  $('view').hidden = true;
  $('session').hidden = true;
  $('sign-in').hidden = false;
  delete document.body.dataset.role;
  $('sign-in-form').elements.accessKey.focus();
}

function main() {
  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  $('sign-in').hidden = false;
  if (!canSign()) showInsecureNotice();
  else $('sign-in-form').elements.accessKey.focus();
}

main();
