// The server's clock in the top bar: always visible while an operator is signed in, with
// advance buttons that work on the virtual clock and are shown disabled on the system clock.
// DescribeClock is a pure read, so polling it is harmless (unlike DescribeAccount, which
// settles usage and is therefore never called on a timer).

import { PATHS } from './api.js';
import { addMonthUtc, fill, h, messageLine } from './ui.js';

const POLL_MS = 5000;

function formatClock(date) {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export class ClockBar {
  /** onAdvanced(nowIso) is called after this console moved the virtual clock. */
  constructor(container, session, onAdvanced) {
    this.container = container;
    this.session = session;
    this.onAdvanced = onAdvanced;
    this.mode = '';
    this.serverNow = null;  // the server's time at localAnchor
    this.localAnchor = 0;
    this.message = messageLine();
    this.timeEl = h('time', { id: 'clock-now', class: 'clock-now' });
    this.modeEl = h('span', { id: 'clock-mode', class: 'clock-mode' });
    // An hour and a day are fixed seconds; a month is a calendar month from the server's
    // current time, read afresh so that another operator's advance is not undone.
    this.buttons = [
      ['+1 hour', 'hour', async () => ({ seconds: 3600 })],
      ['+1 day', 'day', async () => ({ seconds: 86400 })],
      ['+1 month', 'month', async () => {
        await this.refresh();
        return { to: addMonthUtc(this.now()).toISOString().replace(/\.\d+Z$/, 'Z') };
      }],
    ].map(([label, name, request]) => h('button', {
      class: 'ghost', dataset: { advance: name }, disabled: true,
      onclick: (e) => this.advance(e.currentTarget, request),
    }, label));
    fill(container, this.modeEl, this.timeEl, h('span', { class: 'clock-buttons' }, this.buttons),
      this.message.el);
    container.hidden = false;
  }

  async start() {
    await this.refresh();
    // A hidden tab skips its polls (the shown time still ticks on the system clock).
    this.poll = setInterval(() => { if (!document.hidden) this.refresh(); }, POLL_MS);
    this.tick = setInterval(() => this.render(), 1000);
  }

  stop() {
    clearInterval(this.poll);
    clearInterval(this.tick);
    this.container.hidden = true;
    this.container.replaceChildren();
  }

  async refresh() {
    try {
      const { now, mode } = await this.session.call(PATHS.operator, 'DescribeClock');
      this.set(now, mode);
    } catch (err) {
      this.message.error(err);
    }
  }

  set(nowIso, mode = this.mode) {
    this.serverNow = new Date(nowIso);
    this.localAnchor = Date.now();
    this.mode = mode;
    this.render();
  }

  /** The server's time now: a virtual clock stands still; the system clock runs. */
  now() {
    if (!this.serverNow) return null;
    if (this.mode === 'virtual') return this.serverNow;
    return new Date(this.serverNow.getTime() + (Date.now() - this.localAnchor));
  }

  render() {
    const now = this.now();
    if (!now) return;
    this.timeEl.textContent = formatClock(now);
    this.timeEl.dateTime = now.toISOString();
    const virtual = this.mode === 'virtual';
    this.modeEl.textContent = virtual ? 'Virtual clock' : 'System clock';
    this.modeEl.className = `clock-mode ${virtual ? 'virtual' : 'system'}`;
    for (const b of this.buttons) {
      if (!b.dataset.busy) b.disabled = !virtual;
      b.title = virtual ? `Advance the virtual clock ${b.textContent.slice(1)}`
        : 'This server runs on the system clock; start it with --clock virtual to move time';
    }
  }

  async advance(button, request) {
    if (!this.serverNow) return;
    button.dataset.busy = '1';
    for (const b of this.buttons) b.disabled = true;
    this.message.clear();
    try {
      const body = await request();
      const { now } = await this.session.call(PATHS.operator, 'AdvanceClock', body);
      this.set(now);
      this.onAdvanced(now);
    } catch (err) {
      this.message.error(err);
    } finally {
      delete button.dataset.busy;
      this.render();
    }
  }
}
