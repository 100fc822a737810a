// A list read a page at a time with the API's marker/maxKeys paging, which a view re-reads
// (after an action, or while something in it changes state) without losing the pages a
// person asked for with "More": a re-read asks for as many rows as are shown.

import { h } from './ui.js';

export class PagedList {
  /**
   * fetchPage(marker, maxKeys) resolves {items, nextMarker}; page is the size of one "More";
   * max is the largest maxKeys the action accepts; onChange(items) redraws the list;
   * onError(err) shows a failed "More".
   */
  constructor({ fetchPage, page, max, onChange, onError }) {
    this.fetchPage = fetchPage;
    this.onError = onError;
    this.page = page;
    this.max = max;
    this.onChange = onChange;
    this.items = [];
    this.nextMarker = undefined;
    this.moreButton = h('button', { class: 'ghost', type: 'button', hidden: true, onclick: () => this.more() }, 'More');
    this.pager = h('div', { class: 'pager' }, this.moreButton);
  }

  /** The first rows again, as many as are shown (at least a page). */
  async reload() {
    const want = Math.min(this.max, Math.max(this.page, this.items.length));
    const { items, nextMarker } = await this.fetchPage(undefined, want);
    this.items = items;
    this.show(nextMarker);
  }

  /** The next page after what is shown. */
  async more() {
    if (!this.nextMarker) return;
    this.moreButton.disabled = true;
    try {
      const { items, nextMarker } = await this.fetchPage(this.nextMarker, this.page);
      this.items = [...this.items, ...items];
      this.show(nextMarker);
    } catch (err) {
      this.onError(err);
    } finally {
      this.moreButton.disabled = false;
    }
  }

  show(nextMarker) {
    this.nextMarker = nextMarker;
    this.moreButton.hidden = !nextMarker;
    this.onChange(this.items);
  }
}

const POLL_MS = 1000;

/**
 * A PagedList of one API action ({session, path, action, key: where the answer holds the
 * rows}) that is re-read every POLL_MS while a row is changing(row): only for reads that
 * settle nothing. Failures land in `message` (a messageLine).
 */
export class LiveList extends PagedList {
  constructor({ session, path, action, key, changing, message, ...options }) {
    super({
      ...options,
      fetchPage: async (marker, maxKeys) => {
        const r = await session.call(path, action, marker ? { marker, maxKeys } : { maxKeys });
        return { items: r[key], nextMarker: r.nextMarker };
      },
      onError: (err) => message.error(err),
    });
    this.changing = changing;
    this.message = message;
  }

  async load() {
    this.stop();
    try {
      await this.reload();
      this.message.clear();
      if (this.items.some(this.changing)) this.timer = setTimeout(() => this.load(), POLL_MS);
    } catch (err) {
      this.message.error(err);
    }
  }

  stop() {
    clearTimeout(this.timer);
  }
}
