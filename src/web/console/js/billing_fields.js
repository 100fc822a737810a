// The `billing` of a purchase, as a form asks for it: Postpaid, or Prepaid for some months with
// optional auto-renewal. Used wherever something is bought (units, a service's new unit).

import { field, h, select } from './ui.js';

/** {payment: the Payment field, prepaid: the Prepaid fields (shown only for Prepaid), value()}. */
export function billingFields() {
  const payment = select('paymentTiming', ['Postpaid', 'Prepaid'], 'Postpaid');
  const months = h('input', { name: 'reservationLength', type: 'number', min: 1, max: 12, value: 1 });
  const autoRenew = h('input', { name: 'autoRenew', type: 'checkbox' });
  const renewMonths = h('input', { name: 'autoRenewTime', type: 'number', min: 1, max: 6, value: 1 });
  const prepaid = h('div', { class: 'grid-form', hidden: true }, field('Months', months),
    h('label', { class: 'check' }, autoRenew, ' Renew automatically'), field('Renew by (months)', renewMonths));
  payment.addEventListener('change', () => { prepaid.hidden = payment.value !== 'Prepaid'; });
  return {
    payment: field('Payment', payment),
    prepaid,
    value() {
      if (payment.value !== 'Prepaid') return { paymentTiming: 'Postpaid' };
      return {
        paymentTiming: 'Prepaid',
        reservation: {
          reservationTimeUnit: 'Month', reservationLength: Number(months.value),
          autoRenew: autoRenew.checked, autoRenewTimeUnit: 'Month', autoRenewTime: Number(renewMonths.value),
        },
      };
    },
  };
}
