// What an operator key sees: accounts, units across accounts, pools and prices, faults, with
// the server's clock in the top bar.

import { AccountsPanel } from './operator_accounts.js';
import { CapacityPanel } from './operator_capacity.js';
import { FaultsPanel } from './operator_faults.js';
import { UnitsPanel } from './operator_units.js';
import { Tabs } from './tabs.js';

export class OperatorView {
  constructor(session) {
    this.accounts = new AccountsPanel(session);
    this.tabs = new Tabs([
      { id: 'accounts', label: 'Accounts', panel: this.accounts },
      { id: 'capacity', label: 'Pools & prices', panel: new CapacityPanel(session) },
      { id: 'units', label: 'Units', panel: new UnitsPanel(session) },
      { id: 'faults', label: 'Faults', panel: new FaultsPanel(session) },
    ]);
    this.el = this.tabs.el;
    this.tabs.show('accounts');
  }

  /** The virtual clock moved: lists are re-read; an open account is only marked stale. */
  clockAdvanced() {
    this.tabs.reload();
    this.accounts.detail.markStale();
  }
}
