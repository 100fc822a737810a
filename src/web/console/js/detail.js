// A card showing one thing a person opened (a unit, a service): read when opened, refreshed on
// demand, and re-read every POLL_MS while it is changing state. Only for reads that settle
// nothing (DescribeComputeUnit, DescribeService), so polling them is harmless.

import { act, h, messageLine } from './ui.js';

const POLL_MS = 1000;

export class DetailCard {
  // A subclass defines read(key) (resolves what to show), render(data) (draws it) and
  // changing(data) (still changing state, so read again soon).

  /** id: the card's element id; onChanged() is called after an action changed what is shown. */
  constructor(id, onChanged) {
    this.onChanged = onChanged;
    this.key = null;
    this.message = messageLine();
    this.title = h('h2');
    this.body = h('div');
    this.el = h('section', { class: 'card detail', id, hidden: true },
      h('header', { class: 'card-head' }, this.title, h('div', { class: 'tools' },
        h('button', { class: 'ghost', onclick: () => this.show() }, 'Refresh'),
        h('button', { class: 'ghost', onclick: () => this.close() }, 'Close'))),
      this.message.el, this.body);
  }

  open(key) {
    this.key = key;
    this.title.textContent = key;
    this.el.hidden = false;
    this.message.clear();
    this.show();
    this.el.scrollIntoView?.({ block: 'nearest' });
  }

  close() {
    this.stop();
    this.el.hidden = true;
    this.key = null;
  }

  stop() {
    clearTimeout(this.timer);
  }

  async show() {
    clearTimeout(this.timer);
    const key = this.key;
    if (!key) return;
    try {
      const data = await this.read(key);
      if (key !== this.key) return;  // another one was opened meanwhile
      this.render(data);
      if (this.changing(data)) this.timer = setTimeout(() => this.show(), POLL_MS);
    } catch (err) {
      this.message.error(err);
    }
  }

  /** After an action: this and the list it came from both changed. */
  async changed() {
    await this.show();
    this.onChanged();
  }

  /** Run an action for a button press; on success the card and its list are read again. */
  async run(button, work, success) {
    const result = await act(button, this.message, work, success);
    if (result !== undefined) this.changed();
    return result;
  }
}
