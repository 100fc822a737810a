// What a tenant key sees: its units (buy, release, resize, auto-release, auto-renewal) and its
// services (scale, deactivate).

import { PATHS } from './api.js';
import { Tabs } from './tabs.js';
import { TenantServicesPanel } from './tenant_services.js';
import { TenantUnitsPanel } from './tenant_units.js';

// The account's service ids, offered when buying for a service (the first page is enough for
// a suggestion list: any other id may still be typed). None when they cannot be read.
function serviceDirectory(session) {
  return {
    async ids() {
      try {
        const { services } = await session.call(PATHS.service, 'DescribeServices', { maxKeys: 100 });
        return services.map((s) => s.serviceId);
      } catch {
        return [];
      }
    },
  };
}

export class TenantView {
  constructor(session) {
    this.units = new TenantUnitsPanel(session, serviceDirectory(session), (id) => this.openService(id));
    this.services = new TenantServicesPanel(session);
    this.tabs = new Tabs([
      { id: 'units', label: 'Units', panel: this.units },
      { id: 'services', label: 'Services', panel: this.services },
    ]);
    this.el = this.tabs.el;
    this.tabs.show('units');
  }

  // A service named on a unit's page, opened in the Services tab.
  openService(serviceId) {
    this.tabs.show('services');
    this.services.detail.open(serviceId);
  }

  stop() {
    this.units.stop();
    this.services.stop();
  }
}
