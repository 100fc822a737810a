// Pools (allocated of total, drawn as bars) and prices, with the forms that set them.

import { PATHS } from './api.js';
import { REGIONS, TYPES } from './catalog.js';
import { act, card, field, fill, formatMoney, h, messageLine, parseYuan, select, table } from './ui.js';

export class CapacityPanel {
  constructor(session) {
    this.session = session;
    this.pools = h('div', { class: 'pools', id: 'pools' });
    this.prices = h('div', { id: 'prices' });
    this.message = messageLine();
    this.el = h('div', { class: 'columns' },
      card('Pools', { tools: [h('button', { class: 'ghost', onclick: () => this.load() }, 'Refresh')] },
        this.message.el, this.pools, this.inventoryForm()),
      card('Prices', {}, this.prices, this.priceForm()));
  }

  async load() {
    this.message.clear();
    try {
      const [{ pools }, { prices }] = await Promise.all([
        this.session.call(PATHS.operator, 'DescribeInventory'),
        this.session.call(PATHS.operator, 'DescribePrices'),
      ]);
      this.renderPools(pools);
      this.renderPrices(prices);
    } catch (err) {
      this.message.error(err);
    }
  }

  renderPools(pools) {
    if (pools.length === 0) return fill(this.pools, h('p', { class: 'empty', text: 'No pools yet.' }));
    fill(this.pools, pools.map((p) => {
      const share = p.totalUnits > 0 ? p.allocatedUnits / p.totalUnits : 0;
      const fillBar = h('div', { class: `bar-fill ${share > 0.9 ? 'hot' : share > 0.6 ? 'warm' : ''}` });
      fillBar.style.width = `${Math.min(100, share * 100).toFixed(1)}%`;  // CSSOM: allowed by the CSP
      return h('div', { class: 'pool', dataset: { pool: `${p.region}/${p.type}` } },
        h('div', { class: 'pool-head' },
          h('span', { class: 'pool-name' }, h('strong', { text: p.type }), ` in ${p.region}`),
          h('span', { class: 'pool-count', text: `${p.allocatedUnits} / ${p.totalUnits} units` })),
        h('div', {
          class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': p.totalUnits,
          'aria-valuenow': p.allocatedUnits, 'aria-label': `${p.type} in ${p.region} allocated`,
        }, fillBar),
        h('div', { class: 'pool-foot', text: `${p.totalUnits - p.allocatedUnits} free` }));
    }));
  }

  renderPrices(prices) {
    fill(this.prices, table(['Type', 'Prepaid / unit-month', 'Postpaid / unit-hour'], prices,
      (p) => [h('strong', { text: p.type }), formatMoney(p.prepaidPerUnitMonth), formatMoney(p.postpaidPerUnitHour)],
      { empty: 'No prices: nothing is for sale.' }));
  }

  inventoryForm() {
    const message = messageLine();
    const region = select('region', REGIONS, 'bj');
    const type = select('type', TYPES, 'gpu-1');
    const total = h('input', { name: 'totalUnits', type: 'number', min: 0, required: true });
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Set pool size');
    return h('details', { class: 'drawer' }, h('summary', { text: 'Set a pool size' }), h('form', {
      class: 'grid-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const done = await act(submit, message, () => this.session.call(PATHS.operator, 'SetInventory',
          { region: region.value, type: type.value, totalUnits: Number(total.value) }), 'Pool updated.');
        if (done) this.load();
      },
    }, field('Region', region), field('Type', type), field('Total units', total), submit, message.el));
  }

  priceForm() {
    const message = messageLine();
    const type = select('type', TYPES, 'gpu-1');
    const prepaid = h('input', { name: 'prepaid', inputmode: 'decimal', required: true, placeholder: '3000.00' });
    const postpaid = h('input', { name: 'postpaid', inputmode: 'decimal', required: true, placeholder: '5.00' });
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Set price');
    return h('details', { class: 'drawer' }, h('summary', { text: 'Set a price' }), h('form', {
      class: 'grid-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const month = parseYuan(prepaid.value);
        const hour = parseYuan(postpaid.value);
        if (month === null || hour === null) {
          return message.error({ code: 'InvalidInput', message: 'prices are yuan, like 3000 or 5.50' });
        }
        const done = await act(submit, message, () => this.session.call(PATHS.operator, 'SetPrice',
          { type: type.value, prepaidPerUnitMonth: month, postpaidPerUnitHour: hour }), 'Price set.');
        if (done) this.load();
      },
    }, field('Type', type), field('Prepaid ¥ per unit-month', prepaid),
    field('Postpaid ¥ per unit-hour', postpaid), submit, message.el));
  }
}
