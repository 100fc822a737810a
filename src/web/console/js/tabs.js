// A row of tabs over panels; a panel is loaded each time its tab is shown, and stops its
// re-reads while hidden.

import { h } from './ui.js';

export class Tabs {
  /** panels: [{id, label, panel: {el, load(), stop()?}}]: load() when shown, stop() when hidden. */
  constructor(panels) {
    this.panels = panels;
    this.nav = h('nav', { class: 'tabs', role: 'tablist' });
    this.area = h('div', { class: 'tab-area' });
    for (const p of panels) {
      p.button = h('button', {
        role: 'tab', class: 'tab', id: `tab-${p.id}`, 'aria-controls': `panel-${p.id}`,
        onclick: () => this.show(p.id),
      }, p.label);
      p.wrapper = h('div', { role: 'tabpanel', id: `panel-${p.id}`, hidden: true }, p.panel.el);
      this.nav.append(p.button);
      this.area.append(p.wrapper);
    }
    this.el = h('div', { class: 'tabbed' }, this.nav, this.area);
  }

  show(id) {
    for (const p of this.panels) {
      const selected = p.id === id;
      p.wrapper.hidden = !selected;
      p.button.setAttribute('aria-selected', String(selected));
      if (selected) {
        this.current = p;
        p.panel.load();
      } else {
        p.panel.stop?.();  // a hidden panel does not keep re-reading itself
      }
    }
  }

  /** Re-read the visible panel (after the clock moved, say). */
  reload() {
    this.current?.panel.load();
  }
}
