// The fixed vocabularies of the API: what a form may offer.

export const REGIONS = ['bj', 'bd', 'sz', 'gz', 'yq', 'global'];
export const TYPES = ['cpu', 'gpu-1', 'gpu-2', 'gpu-3', 'gpu-4', 'gpu-5', 'gpu-6'];
export const UNIT_STATUSES = ['Creating', 'Running', 'Reconfiguring', 'ReconfigureFailed',
  'BillingChanging', 'Releasing', 'Released', 'CreateFailed'];
export const POLICIES = ['QianfanFullControlAccessPolicy', 'QianfanServiceOperateAccessPolicy',
  'QianfanServiceReadAccessPolicy'];
export const FAULT_OPERATIONS = ['provision', 'reconfigure', 'deploy', 'deactivate'];
// A unit in one of these states changes by itself soon: its list is worth re-reading.
export const TRANSITIONAL = new Set(['Creating', 'Reconfiguring', 'Releasing', 'BillingChanging']);
// A unit in one of these states can be resized, scaled and deployed on.
export const RESIZABLE = new Set(['Running', 'ReconfigureFailed']);
// A service in one of these states changes by itself soon (a scale in flight shows on its
// deployments instead).
export const SERVICE_TRANSITIONAL = new Set(['Deploying', 'Deactivating']);
