// A tenant's services (DescribeServices on /v2/service), where the server offers them.

import { PATHS } from './api.js';
import { badge, card, fill, h, messageLine, table, unsupportedNotice } from './ui.js';

export class TenantServicesPanel {
  constructor(session) {
    this.session = session;
    this.message = messageLine();
    this.body = h('div', { id: 'tenant-services' });
    this.el = card('My services', {
      tools: [h('button', { class: 'ghost', onclick: () => this.load() }, 'Refresh')],
    }, this.message.el, this.body);
  }

  async load() {
    this.message.clear();
    try {
      const { services } = await this.session.call(PATHS.service, 'DescribeServices', { maxKeys: 100 });
      fill(this.body, table(['Service', 'Name', 'Status', 'Region / type', 'Replicas'], services, (s) => [
        h('code', { text: s.serviceId }), s.name, badge(s.runStatus),
        s.resourceConfig ? `${s.resourceConfig.region} / ${s.resourceConfig.type}` : '—',
        String(s.resourceConfig?.replicasCount ?? '—'),
      ], { empty: 'No services.' }));
    } catch (err) {
      if (err.unsupported) fill(this.body, unsupportedNotice('services (DescribeServices on /v2/service)'));
      else this.message.error(err);
    }
  }
}
