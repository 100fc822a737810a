// Every account's units (operator DescribeUnits), filtered by account, region, type and status,
// a page at a time.

import { PATHS } from './api.js';
import { REGIONS, TYPES, UNIT_STATUSES } from './catalog.js';
import { badge, card, field, fill, formatTime, h, messageLine, select, table, unsupportedNotice } from './ui.js';

const PAGE = 50;

export class UnitsPanel {
  constructor(session) {
    this.session = session;
    this.message = messageLine();
    this.body = h('div', { id: 'operator-units' });
    this.filters = {
      accountId: h('input', { name: 'accountId', placeholder: 'any', maxlength: 64 }),
      region: select('region', [['', 'any'], ...REGIONS], ''),
      type: select('type', [['', 'any'], ...TYPES], ''),
      status: select('status', [['', 'any'], ...UNIT_STATUSES], ''),
    };
    this.units = [];
    this.more = h('button', { class: 'ghost', hidden: true, onclick: () => this.fetch(this.nextMarker) }, 'More');
    this.el = card('Units across accounts', {
      tools: [h('button', { class: 'ghost', onclick: () => this.load() }, 'Refresh')],
    }, h('form', {
      class: 'filters',
      onsubmit: (e) => { e.preventDefault(); this.load(); },
    }, field('Account', this.filters.accountId), field('Region', this.filters.region),
    field('Type', this.filters.type), field('Status', this.filters.status),
    h('button', { class: 'primary', type: 'submit' }, 'Filter')),
    this.message.el, this.body, h('div', { class: 'pager' }, this.more));
  }

  load() {
    this.units = [];
    return this.fetch(undefined);
  }

  async fetch(marker) {
    this.message.clear();
    const body = { maxKeys: PAGE };
    for (const [key, input] of Object.entries(this.filters)) {
      if (input.value.trim()) body[key] = input.value.trim();
    }
    if (marker) body.marker = marker;
    try {
      const page = await this.session.call(PATHS.operator, 'DescribeUnits', body);
      this.units.push(...page.units);
      this.nextMarker = page.nextMarker;
      this.more.hidden = !page.nextMarker;
      this.render();
    } catch (err) {
      if (err.unsupported) fill(this.body, unsupportedNotice('a list of units across accounts (DescribeUnits)'));
      else this.message.error(err);
    }
  }

  render() {
    fill(this.body, table(
      ['Unit', 'Status', 'Account', 'Region / type', 'Units (used)', 'Payment', 'Started', 'Expires / releases'],
      this.units, (u) => [
        h('code', { text: u.instanceId }), badge(u.status), h('code', { text: u.accountId }), `${u.region} / ${u.type}`,
        `${u.totalComputeUnits} (${u.usedComputeUnits})`, u.paymentTiming,
        formatTime(u.startTime), formatTime(u.expiredTime || u.releaseTime),
      ], { empty: 'No units match.' }));
  }
}
