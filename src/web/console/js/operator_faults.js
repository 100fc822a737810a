// Injected faults: what will fail next (DescribeFaults), inject more, clear them all.

import { PATHS } from './api.js';
import { FAULT_OPERATIONS, REGIONS, TYPES } from './catalog.js';
import { act, card, field, fill, h, messageLine, select, table, unsupportedNotice } from './ui.js';

export class FaultsPanel {
  constructor(session) {
    this.session = session;
    this.message = messageLine();
    this.body = h('div', { id: 'faults' });
    const clear = h('button', {
      class: 'danger', type: 'button',
      onclick: async (e) => {
        if (await act(e.currentTarget, this.message, () => this.session.call(PATHS.operator, 'ClearFaults'), 'Faults cleared.')) this.load();
      },
    }, 'Clear all');
    this.el = card('Injected faults', {
      tools: [h('button', { class: 'ghost', onclick: () => this.load() }, 'Refresh'), clear],
    }, h('p', { class: 'hint', text: 'The next operations of a kind fail, once each: a provision fault makes a purchase CreateFailed (refunded), a reconfigure fault makes a resize ReconfigureFailed.' }),
    this.message.el, this.body, h('h3', { text: 'Inject a fault' }), this.injectForm());
  }

  async load() {
    this.message.clear();
    try {
      const { faults } = await this.session.call(PATHS.operator, 'DescribeFaults');
      fill(this.body, table(['Operation', 'Remaining', 'Region', 'Type'], faults,
        (f) => [h('strong', { text: f.operation }), String(f.remaining), f.region || 'any', f.type || 'any'],
        { empty: 'No faults injected: every operation succeeds.' }));
    } catch (err) {
      if (err.unsupported) fill(this.body, unsupportedNotice('fault injection (DescribeFaults)'));
      else this.message.error(err);
    }
  }

  injectForm() {
    const message = messageLine();
    const operation = select('operation', FAULT_OPERATIONS, 'provision');
    const count = h('input', { name: 'count', type: 'number', min: 1, value: 1, required: true });
    const region = select('region', [['', 'any'], ...REGIONS], '');
    const type = select('type', [['', 'any'], ...TYPES], '');
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Inject');
    return h('form', {
      class: 'grid-form',
      onsubmit: async (e) => {
        e.preventDefault();
        const body = { operation: operation.value, count: Number(count.value) };
        if (region.value) body.region = region.value;
        if (type.value) body.type = type.value;
        if (await act(submit, message, () => this.session.call(PATHS.operator, 'InjectFault', body), 'Fault injected.')) this.load();
      },
    }, field('Operation', operation), field('Count', count), field('Region', region), field('Type', type),
    submit, message.el);
  }
}
