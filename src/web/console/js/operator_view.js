// What an operator key sees: accounts, pools and prices, units across accounts, faults and the
// server's whole state (reset, snapshots), with the server's clock in the top bar.

import { AccountsPanel } from './operator_accounts.js';
import { CapacityPanel } from './operator_capacity.js';
import { FaultsPanel } from './operator_faults.js';
import { ServerPanel } from './operator_server.js';
import { UnitsPanel } from './operator_units.js';
import { Tabs } from './tabs.js';

export class OperatorView {
  /** onReplaced(): the whole state was replaced (reset, restore): the clock is re-read too. */
  constructor(session, onReplaced = () => {}) {
    this.accounts = new AccountsPanel(session);
    this.tabs = new Tabs([
      { id: 'accounts', label: 'Accounts', panel: this.accounts },
      { id: 'capacity', label: 'Pools & prices', panel: new CapacityPanel(session) },
      { id: 'units', label: 'Units', panel: new UnitsPanel(session) },
      { id: 'faults', label: 'Faults', panel: new FaultsPanel(session) },
      { id: 'server', label: 'Server', panel: new ServerPanel(session, () => this.replaced(onReplaced)) },
    ]);
    this.el = this.tabs.el;
    this.tabs.show('accounts');
  }

  replaced(onReplaced) {
    this.accounts.detail.close();
    this.tabs.reload();
    onReplaced();
  }

  /** The virtual clock moved: lists are re-read; an open account is only marked stale. */
  clockAdvanced() {
    this.tabs.reload();
    this.accounts.detail.markStale();
  }
}
