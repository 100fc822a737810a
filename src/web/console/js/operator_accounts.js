// The operator's accounts: the list (DescribeAccounts), and one account opened by a person
// (DescribeAccount: balance, arrears, a paged ledger; top-up, services, users and keys).
// DescribeAccount settles the account's usage and may add a ledger entry, so it runs only
// when someone opens, refreshes or pages an account, never on a timer or after a clock move.

import { PATHS } from './api.js';
import { POLICIES, REGIONS, TYPES } from './catalog.js';
import {
  act, badge, card, field, fill, formatMoney, formatTime, h, messageLine, parseYuan, select,
  table,
} from './ui.js';

const LIST_PAGE = 50;
const LEDGER_PAGE = 20;

export class AccountsPanel {
  constructor(session) {
    this.session = session;
    this.listBody = h('div', { class: 'list-body' });
    this.listMessage = messageLine();
    this.detail = new AccountDetail(session, () => this.load());
    this.el = h('div', { class: 'split' },
      card('Accounts', {
        id: 'accounts',
        tools: [h('button', { class: 'ghost', onclick: () => this.load() }, 'Refresh')],
      }, this.listMessage.el, this.listBody, this.createForm()),
      this.detail.el);
  }

  load() {
    this.accounts = [];
    return this.fetch(undefined);
  }

  // One page of DescribeAccounts more; "More" asks for the next.
  async fetch(marker) {
    this.listMessage.clear();
    try {
      const page = await this.session.call(PATHS.operator, 'DescribeAccounts',
        marker ? { marker, maxKeys: LIST_PAGE } : { maxKeys: LIST_PAGE });
      this.accounts.push(...page.accounts);
      this.renderList(this.accounts, page.nextMarker);
    } catch (err) {
      this.listMessage.error(err);
    }
  }

  renderList(accounts, nextMarker) {
    const more = nextMarker
      ? h('div', { class: 'pager' }, h('button', { class: 'ghost', onclick: () => this.fetch(nextMarker) }, 'More'))
      : null;
    // The name over the id: four columns fit beside an open account.
    fill(this.listBody, table(['Account', 'Balance', 'Standing', 'Live units'], accounts,
      (a) => [
        h('div', { class: 'cell-stack' }, h('strong', { text: a.name }), h('code', { text: a.accountId })),
        h('span', { class: `money ${a.balance < 0 ? 'negative' : ''}`, text: formatMoney(a.balance) }),
        standing(a.inArrears),
        h('span', { dataset: { liveUnits: a.accountId }, text: String(a.liveUnits) }),
      ], {
        empty: 'No accounts yet.',
        onRowClick: (a) => this.detail.open(a.accountId),
      }), more);
  }

  createForm() {
    const message = messageLine();
    const name = h('input', { name: 'name', required: true, maxlength: 64 });
    const id = h('input', { name: 'accountId', placeholder: 'generated', maxlength: 64 });
    const balance = h('input', { name: 'balance', inputmode: 'decimal', placeholder: '0.00' });
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Create account');
    return h('details', { class: 'drawer' }, h('summary', { text: 'New account' }),
      h('form', {
        class: 'grid-form',
        onsubmit: async (e) => {
          e.preventDefault();
          const fen = balance.value.trim() ? parseYuan(balance.value) : 0;
          if (fen === null) return message.error({ code: 'InvalidInput', message: 'the opening balance is yuan, like 1000 or 12.50' });
          const body = { name: name.value.trim(), balance: fen };
          if (id.value.trim()) body.accountId = id.value.trim();
          const created = await act(submit, message,
            () => this.session.call(PATHS.operator, 'CreateAccount', body),
            (r) => `Created ${r.accountId}.`);
          if (created) { e.target.reset(); this.load(); this.detail.open(created.accountId); }
        },
      }, field('Name', name), field('Account id', id, 'optional'),
      field('Opening balance (¥)', balance), submit, message.el));
  }
}

class AccountDetail {
  constructor(session, onChanged) {
    this.session = session;
    this.onChanged = onChanged;
    this.accountId = null;
    this.markers = [];  // ledger page markers: [undefined, m1, m2, ...]
    this.page = 0;
    this.message = messageLine();
    this.body = h('div');
    this.title = h('h2', { text: 'Account' });
    this.el = h('section', { class: 'card detail', id: 'account-detail', hidden: true },
      h('header', { class: 'card-head' }, this.title, h('div', { class: 'tools' },
        h('button', { class: 'ghost', onclick: () => this.show(this.page) }, 'Refresh'),
        h('button', { class: 'ghost', onclick: () => this.close() }, 'Close'))),
      this.message.el, this.body);
  }

  open(accountId) {
    this.accountId = accountId;
    this.markers = [undefined];
    this.el.hidden = false;
    this.show(0);
    this.el.scrollIntoView?.({ block: 'nearest' });
  }

  close() {
    this.el.hidden = true;
    this.accountId = null;
  }

  /** Called when the clock moved: what is shown may be out of date, but is not re-read. */
  markStale() {
    if (this.el.hidden) return;
    this.message.ok('The clock moved: press Refresh to settle and see the balance now.');
  }

  async show(page) {
    this.message.clear();
    const body = { accountId: this.accountId, maxKeys: LEDGER_PAGE };
    if (this.markers[page]) body.marker = this.markers[page];
    try {
      const [account, services] = await Promise.all([
        this.session.call(PATHS.operator, 'DescribeAccount', body),
        this.session.call(PATHS.operator, 'DescribeServices', { accountId: this.accountId })
          .catch((err) => ({ error: err })),
      ]);
      this.page = page;
      this.markers[page + 1] = account.nextMarker;
      this.render(account, services);
    } catch (err) {
      fill(this.body);
      this.title.textContent = this.accountId;
      this.message.error(err);
    }
  }

  render(account, services) {
    this.title.textContent = account.name;
    fill(this.body,
      h('div', { class: 'stats' },
        stat('Account', h('code', { text: account.accountId })),
        stat('Balance', h('span', { class: `money big ${account.balance < 0 ? 'negative' : ''}`, id: 'account-balance', text: formatMoney(account.balance) })),
        stat('Standing', standing(account.inArrears))),
      this.topUpForm(),
      h('h3', { text: 'Ledger' }),
      h('div', { id: 'ledger' }, table(['Time (UTC)', 'Kind', 'Amount', 'Unit', 'Order', 'Note'], account.ledger, (e) => [
        formatTime(e.time), h('span', { class: `kind ${e.kind}`, text: e.kind }),
        h('span', { class: `money ${e.amount < 0 ? 'negative' : 'positive'}`, text: formatMoney(e.amount) }),
        e.instanceId ? h('code', { text: e.instanceId }) : '', e.orderId ? h('code', { text: e.orderId }) : '',
        e.note || '',
      ], { empty: 'No ledger entries.' })),
      h('div', { class: 'pager', id: 'ledger-pager' },
        h('button', { class: 'ghost', dataset: { page: 'newest' }, disabled: this.page === 0, onclick: () => this.show(0) }, 'Newest'),
        h('button', { class: 'ghost', dataset: { page: 'newer' }, disabled: this.page === 0, onclick: () => this.show(this.page - 1) }, '← Newer'),
        h('span', { class: 'page-no', text: `Page ${this.page + 1}` }),
        h('button', { class: 'ghost', dataset: { page: 'older' }, disabled: !account.nextMarker, onclick: () => this.show(this.page + 1) }, 'Older →')),
      h('h3', { text: 'Services' }),
      services.error ? h('p', { class: 'message error', text: `${services.error.code} ${services.error.message}` })
        : table(['Service', 'Name', 'Region / type', 'Units per replica', 'Status'], services.services, (s) => [
          h('code', { text: s.serviceId }), s.name, `${s.region} / ${s.type}`, String(s.unitsPerReplica),
          badge(s.runStatus),
        ], { empty: 'No services.' }),
      this.serviceForm(),
      this.usageForm(),
      this.userForms());
  }

  topUpForm() {
    const message = messageLine();
    const amount = h('input', { name: 'amount', inputmode: 'decimal', placeholder: '100.00', required: true });
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Top up');
    return h('form', {
      class: 'inline-form', id: 'top-up',
      onsubmit: async (e) => {
        e.preventDefault();
        const fen = parseYuan(amount.value);
        if (!fen) return message.error({ code: 'InvalidInput', message: 'the amount is yuan above zero, like 100 or 12.50' });
        const done = await act(submit, message, () => this.session.call(PATHS.operator, 'TopUpBalance',
          { accountId: this.accountId, amount: fen }));
        if (done) { await this.show(0); this.onChanged(); }
      },
    }, field('Top up (¥)', amount), submit, message.el);
  }

  serviceForm() {
    const message = messageLine();
    const name = h('input', { name: 'name', required: true, maxlength: 64 });
    const region = select('region', REGIONS, 'bj');
    const type = select('type', TYPES, 'gpu-1');
    const perReplica = h('input', { name: 'unitsPerReplica', type: 'number', min: 1, value: 1, required: true });
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Create service');
    return h('details', { class: 'drawer' }, h('summary', { text: 'New service' }), h('form', {
      class: 'grid-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const done = await act(submit, message, () => this.session.call(PATHS.operator, 'CreateService', {
          accountId: this.accountId, name: name.value.trim(), region: region.value, type: type.value,
          unitsPerReplica: Number(perReplica.value),
        }), (r) => `Created ${r.serviceId}.`);
        if (done) this.show(this.page);
      },
    }, field('Name', name), field('Region', region), field('Type', type),
    field('Units per replica', perReplica), submit, message.el));
  }

  // Postpaid cost per unit over a range (DescribeUsage): computed from each unit's history, it
  // settles nothing, so unlike DescribeAccount it may be asked as often as one likes.
  usageForm() {
    const message = messageLine();
    const result = h('div', { id: 'usage' });
    const from = h('input', { name: 'from', required: true, placeholder: '2026-11-01T00:00:00Z' });
    const to = h('input', { name: 'to', required: true, placeholder: '2026-12-01T00:00:00Z' });
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Show usage');
    return h('details', { class: 'drawer' }, h('summary', { text: 'Postpaid usage' }), h('form', {
      class: 'grid-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const usage = await act(submit, message, () => this.session.call(PATHS.operator, 'DescribeUsage',
          { accountId: this.accountId, from: from.value.trim(), to: to.value.trim() }));
        if (!usage) return;
        fill(result, h('p', {}, 'Total ', h('strong', { class: 'money', text: formatMoney(usage.total) })),
          table(['Unit', 'Type', 'Cost'], usage.units, (u) => [
            h('code', { text: u.instanceId }), u.type, h('span', { class: 'money', text: formatMoney(u.amount) }),
          ], { empty: 'No Postpaid usage in this range.' }));
      },
    }, field('From (RFC 3339)', from), field('To (RFC 3339)', to), submit, message.el), result);
  }

  userForms() {
    const message = messageLine();
    const secretBox = h('div', { class: 'secret-once', hidden: true });
    const userName = h('input', { name: 'userName', required: true, maxlength: 64 });
    const policy = select('policy', POLICIES, POLICIES[0]);
    const keyAk = h('input', { name: 'accessKey', required: true, maxlength: 128 });
    const call = (action, body) => this.session.call(PATHS.operator, action, { accountId: this.accountId, ...body });
    const button = (label, cls, work, success) => h('button', {
      class: cls, type: 'button',
      onclick: (e) => act(e.currentTarget, message, work, success),
    }, label);
    const createKey = async () => {
      const key = await call('CreateAccessKey', { userName: userName.value.trim() });
      // Shown once, as the API shows it once; the console keeps it nowhere.
      fill(secretBox, h('strong', { text: 'New key — copy the secret now, it is not shown again:' }),
        h('code', { text: key.accessKey }), h('code', { class: 'secret', text: key.secretKey }),
        h('button', { class: 'ghost', type: 'button', onclick: () => { secretBox.hidden = true; secretBox.replaceChildren(); } }, 'Done'));
      secretBox.hidden = false;
      return key;
    };
    return h('details', { class: 'drawer' }, h('summary', { text: 'Users and keys' }),
      h('div', { class: 'grid-form' }, field('User', userName), field('Policy', policy)),
      h('div', { class: 'actions wrap' },
        button('Create user', 'primary', () => call('CreateUser', { name: userName.value.trim(), policies: [policy.value] }),
          (r) => `Created user ${r.name}.`),
        button('Attach policy', 'ghost', () => call('AttachPolicy', { userName: userName.value.trim(), policy: policy.value }), 'Policy attached.'),
        button('Detach policy', 'ghost', () => call('DetachPolicy', { userName: userName.value.trim(), policy: policy.value }), 'Policy detached.'),
        button('Create access key', 'ghost', createKey, 'Key created.')),
      secretBox,
      h('div', { class: 'inline-form' }, field('Access key to disable', keyAk),
        button('Disable key', 'danger', () => this.session.call(PATHS.operator, 'DisableAccessKey', { accessKey: keyAk.value.trim() }), 'Key disabled.')),
      message.el);
  }
}

function standing(inArrears) {
  return inArrears ? h('span', { class: 'badge bad', text: 'In arrears' })
    : h('span', { class: 'badge good', text: 'Good' });
}

function stat(label, value) {
  return h('div', { class: 'stat' }, h('span', { class: 'stat-label', text: label }), value);
}
