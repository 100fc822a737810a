// A tenant's compute units: the list with status and times, buying (for a service, or plain
// units of a type), and per unit: release, resize, auto-release and auto-renewal.
// The list is read with the account-wide DescribeComputeUnits; a server without it is read
// service by service (the services the tenant named or that DescribeServices lists).
// Reads settle nothing, so the list is re-read every POLL_MS while a unit is changing state.

import { PATHS } from './api.js';
import { REGIONS, TRANSITIONAL, TYPES } from './catalog.js';
import { act, badge, card, field, fill, formatTime, h, messageLine, select, table } from './ui.js';

const POLL_MS = 1000;

export class TenantUnitsPanel {
  constructor(session, services) {
    this.session = session;
    this.services = services;  // {ids(): Promise<string[]>, remember(id)}
    this.message = messageLine();
    this.list = h('div', { id: 'tenant-units' });
    this.detail = new UnitDetail(session, () => this.load());
    this.el = h('div', { class: 'split' },
      h('div', { class: 'stack' },
        card('My units', { id: 'units', tools: [h('button', { class: 'ghost', onclick: () => this.load() }, 'Refresh')] },
          this.message.el, this.list),
        new BuyForm(session, services, (id) => { this.load(); this.detail.open(id); }).el),
      this.detail.el);
  }

  stop() {
    clearTimeout(this.timer);
    this.detail.stop();
  }

  async load() {
    clearTimeout(this.timer);
    try {
      const units = await this.fetchUnits();
      this.message.clear();
      this.render(units);
      if (units.some((u) => TRANSITIONAL.has(u.status))) {
        this.timer = setTimeout(() => this.load(), POLL_MS);
      }
    } catch (err) {
      this.message.error(err);
    }
  }

  async fetchUnits() {
    try {
      const { computeUnitInstanceList } = await this.session.call(PATHS.computeUnit, 'DescribeComputeUnits', {});
      return computeUnitInstanceList;
    } catch (err) {
      if (!err.unsupported) throw err;
    }
    // Service by service: the coarse list of each (Creating, Running or Deleted).
    const units = [];
    for (const serviceId of await this.services.ids()) {
      const { instances } = await this.session.call(PATHS.serviceResources, 'DescribeComputeUnits', { serviceId });
      for (const i of instances) units.push({ ...i, serviceId });
    }
    return units;
  }

  render(units) {
    fill(this.list, table(['Unit', 'Status', 'Payment', 'Units', 'Region / type', 'Started', 'Expires / releases'],
      units, (u) => [
        h('code', { text: u.instanceId }), h('span', { dataset: { unitStatus: u.instanceId } }, badge(u.status)),
        u.paymentTiming,
        u.totalComputeUnits !== undefined ? `${u.totalComputeUnits}` : `${u.replicasCount} repl.`,
        u.type ? `${u.region} / ${u.type}` : (u.serviceId ? `for ${u.serviceId}` : '—'),
        formatTime(u.startTime), formatTime(u.expiredTime || u.releaseTime),
      ], {
        empty: 'No units yet: buy one below.',
        onRowClick: (u) => this.detail.open(u.instanceId, u.serviceId),
      }));
  }
}

class BuyForm {
  constructor(session, services, onBought) {
    const message = messageLine();
    const kind = select('kind', [['service', 'For a service'], ['units', 'Units of a type']], 'service');
    const serviceId = h('input', { name: 'serviceId', required: true, maxlength: 64, list: 'known-services', placeholder: 'svco-…' });
    const serviceList = h('datalist', { id: 'known-services' });
    const replicas = h('input', { name: 'replicasCount', type: 'number', min: 1, value: 1, required: true });
    const type = select('type', TYPES, 'gpu-1');
    const region = select('region', [['', 'most free'], ...REGIONS], '');
    const count = h('input', { name: 'computeUnitCount', type: 'number', min: 1, value: 1, required: true });
    const payment = select('paymentTiming', ['Postpaid', 'Prepaid'], 'Postpaid');
    const months = h('input', { name: 'reservationLength', type: 'number', min: 1, max: 12, value: 1 });
    const autoRenew = h('input', { name: 'autoRenew', type: 'checkbox' });
    const renewMonths = h('input', { name: 'autoRenewTime', type: 'number', min: 1, max: 6, value: 1 });
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Buy');

    const forService = h('div', { class: 'grid-form' }, field('Service', serviceId), field('Replicas', replicas), serviceList);
    const forUnits = h('div', { class: 'grid-form', hidden: true }, field('Type', type), field('Region', region), field('Units', count));
    const prepaid = h('div', { class: 'grid-form', hidden: true }, field('Months', months),
      h('label', { class: 'check' }, autoRenew, ' Renew automatically'), field('Renew by (months)', renewMonths));
    const sync = () => {
      forService.hidden = kind.value !== 'service';
      forUnits.hidden = kind.value !== 'units';
      serviceId.required = kind.value === 'service';
      prepaid.hidden = payment.value !== 'Prepaid';
    };
    kind.addEventListener('change', sync);
    payment.addEventListener('change', sync);
    services.ids().then((ids) => {
      fill(serviceList, ids.map((id) => h('option', { value: id })));
      if (ids.length && !serviceId.value) serviceId.value = ids[0];
    });

    const purchase = () => {
      const billing = { paymentTiming: payment.value };
      if (payment.value === 'Prepaid') {
        billing.reservation = {
          reservationTimeUnit: 'Month', reservationLength: Number(months.value),
          autoRenew: autoRenew.checked, autoRenewTimeUnit: 'Month', autoRenewTime: Number(renewMonths.value),
        };
      }
      if (kind.value === 'service') {
        const id = serviceId.value.trim();
        return session.call(PATHS.serviceResources, 'PurchaseComputeUnit',
          { serviceId: id, replicasCount: Number(replicas.value), billing })
          .then((r) => { services.remember(id); return r; });
      }
      const computeUnitConfig = { type: type.value };
      if (region.value) computeUnitConfig.region = region.value;
      return session.call(PATHS.computeUnit, 'PurchaseComputeUnit',
        { computeUnitCount: Number(count.value), computeUnitConfig, billing });
    };
    this.el = card('Buy', { id: 'buy' }, h('form', {
      class: 'stack',
      onsubmit: async (e) => {
        e.preventDefault();
        const bought = await act(submit, message, purchase, (r) => `Bought ${r.instanceId}: it is Creating.`);
        if (bought) onBought(bought.instanceId);
      },
    }, h('div', { class: 'grid-form' }, field('What', kind), field('Payment', payment)),
    forService, forUnits, prepaid, h('div', { class: 'actions' }, submit), message.el));
  }
}

// One unit, opened by a person: its detail (DescribeComputeUnit) and what can be done to it.
class UnitDetail {
  constructor(session, onChanged) {
    this.session = session;
    this.onChanged = onChanged;
    this.message = messageLine();
    this.title = h('h2', { text: 'Unit' });
    this.body = h('div');
    this.el = h('section', { class: 'card detail', id: 'unit-detail', hidden: true },
      h('header', { class: 'card-head' }, this.title, h('div', { class: 'tools' },
        h('button', { class: 'ghost', onclick: () => this.show() }, 'Refresh'),
        h('button', { class: 'ghost', onclick: () => this.close() }, 'Close'))),
      this.message.el, this.body);
  }

  open(instanceId, serviceId) {
    this.instanceId = instanceId;
    this.serviceId = serviceId;
    this.el.hidden = false;
    this.message.clear();
    this.show();
  }

  close() {
    this.stop();
    this.el.hidden = true;
    this.instanceId = null;
  }

  stop() {
    clearTimeout(this.timer);
  }

  async show() {
    clearTimeout(this.timer);
    const instanceId = this.instanceId;
    if (!instanceId) return;
    try {
      const detail = await this.session.call(PATHS.computeUnit, 'DescribeComputeUnit', { instanceId });
      if (instanceId !== this.instanceId) return;
      this.render(detail.computeUnitInstance, detail.serviceUsageList || []);
      if (TRANSITIONAL.has(detail.computeUnitInstance.status)) {
        this.timer = setTimeout(() => this.show(), POLL_MS);
      }
    } catch (err) {
      this.message.error(err);
    }
  }

  // After an action: the unit and the list both changed.
  async changed() {
    await this.show();
    this.onChanged();
  }

  render(u, services) {
    this.title.textContent = u.instanceId;
    const live = !['Released', 'Releasing', 'CreateFailed'].includes(u.status);
    const facts = [
      ['Status', badge(u.status)], ['Region / type', `${u.region} / ${u.type}`],
      ['Units', `${u.totalComputeUnits} (${u.usedComputeUnits} used)`], ['Payment', u.paymentTiming],
      ['Started', formatTime(u.startTime)], ['Expires', formatTime(u.expiredTime)],
      ['Releases at', formatTime(u.releaseTime)], ['Created by', u.creator || '—'],
    ];
    if (u.paymentTiming === 'Prepaid') {
      facts.push(['Reservation', `${u.reservationLength} month(s)`],
        ['Auto-renewal', u.autoRenew ? `every ${u.autoRenew.renewTime} month(s)` : 'off']);
    }
    fill(this.body,
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)])),
      live ? this.actions(u) : h('p', { class: 'hint', text: 'This unit has ended; nothing more can be done to it.' }),
      h('h3', { text: 'Services on this unit' }),
      table(['Service', 'Status', 'Units deployed'], services, (s) => [
        h('span', {}, s.serviceName, ' ', h('code', { text: s.serviceId })),
        h('span', {}, badge(s.runStatus), s.scaleStatus ? [' ', badge(s.scaleStatus)] : null),
        String(s.deployedComputingUnits),
      ], { empty: 'No service runs on it.' }));
  }

  actions(u) {
    const message = this.message;
    const call = (path, action, body) => this.session.call(path, action, { instanceId: u.instanceId, ...body });
    const run = (button, work, success) => act(button, message, work, success).then((r) => {
      if (r !== undefined) this.changed();
    });
    const blocks = [];
    if (u.paymentTiming === 'Postpaid') {
      blocks.push(h('button', {
        class: 'danger', id: 'release-unit', type: 'button',
        onclick: (e) => run(e.currentTarget, () => call(PATHS.computeUnit, 'ReleaseComputeUnit'), 'Released.'),
      }, 'Release now'));
      const when = h('input', { name: 'releaseTime', type: 'datetime-local', step: 1 });
      blocks.push(h('form', {
        class: 'inline-form',
        onsubmit: (e) => {
          e.preventDefault();
          const t = new Date(when.value);  // the browser's local time, sent as UTC
          if (Number.isNaN(t.getTime())) return message.error({ code: 'InvalidInput', message: 'choose a date and time' });
          run(e.submitter, () => call(PATHS.computeUnit, 'AutoReleaseComputeUnit',
            { releaseTime: t.toISOString().replace(/\.\d+Z$/, 'Z') }), 'Release scheduled.');
        },
      }, field('Release at (your local time)', when), h('button', { class: 'ghost', type: 'submit' }, 'Schedule'),
      u.releaseTime ? h('button', {
        class: 'ghost', type: 'button',
        onclick: (e) => run(e.currentTarget, () => call(PATHS.computeUnit, 'AutoReleaseComputeUnit', { releaseTime: '' }), 'Schedule cleared.'),
      }, 'Clear schedule') : null));
    }
    const size = h('input', { name: 'count', type: 'number', min: 1, value: u.totalComputeUnits });
    blocks.push(h('form', {
      class: 'inline-form',
      onsubmit: (e) => {
        e.preventDefault();
        run(e.submitter, () => call(PATHS.computeUnit, 'ResizeComputeUnit', { count: Number(size.value) }),
          'Resizing: the unit is Reconfiguring.');
      },
    }, field('Size (units)', size), h('button', { class: 'ghost', type: 'submit' }, 'Resize')));
    if (u.paymentTiming === 'Prepaid') {
      const months = h('input', { name: 'autoRenewTime', type: 'number', min: 1, max: 6, value: u.autoRenew?.renewTime || 1 });
      blocks.push(h('form', {
        class: 'inline-form',
        onsubmit: (e) => {
          e.preventDefault();
          run(e.submitter, () => call(PATHS.charge, 'CreateAutoRenewRules', {
            instanceType: 'ComputingUnit', autoRenewTimeUnit: 'Month', autoRenewTime: Number(months.value),
          }), 'Auto-renewal on.');
        },
      }, field('Renew by (months)', months), h('button', { class: 'ghost', type: 'submit' }, u.autoRenew ? 'Change renewal' : 'Renew automatically'),
      u.autoRenew ? h('button', {
        class: 'ghost', type: 'button',
        onclick: (e) => run(e.currentTarget, () => call(PATHS.charge, 'DeleteAutoRenewRules'), 'Auto-renewal off.'),
      }, 'Stop renewing') : null));
    }
    return h('div', { class: 'unit-actions' }, blocks);
  }
}
