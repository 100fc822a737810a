// A tenant's services (/v2/service): the list a page at a time (DescribeServices), and one
// service opened by a person (DescribeService): its deployments, each scaled in place or on
// another unit (ScaleService), and its deactivation (DeactivateService).
// Reads settle nothing, so the list and an open service are re-read while they change state.

import { PATHS } from './api.js';
import { billingFields } from './billing_fields.js';
import { REGIONS, RESIZABLE, SERVICE_TRANSITIONAL, TYPES } from './catalog.js';
import { DetailCard } from './detail.js';
import { LiveList } from './paged.js';
import { act, badge, card, field, fill, formatTime, h, messageLine, select, table } from './ui.js';

const PAGE = 20;
const MAX_KEYS = 100;  // DescribeServices reads anything above as 100

export class TenantServicesPanel {
  constructor(session) {
    this.message = messageLine();
    this.list = h('div', { id: 'tenant-services' });
    this.services = new LiveList({
      session, path: PATHS.service, action: 'DescribeServices', key: 'services',
      page: PAGE, max: MAX_KEYS, message: this.message,
      changing: (s) => SERVICE_TRANSITIONAL.has(s.runStatus),
      onChange: (services) => this.render(services),
    });
    this.detail = new ServiceDetail(session, () => this.reloadLists());
    this.create = new NewServiceForm(session, (serviceId) => { this.reloadLists(); this.detail.open(serviceId); });
    this.el = h('div', { class: 'split' },
      h('div', { class: 'stack' },
        card('My services', {
          id: 'services',
          tools: [h('button', { class: 'ghost', onclick: () => this.reloadLists() }, 'Refresh')],
        }, this.message.el, this.list, this.services.pager),
        this.create.el),
      this.detail.el);
  }

  stop() {
    this.services.stop();
    this.detail.stop();
  }

  // The list, the units a new service may start on, and the service that is open.
  load() {
    this.detail.show();
    return this.reloadLists();
  }

  // After a change: what a service holds changes the units' room too.
  reloadLists() {
    this.create.load();
    return this.services.load();
  }

  render(services) {
    fill(this.list, table(['Service', 'Name', 'Status', 'Region / type', 'Replicas', 'Payment'], services, (s) => [
      h('code', { text: s.serviceId }), s.name,
      h('span', { dataset: { serviceStatus: s.serviceId } }, badge(s.runStatus)),
      `${s.resourceConfig.region} / ${s.resourceConfig.type}`,
      h('span', { dataset: { serviceReplicas: s.serviceId }, text: String(s.resourceConfig.replicasCount) }),
      payment(s.payType),
    ], {
      empty: 'No services.',
      onRowClick: (s) => this.detail.open(s.serviceId),
    }));
  }
}

// CreateService, on one of the caller's Running units (the service takes its region and type)
// or on a new unit bought for it in the same call (region, type, units per replica, billing).
class NewServiceForm {
  constructor(session, onCreated) {
    this.session = session;
    this.message = messageLine();
    this.unit = select('instanceId', []);
    this.where = select('where', [['existing', 'On one of my units'], ['new', 'On a new unit']], 'existing');
    const name = h('input', { name: 'name', required: true, minlength: 2, maxlength: 20 });
    const replicas = h('input', { name: 'replicasCount', type: 'number', min: 1, max: 100000, value: 1, required: true });
    const perReplica = h('input', { name: 'replicaComputeUnitCount', type: 'number', min: 1, max: 100000, value: 1, required: true });
    const region = select('region', [['', 'most free'], ...REGIONS], '');
    const type = select('type', TYPES, 'gpu-1');
    const perReplicaNew = select('unitsPerReplica', ['1', '2', '4', '8'], '1');
    const billing = billingFields();
    this.existing = h('div', { class: 'grid-form' }, field('On unit', this.unit), field('Units per replica', perReplica));
    const fresh = h('div', { class: 'stack', hidden: true },
      h('div', { class: 'grid-form' }, field('Region', region), field('Unit type', type),
        field('Units per replica', perReplicaNew), billing.payment),
      billing.prepaid);
    this.where.addEventListener('change', () => {
      this.existing.hidden = this.where.value !== 'existing';
      fresh.hidden = this.where.value !== 'new';
    });
    const body = () => {
      if (this.where.value === 'existing') {
        return {
          deploymentConfig: {
            deploymentComputeUnitList: [{ instanceId: this.unit.value, deploymentReplicasCount: Number(replicas.value) }],
            replicaComputeUnitCount: Number(perReplica.value),
          },
        };
      }
      const serviceType = type.value === 'cpu' ? 'CPU-1-1' : `${type.value.toUpperCase()}-${perReplicaNew.value}`;
      const resourceConfig = { type: serviceType, replicasCount: Number(replicas.value) };
      if (region.value) resourceConfig.region = region.value;
      return { resourceConfig, billing: billing.value() };
    };
    const submit = h('button', { class: 'primary', type: 'submit' }, 'Create service');
    const form = h('form', {
      class: 'stack',
      onsubmit: async (e) => {
        e.preventDefault();
        const created = await act(submit, this.message,
          () => session.call(PATHS.service, 'CreateService', { name: name.value.trim(), ...body() }),
          (r) => `Created ${r.serviceId}.`);
        if (created) { name.value = ''; onCreated(created.serviceId); }
      },
    }, h('div', { class: 'grid-form' }, field('Name (2–20 characters)', name), field('Where', this.where),
      field('Replicas', replicas)),
    this.existing, fresh, h('div', { class: 'actions' }, submit));
    this.el = card('New service', { id: 'new-service' }, form, this.message.el);
  }

  // The units a service can start on: the caller's Running ones (with their free units).
  async load() {
    try {
      const { computeUnitInstanceList: units } = await this.session.call(PATHS.computeUnit, 'DescribeComputeUnits', {});
      const usable = units.filter((u) => RESIZABLE.has(u.status));
      const chosen = this.unit.value;
      fill(this.unit, usable.map((u) => h('option', { value: u.instanceId, selected: u.instanceId === chosen },
        `${u.instanceId} · ${u.region} / ${u.type} · ${u.totalComputeUnits - u.usedComputeUnits} free`)));
      // With no unit to start on, only a new unit is offered.
      this.where.options[0].disabled = usable.length === 0;
      if (usable.length === 0 && this.where.value === 'existing') {
        this.where.value = 'new';
        this.where.dispatchEvent(new Event('change'));
      }
    } catch (err) {
      this.message.error(err);
    }
  }
}

/** "GPU-1-2" -> {unitType: "gpu-1", perReplica: 2}; "CPU-1-1" -> {unitType: "cpu", ...}. */
function parseServiceType(type) {
  const m = /^(GPU|CPU)-(\d+)-(\d+)$/.exec(type || '');
  if (!m) return null;
  return { unitType: m[1] === 'CPU' ? 'cpu' : `gpu-${m[2]}`, perReplica: Number(m[3]) };
}

function payment(payType) {
  const names = { Prepay: 'Prepaid', Postpay: 'Postpaid' };
  return payType ? payType.split(',').map((p) => names[p] || p).join(' + ') : '—';
}

// A service that takes no replicas any more: it is being or has been deactivated.
const STOPPING = new Set(['Deactivating', 'Stopped', 'DeactivationFailed']);
const SCALING = new Set(['ScalingOut', 'ScalingIn']);

// One service, opened by a person.
class ServiceDetail extends DetailCard {
  constructor(session, onChanged) {
    super('service-detail', onChanged);
    this.session = session;
  }

  // The service, and the caller's units it could be deployed on (its region and type).
  async read(serviceId) {
    const service = await this.session.call(PATHS.service, 'DescribeService', { serviceId });
    const kind = parseServiceType(service.resourceConfig.type);
    let units = [];
    if (kind && !STOPPING.has(service.runStatus)) {
      const r = await this.session.call(PATHS.computeUnit, 'DescribeComputeUnits',
        { region: service.resourceConfig.region, type: kind.unitType });
      units = r.computeUnitInstanceList.filter((u) => RESIZABLE.has(u.status));
    }
    return { service, kind, units };
  }

  changing({ service }) {
    return SERVICE_TRANSITIONAL.has(service.runStatus) || service.deployments.some((d) => SCALING.has(d.scaleStatus));
  }

  render({ service: s, kind, units }) {
    this.title.textContent = s.name;
    const stopping = STOPPING.has(s.runStatus);
    const facts = [
      ['Service', h('code', { text: s.serviceId })],
      ['Status', h('span', { id: 'service-status' }, badge(s.runStatus))],
      ['Region / type', `${s.resourceConfig.region} / ${s.resourceConfig.type}`],
      ['Per replica', kind ? `${kind.perReplica} ${kind.unitType} unit(s)` : '—'],
      ['Replicas', h('span', { id: 'service-replicas', text: String(s.resourceConfig.replicasCount) })],
      ['Payment', payment(s.payType)], ['Created', formatTime(s.createTime)], ['Created by', s.creator || '—'],
    ];
    if (s.description) facts.push(['Description', s.description]);
    fill(this.body,
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)])),
      h('h3', { text: 'Deployments' }),
      // Three columns, so that the scale form fits beside them on a phone.
      table(['Unit', 'Replicas', stopping ? '' : 'Scale to'], s.deployments, (d) => [
        h('div', { class: 'cell-stack' }, h('code', { text: d.instanceId }),
          h('span', { dataset: { deploymentScale: d.instanceId } }, d.scaleStatus ? badge(d.scaleStatus) : null)),
        h('div', { class: 'cell-stack' }, h('span', { dataset: { deploymentReplicas: d.instanceId }, text: String(d.deploymentReplicasCount) }),
          h('span', { class: 'hint', text: `${d.deployedComputingUnits} unit(s) held` })),
        stopping ? '' : this.scaleForm(s, d.instanceId, d.deploymentReplicasCount),
      ], { empty: 'Not deployed on any unit.' }),
      stopping ? null : this.deployForm(s, kind, units),
      stopping && s.runStatus !== 'DeactivationFailed' ? null : this.deactivateButton(s),
      s.runStatus === 'Stopped'
        ? h('p', { class: 'hint', text: 'This service is stopped. Its units were not released: they keep billing until you release them (Units).' })
        : null);
  }

  // ScaleService: the deployment on `instanceId` becomes exactly `replicas` replicas.
  scaleForm(s, instanceId, replicas) {
    const count = h('input', { name: 'deploymentReplicasCount', type: 'number', min: 0, max: 100000, value: replicas, required: true });
    return h('form', {
      class: 'row-form', dataset: { scale: instanceId },
      onsubmit: (e) => {
        e.preventDefault();
        this.scale(e.submitter, s.serviceId, instanceId, Number(count.value));
      },
    }, count, h('button', { class: 'ghost', type: 'submit' }, 'Scale'));
  }

  scale(button, serviceId, instanceId, replicas) {
    return this.run(button, () => this.session.call(PATHS.service, 'ScaleService',
      { serviceId, instanceId, deploymentReplicasCount: replicas }),
    `Scaling to ${replicas} replica(s) on ${instanceId}.`);
  }

  // A deployment on another of the caller's units of the service's region and type.
  deployForm(s, kind, units) {
    const deployed = new Set(s.deployments.map((d) => d.instanceId));
    const free = units.filter((u) => !deployed.has(u.instanceId));
    if (free.length === 0) {
      return h('p', { class: 'hint', text: `To run it on another unit, buy ${kind ? kind.unitType : 'a'} unit(s) in ${s.resourceConfig.region} (Units).` });
    }
    const unit = select('instanceId', free.map((u) => [u.instanceId,
      `${u.instanceId} · ${u.totalComputeUnits - u.usedComputeUnits} of ${u.totalComputeUnits} free`]), free[0].instanceId);
    const count = h('input', { name: 'replicas', type: 'number', min: 1, max: 100000, value: 1, required: true });
    return h('form', {
      class: 'inline-form', id: 'deploy-service',
      onsubmit: (e) => {
        e.preventDefault();
        this.scale(e.submitter, s.serviceId, unit.value, Number(count.value));
      },
    }, field('Deploy on unit', unit), field('Replicas', count), h('button', { class: 'ghost', type: 'submit' }, 'Deploy'));
  }

  deactivateButton(s) {
    return h('div', { class: 'actions wrap' }, h('button', {
      class: 'danger', type: 'button', id: 'deactivate-service',
      onclick: (e) => {
        if (!window.confirm(`Deactivate ${s.name}? Every replica stops; its units are not released and keep billing.`)) return;
        // The API's own message says what happens to the units; it is shown as it is.
        this.run(e.currentTarget, () => this.session.call(PATHS.service, 'DeactivateService', { serviceId: s.serviceId }),
          (r) => r.message || 'Deactivating.');
      },
    }, s.runStatus === 'DeactivationFailed' ? 'Retry deactivation' : 'Deactivate'));
  }
}
