// Small DOM and formatting helpers. Text from the server always goes in through textContent,
// never as markup, so an account named "<img onerror=…>" is just a name.

/**
 * h('button', {class: 'primary', onclick: fn, disabled: true}, 'Save', child, ...): an element.
 * Keys: class, text, dataset (object), on<event> (listener), anything else an attribute
 * (true: present, false/null/undefined: absent).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Fen (integer) as yuan: 123456 -> "¥1,234.56", -5 -> "−¥0.05". */
export function formatMoney(fen) {
  const negative = fen < 0;
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toLocaleString('en-US');
  const cents = String(abs % 100).padStart(2, '0');
  return `${negative ? '−' : ''}¥${yuan}.${cents}`;
}

/** "1234.5" (yuan, up to two decimals) -> 123450 fen; null when it is not such a number. */
export function parseYuan(text) {
  const m = /^\s*(\d{1,13})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

/** An API time ("2026-12-01T19:00:00Z") for people: "2026-12-01 19:00:00"; "" stays "—". */
export function formatTime(iso) {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/Z$/, '');
}

/** The calendar month after `date` (UTC), clamped to that month's end, as the server counts. */
export function addMonthUtc(date) {
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth() + 1;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const d = new Date(date);
  d.setUTCDate(1);
  d.setUTCMonth(m);
  d.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return d;
}

const STATUS_TONES = {
  Running: 'good', Serving: 'good', Creating: 'busy', Reconfiguring: 'busy', Releasing: 'busy',
  BillingChanging: 'busy', Deploying: 'busy', ScalingOut: 'busy', ScalingIn: 'busy',
  Deactivating: 'busy', New: 'busy', Released: 'off', Deleted: 'off', Stopped: 'off',
  CreateFailed: 'bad', ReconfigureFailed: 'bad', Failed: 'bad', DeactivationFailed: 'bad',
  ScalingFailed: 'bad',
};

/** A coloured status pill. */
export function badge(status) {
  return h('span', { class: `badge ${STATUS_TONES[status] || 'off'}`, text: status || '—' });
}

/** A table with a header row and one row per item; row(item) returns cells (nodes or text). */
export function table(columns, items, row, { empty = 'Nothing here yet.', onRowClick } = {}) {
  if (items.length === 0) return h('p', { class: 'empty', text: empty });
  const head = h('tr', {}, columns.map((c) => h('th', { text: c })));
  const body = items.map((item) => {
    const tr = h('tr', {}, row(item).map((cell) => h('td', {}, cell)));
    if (onRowClick) {
      tr.classList.add('clickable');
      tr.tabIndex = 0;
      tr.addEventListener('click', () => onRowClick(item, tr));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') onRowClick(item, tr); });
    }
    return tr;
  });
  return h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, head), h('tbody', {}, body)));
}

/** A labelled form field around `input`. */
export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'label', text: label }), input,
    hint ? h('span', { class: 'hint', text: hint }) : null);
}

/** <select> of options ([value, text] pairs or plain values). */
export function select(name, options, selected) {
  return h('select', { name }, options.map((o) => {
    const [value, text] = Array.isArray(o) ? o : [o, o];
    return h('option', { value, selected: value === selected }, text);
  }));
}

/** Show `err` in `el`: the API's code and message exactly as the server sent them. */
export function showError(el, err) {
  el.className = 'message error';
  fill(el, h('code', { text: err.code || 'Error' }), ' ', err.message || String(err),
    err.code === 'RequestExpired'
      ? ' (this computer\'s clock differs from the server\'s by more than the allowed skew)' : null);
}

/**
 * A status line for a panel: ok(text) and error(err) show what happened; an API error shows
 * its code and message exactly as the server sent them.
 */
export function messageLine() {
  const el = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  return {
    el,
    ok(text) { el.className = 'message ok'; el.textContent = text; },
    error(err) { showError(el, err); },
    clear() { el.className = 'message'; el.textContent = ''; },
  };
}

/**
 * Run `work` for a button press: the button is disabled meanwhile, and success or failure
 * lands in `message`. Resolves what work resolved, or undefined after an error.
 */
export async function act(button, message, work, success) {
  button.disabled = true;
  message.clear();
  try {
    const value = await work();
    if (success) message.ok(typeof success === 'function' ? success(value) : success);
    return value;
  } catch (err) {
    message.error(err);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/** A card: a titled panel with optional tools (buttons) in its header. */
export function card(title, { tools = [], id, extraClass = '' } = {}, ...body) {
  return h('section', { class: `card ${extraClass}`.trim(), id },
    h('header', { class: 'card-head' }, h('h2', { text: title }),
      tools.length ? h('div', { class: 'tools' }, tools) : null),
    body);
}

/** A notice for an action this server does not offer. */
export function unsupportedNotice(what) {
  return h('p', { class: 'notice-inline', text: `This server does not offer ${what}.` });
}
