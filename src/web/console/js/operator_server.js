// The whole server's state: Reset to the bootstrap (or the demo), and named snapshots to save
// and restore. Both replace everything at once, so afterwards every view is read again.

import { PATHS } from './api.js';
import { act, card, field, fill, formatTime, h, messageLine, table, unsupportedNotice } from './ui.js';

export class ServerPanel {
  /** onReplaced() is called after a reset or a restore changed the whole state. */
  constructor(session, onReplaced) {
    this.session = session;
    this.onReplaced = onReplaced;
    this.message = messageLine();
    this.snapshots = h('div', { id: 'snapshots' });
    const reset = h('button', {
      class: 'danger', type: 'button', id: 'reset-server',
      onclick: (e) => this.replace(e.currentTarget, 'Reset', {},
        'Reset every account, unit, ledger and fault to the start-up state?', 'The server was reset.'),
    }, 'Reset the server');
    this.el = h('div', { class: 'columns' },
      card('Snapshots', { tools: [h('button', { class: 'ghost', onclick: () => this.load() }, 'Refresh')] },
        this.snapshots, this.saveForm()),
      card('Reset', {}, h('p', { class: 'hint', text: 'Everything back to the start-up state (the bootstrap file, or the demo): accounts, units, ledgers, services, faults and the virtual clock. Operator keys are kept.' }),
        reset, this.message.el));
  }

  async load() {
    try {
      const { snapshots } = await this.session.call(PATHS.operator, 'DescribeSnapshots');
      const rows = snapshots.map((s) => (typeof s === 'string' ? { name: s } : s));
      fill(this.snapshots, table(['Name', 'Saved', ''], rows, (s) => [
        h('strong', { text: s.name }), formatTime(s.time || s.savedAt || s.createTime || ''),
        h('button', {
          class: 'ghost', type: 'button',
          onclick: (e) => this.replace(e.currentTarget, 'RestoreSnapshot', { name: s.name },
            `Put the whole state back as it was in "${s.name}"?`, `Restored "${s.name}".`),
        }, 'Restore'),
      ], { empty: 'No snapshots yet.' }));
    } catch (err) {
      if (err.unsupported) fill(this.snapshots, unsupportedNotice('snapshots (DescribeSnapshots)'));
      else this.message.error(err);
    }
  }

  async replace(button, action, body, question, done) {
    if (!window.confirm(question)) return;
    if (await act(button, this.message, () => this.session.call(PATHS.operator, action, body), done)) {
      this.onReplaced();
    }
  }

  saveForm() {
    const message = messageLine();
    const name = h('input', { name: 'name', required: true, maxlength: 64, placeholder: 'before-upgrade' });
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Save snapshot');
    return h('form', {
      class: 'inline-form',
      onsubmit: async (e) => {
        e.preventDefault();
        if (await act(submit, message, () => this.session.call(PATHS.operator, 'SaveSnapshot', { name: name.value.trim() }),
          `Saved "${name.value.trim()}".`)) this.load();
      },
    }, field('Name', name), submit, message.el);
  }
}
