// A tenant's compute units: the account-wide list (DescribeComputeUnits, a page at a time)
// with status and times, buying (for a service, or plain units of a type), and per unit:
// release, resize, auto-release and auto-renewal.
// Reads settle nothing, so the list and an open unit are re-read while a unit changes state.

import { PATHS } from './api.js';
import { billingFields } from './billing_fields.js';
import { REGIONS, RESIZABLE, TRANSITIONAL, TYPES } from './catalog.js';
import { DetailCard } from './detail.js';
import { LiveList } from './paged.js';
import { act, badge, card, field, fill, formatTime, h, messageLine, select, table } from './ui.js';

const PAGE = 50;
const MAX_KEYS = 1000;  // the most DescribeComputeUnits gives in one answer
// A unit in one of these states is over: nothing can be done to it any more.
const ENDED = new Set(['Released', 'Releasing', 'CreateFailed']);

export class TenantUnitsPanel {
  /** services.ids() lists service ids for the Buy form; openService(id) shows one. */
  constructor(session, services, openService) {
    this.message = messageLine();
    this.list = h('div', { id: 'tenant-units' });
    this.units = new LiveList({
      session, path: PATHS.computeUnit, action: 'DescribeComputeUnits', key: 'computeUnitInstanceList',
      page: PAGE, max: MAX_KEYS, message: this.message,
      changing: (u) => TRANSITIONAL.has(u.status),
      onChange: (units) => this.render(units),
    });
    this.detail = new UnitDetail(session, () => this.units.load(), openService);
    this.el = h('div', { class: 'split' },
      h('div', { class: 'stack' },
        card('My units', { id: 'units', tools: [h('button', { class: 'ghost', onclick: () => this.units.load() }, 'Refresh')] },
          this.message.el, this.list, this.units.pager),
        new BuyForm(session, services, (id) => { this.units.load(); this.detail.open(id); }).el),
      this.detail.el);
  }

  stop() {
    this.units.stop();
    this.detail.stop();
  }

  // The list, and the unit that is open (shown again after its tab was hidden).
  load() {
    this.detail.show();
    return this.units.load();
  }

  render(units) {
    // Two lines in a cell where that keeps the table narrow enough to sit beside an open unit.
    const ends = (u) => (u.expiredTime ? `expires ${formatTime(u.expiredTime)}`
      : u.releaseTime ? `releases ${formatTime(u.releaseTime)}` : '');
    fill(this.list, table(['Unit', 'Status', 'Units (used)', 'Started / ends'],
      units, (u) => [
        h('div', { class: 'cell-stack' }, h('code', { text: u.instanceId }), h('span', { class: 'hint', text: `${u.region} / ${u.type}` })),
        h('div', { class: 'cell-stack' }, h('span', { dataset: { unitStatus: u.instanceId } }, badge(u.status)),
          h('span', { class: 'hint', text: u.paymentTiming })),
        `${u.totalComputeUnits} (${u.usedComputeUnits})`,
        h('div', { class: 'cell-stack' }, formatTime(u.startTime), h('span', { class: 'hint', text: ends(u) })),
      ], {
        empty: 'No units yet: buy one below.',
        onRowClick: (u) => this.detail.open(u.instanceId),
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
    const billingForm = billingFields();
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Buy');

    const forService = h('div', { class: 'grid-form' }, field('Service', serviceId), field('Replicas', replicas), serviceList);
    const forUnits = h('div', { class: 'grid-form', hidden: true }, field('Type', type), field('Region', region), field('Units', count));
    kind.addEventListener('change', () => {
      forService.hidden = kind.value !== 'service';
      forUnits.hidden = kind.value !== 'units';
      serviceId.required = kind.value === 'service';
    });
    services.ids().then((ids) => {
      fill(serviceList, ids.map((id) => h('option', { value: id })));
      if (ids.length && !serviceId.value) serviceId.value = ids[0];
    });

    const purchase = () => {
      const billing = billingForm.value();
      if (kind.value === 'service') {
        return session.call(PATHS.serviceResources, 'PurchaseComputeUnit',
          { serviceId: serviceId.value.trim(), replicasCount: Number(replicas.value), billing });
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
    }, h('div', { class: 'grid-form' }, field('What', kind), billingForm.payment),
    forService, forUnits, billingForm.prepaid, h('div', { class: 'actions' }, submit), message.el));
  }
}

// One unit, opened by a person: its detail (DescribeComputeUnit) and what can be done to it.
class UnitDetail extends DetailCard {
  constructor(session, onChanged, openService) {
    super('unit-detail', onChanged);
    this.session = session;
    this.openService = openService;
  }

  read(instanceId) {
    return this.session.call(PATHS.computeUnit, 'DescribeComputeUnit', { instanceId });
  }

  changing(detail) {
    return TRANSITIONAL.has(detail.computeUnitInstance.status);
  }

  render({ computeUnitInstance: u, serviceUsageList: services = [] }) {
    this.title.textContent = u.instanceId;
    const facts = [
      ['Status', h('span', { id: 'unit-status' }, badge(u.status))], ['Region / type', `${u.region} / ${u.type}`],
      ['Units', h('span', { id: 'unit-size', text: `${u.totalComputeUnits} (${u.usedComputeUnits} used)` })],
      ['Payment', u.paymentTiming],
      ['Started', formatTime(u.startTime)], ['Created by', u.creator || '—'],
    ];
    if (u.paymentTiming === 'Postpaid') {
      facts.push(['Releases at', h('span', { id: 'unit-release-time', text: formatTime(u.releaseTime) })]);
    } else {
      facts.push(['Expires', formatTime(u.expiredTime)], ['Reservation', `${u.reservationLength} month(s)`],
        ['Auto-renewal', h('span', { id: 'unit-auto-renew', text: u.autoRenew ? `every ${u.autoRenew.renewTime} month(s)` : 'off' })]);
    }
    fill(this.body,
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)])),
      ENDED.has(u.status) ? h('p', { class: 'hint', text: 'This unit has ended; nothing more can be done to it.' })
        : h('div', { class: 'unit-actions' }, this.actions(u)),
      h('h3', { text: 'Services on this unit' }),
      table(['Service', 'Status', 'Units deployed'], services, (s) => [
        h('span', {}, s.serviceName, ' ', h('code', { text: s.serviceId })),
        h('span', {}, badge(s.runStatus), s.scaleStatus ? [' ', badge(s.scaleStatus)] : null),
        String(s.deployedComputingUnits),
      ], { empty: 'No service runs on it.', onRowClick: (s) => this.openService(s.serviceId) }));
  }

  // What fits the unit: release and its schedule for Postpaid, auto-renewal for Prepaid, and
  // a resize where the unit can take one (Running, or after a failed reconfiguration).
  actions(u) {
    const call = (path, action, body) => this.session.call(path, action, { instanceId: u.instanceId, ...body });
    const run = (button, work, success) => this.run(button, work, success);
    return [
      u.paymentTiming === 'Postpaid' ? this.releaseControls(u, call, run) : null,
      RESIZABLE.has(u.status) ? this.resizeForm(u, call, run) : null,
      u.paymentTiming === 'Prepaid' ? this.renewalForm(u, call, run) : null,
    ];
  }

  releaseControls(u, call, run) {
    const release = h('button', {
      class: 'danger', id: 'release-unit', type: 'button',
      onclick: (e) => {
        // Releasing ends every service on the unit at once and cannot be undone.
        if (!window.confirm(`Release ${u.instanceId} now? Its services lose the replicas on it.`)) return;
        run(e.currentTarget, () => call(PATHS.computeUnit, 'ReleaseComputeUnit'), 'Released.');
      },
    }, 'Release now');
    const when = h('input', { name: 'releaseTime', type: 'datetime-local', step: 1 });
    const schedule = h('form', {
      class: 'inline-form', id: 'auto-release',
      onsubmit: (e) => {
        e.preventDefault();
        const t = new Date(when.value);  // the browser's local time, sent as UTC
        if (Number.isNaN(t.getTime())) return this.message.error({ code: 'InvalidInput', message: 'choose a date and time' });
        run(e.submitter, () => call(PATHS.computeUnit, 'AutoReleaseComputeUnit',
          { releaseTime: t.toISOString().replace(/\.\d+Z$/, 'Z') }), 'Release scheduled.');
      },
    }, field('Release at (your local time)', when), h('button', { class: 'ghost', type: 'submit' }, 'Schedule'),
    u.releaseTime ? h('button', {
      class: 'ghost', type: 'button', id: 'clear-release',
      onclick: (e) => run(e.currentTarget, () => call(PATHS.computeUnit, 'AutoReleaseComputeUnit', { releaseTime: '' }), 'Schedule cleared.'),
    }, 'Clear schedule') : null);
    return [release, schedule];
  }

  resizeForm(u, call, run) {
    const size = h('input', { name: 'count', type: 'number', min: 1, max: 100000, value: u.totalComputeUnits, required: true });
    return h('form', {
      class: 'inline-form', id: 'resize-unit',
      onsubmit: (e) => {
        e.preventDefault();
        run(e.submitter, () => call(PATHS.computeUnit, 'ResizeComputeUnit', { count: Number(size.value) }),
          'Resizing: the unit is Reconfiguring.');
      },
    }, field('Size after the change (units)', size), h('button', { class: 'ghost', type: 'submit' }, 'Resize'));
  }

  renewalForm(u, call, run) {
    const months = h('input', { name: 'autoRenewTime', type: 'number', min: 1, max: 6, value: u.autoRenew?.renewTime || 1, required: true });
    return h('form', {
      class: 'inline-form', id: 'auto-renew',
      onsubmit: (e) => {
        e.preventDefault();
        run(e.submitter, () => call(PATHS.charge, 'CreateAutoRenewRules', {
          instanceType: 'ComputingUnit', autoRenewTimeUnit: 'Month', autoRenewTime: Number(months.value),
        }), `Auto-renewal on: ${months.value} month(s) at each expiry.`);
      },
    }, field('Renew by (months)', months),
    h('button', { class: 'ghost', type: 'submit' }, u.autoRenew ? 'Change renewal' : 'Renew automatically'),
    u.autoRenew ? h('button', {
      class: 'ghost', type: 'button', id: 'stop-renewing',
      onclick: (e) => run(e.currentTarget, () => call(PATHS.charge, 'DeleteAutoRenewRules'), 'Auto-renewal off: the unit ends at its expiry.'),
    }, 'Stop renewing') : null);
  }
}
