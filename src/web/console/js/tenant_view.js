// What a tenant key sees: its units (buy, release, resize, auto-release, auto-renewal) and its
// services.

import { PATHS } from './api.js';
import { Tabs } from './tabs.js';
import { TenantServicesPanel } from './tenant_services.js';
import { TenantUnitsPanel } from './tenant_units.js';

// The account's service ids: DescribeServices where the server offers it, plus every id this
// tenant typed in this tab (a server without DescribeServices knows no other way to list them).
function serviceDirectory(session) {
  const remembered = new Set();
  return {
    async ids() {
      const ids = new Set();
      try {
        const { services } = await session.call(PATHS.service, 'DescribeServices', { maxKeys: 100 });
        for (const s of services) ids.add(s.serviceId);
      } catch (err) {
        if (!err.unsupported) throw err;
      }
      for (const id of remembered) ids.add(id);
      return [...ids];
    },
    remember(id) { remembered.add(id); },
  };
}

export class TenantView {
  constructor(session) {
    const services = serviceDirectory(session);
    this.units = new TenantUnitsPanel(session, services);
    this.tabs = new Tabs([
      { id: 'units', label: 'Units', panel: this.units },
      { id: 'services', label: 'Services', panel: new TenantServicesPanel(session) },
    ]);
    this.el = this.tabs.el;
    this.tabs.show('units');
  }

  stop() {
    this.units.stop();
  }
}
