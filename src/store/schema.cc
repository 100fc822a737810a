#include "store/schema.h"

namespace cuplane::store {

// Portable types only: TEXT, BIGINT, INTEGER. Times are Unix seconds, money is fen.
// `id` and `seq` columns are assigned by the store (see SqlTransaction::NextIdSql), not by the
// database, so ordering means the same on every backend.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations{
      {1, "initial schema", R"SQL(
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE accounts (
  account_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  balance BIGINT NOT NULL DEFAULT 0,
  in_arrears_since BIGINT,
  created_at BIGINT NOT NULL
);
CREATE TABLE users (
  account_id TEXT NOT NULL REFERENCES accounts(account_id),
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, name)
);
CREATE TABLE user_policies (
  account_id TEXT NOT NULL,
  user_name TEXT NOT NULL,
  policy TEXT NOT NULL,
  PRIMARY KEY (account_id, user_name, policy)
);
CREATE TABLE access_keys (
  access_key TEXT PRIMARY KEY,
  secret_key TEXT NOT NULL,
  is_operator INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  account_id TEXT NOT NULL DEFAULT '',
  user_name TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE TABLE services (
  service_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(account_id),
  name TEXT NOT NULL,
  region TEXT NOT NULL,
  type TEXT NOT NULL,
  units_per_replica BIGINT NOT NULL,
  creator TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX services_by_account ON services (account_id, created_at);
CREATE TABLE pools (
  region TEXT NOT NULL,
  type TEXT NOT NULL,
  total_units BIGINT NOT NULL,
  allocated_units BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (region, type),
  CHECK (allocated_units >= 0 AND allocated_units <= total_units)
);
CREATE TABLE prices (
  type TEXT PRIMARY KEY,
  prepaid_per_unit_month BIGINT NOT NULL,
  postpaid_per_unit_hour BIGINT NOT NULL
);
CREATE TABLE instances (
  instance_id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL UNIQUE,
  account_id TEXT NOT NULL REFERENCES accounts(account_id),
  service_id TEXT NOT NULL,
  region TEXT NOT NULL,
  type TEXT NOT NULL,
  replicas_count BIGINT NOT NULL,
  total_units BIGINT NOT NULL,
  payment_timing TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  start_time BIGINT,
  expired_time BIGINT,
  release_time BIGINT,
  released_at BIGINT,
  reservation_months INTEGER NOT NULL DEFAULT 0,
  auto_renew INTEGER NOT NULL DEFAULT 0,
  auto_renew_months INTEGER NOT NULL DEFAULT 1,
  paid_months INTEGER NOT NULL DEFAULT 0,
  prepaid_paid BIGINT NOT NULL DEFAULT 0,
  unit_price BIGINT NOT NULL DEFAULT 0,
  settled_until BIGINT,
  postpaid_charged BIGINT NOT NULL DEFAULT 0,
  creator TEXT NOT NULL
);
CREATE INDEX instances_by_service ON instances (account_id, service_id, seq);
CREATE INDEX instances_by_account ON instances (account_id, payment_timing, status);
CREATE TABLE deployments (
  instance_id TEXT NOT NULL,
  service_id TEXT NOT NULL,
  deployed_units BIGINT NOT NULL,
  PRIMARY KEY (instance_id, service_id)
);
CREATE INDEX deployments_by_service ON deployments (service_id);
CREATE TABLE ledger (
  id BIGINT PRIMARY KEY,
  account_id TEXT NOT NULL,
  time BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  kind TEXT NOT NULL,
  instance_id TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ledger_by_account ON ledger (account_id, id);
CREATE TABLE transitions (
  id BIGINT PRIMARY KEY,
  due_at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  account_id TEXT NOT NULL,
  instance_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX transitions_by_due ON transitions (due_at, id);
CREATE INDEX transitions_by_instance ON transitions (instance_id, kind);
CREATE TABLE idempotency (
  account_id TEXT NOT NULL,
  token TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  result TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, token)
);
CREATE INDEX idempotency_by_time ON idempotency (created_at);
)SQL"},
      // PostgreSQL has concurrent writers, so MAX(id)+1 (fine under SQLite's single writer)
      // would hand two transactions the same id; sequences never do. setval carries on from
      // any rows written before this migration.
      {2, "id sequences for concurrent writers", "", R"SQL(
CREATE SEQUENCE ledger_ids;
CREATE SEQUENCE transition_ids;
CREATE SEQUENCE instance_seqs;
SELECT setval('ledger_ids', COALESCE((SELECT MAX(id) FROM ledger), 0) + 1, false);
SELECT setval('transition_ids', COALESCE((SELECT MAX(id) FROM transitions), 0) + 1, false);
SELECT setval('instance_seqs', COALESCE((SELECT MAX(seq) FROM instances), 0) + 1, false);
)SQL"},
      // Orders name what each charge paid for; faults are stored so that a restart keeps
      // them; a unit remembers the purchase order (its refund carries it) and whether its
      // pending delayed step took a fault. Exact-replay keys are no longer kept: every call
      // without a clientToken buys.
      {3, "orders, injected faults, every call buys", R"SQL(
ALTER TABLE ledger ADD COLUMN order_id TEXT NOT NULL DEFAULT '';
ALTER TABLE instances ADD COLUMN order_id TEXT NOT NULL DEFAULT '';
ALTER TABLE instances ADD COLUMN pending_fault INTEGER NOT NULL DEFAULT 0;
CREATE INDEX instances_by_creation ON instances (created_at, seq);
CREATE TABLE orders (
  order_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  instance_id TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX orders_by_instance ON orders (instance_id);
CREATE TABLE faults (
  operation TEXT NOT NULL,
  region TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL DEFAULT '',
  remaining BIGINT NOT NULL,
  PRIMARY KEY (operation, region, type),
  CHECK (remaining >= 0)
);
DELETE FROM idempotency WHERE token LIKE 'replay:%';
)SQL"},
      // The catalog of snapshots (SaveSnapshot); each one's rows are in tables
      // snapshot_<id>_<table> (store/sql/sql_state.cc). `tables` lists them, comma-separated.
      {4, "snapshots", R"SQL(
CREATE TABLE snapshots (
  name TEXT PRIMARY KEY,
  id BIGINT NOT NULL UNIQUE,
  saved_at BIGINT NOT NULL,
  tables TEXT NOT NULL,
  row_count BIGINT NOT NULL,
  digest TEXT NOT NULL
);
)SQL"},
      // Postpaid billing per account (SPEC §5.3). Each account's exact usage so far becomes
      // its starting usage: every live unit accrued up to the latest time any of its units was
      // settled (all in the past), every ended unit up to where it was last settled; its
      // charges so far are what its units were charged. Future charges are therefore
      // floor(exact usage) − already charged: nothing twice, no fraction lost. Per-unit
      // settlements go; the server schedules one per account on the grid when it starts
      // (core/billing/settlement.h, ResumeSettlements), as only it knows the period.
      // x = price × units × seconds in 1/3600 fen is summed as x / 3600 and x % 3600 per unit so
      // that no intermediate sum outgrows 64 bits; the sums are cast back to BIGINT because
      // PostgreSQL sums BIGINT as NUMERIC, whose division would not truncate.
      {5, "postpaid billing per account", R"SQL(
CREATE TABLE postpaid_accounts (
  account_id TEXT PRIMARY KEY REFERENCES accounts(account_id),
  rate BIGINT NOT NULL,
  usage_fen BIGINT NOT NULL,
  usage_remainder BIGINT NOT NULL,
  accrued_until BIGINT NOT NULL,
  charged BIGINT NOT NULL,
  next_settlement_at BIGINT
);
CREATE TABLE usage_segments (
  instance_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  type TEXT NOT NULL,
  start_at BIGINT NOT NULL,
  end_at BIGINT,
  units BIGINT NOT NULL,
  unit_price BIGINT NOT NULL,
  PRIMARY KEY (instance_id, start_at)
);
CREATE INDEX usage_segments_by_account ON usage_segments (account_id, start_at);
CREATE INDEX usage_segments_open ON usage_segments (instance_id, end_at);
CREATE INDEX transitions_by_account ON transitions (account_id, due_at);
INSERT INTO usage_segments (instance_id, account_id, type, start_at, end_at, units, unit_price)
SELECT instance_id, account_id, type, start_time,
       CASE WHEN status IN ('Released', 'CreateFailed')
            THEN COALESCE(settled_until, start_time) ELSE NULL END,
       total_units, unit_price
FROM instances WHERE payment_timing = 'Postpaid' AND start_time IS NOT NULL;
INSERT INTO postpaid_accounts
  (account_id, rate, usage_fen, usage_remainder, accrued_until, charged, next_settlement_at)
SELECT account_id, rate, whole + parts / 3600, parts % 3600, horizon, charged, NULL
FROM (
  SELECT u.account_id AS account_id, CAST(SUM(u.live_rate) AS BIGINT) AS rate,
         CAST(SUM(u.x / 3600) AS BIGINT) AS whole, CAST(SUM(u.x % 3600) AS BIGINT) AS parts,
         MAX(u.horizon) AS horizon, CAST(SUM(u.charged) AS BIGINT) AS charged
  FROM (
    SELECT i.account_id AS account_id,
           CASE WHEN i.status IN ('Released', 'CreateFailed') THEN 0
                ELSE i.unit_price * i.total_units END AS live_rate,
           i.unit_price * i.total_units *
             (CASE WHEN i.status IN ('Released', 'CreateFailed')
                   THEN COALESCE(i.settled_until, i.start_time) ELSE h.horizon END
              - i.start_time) AS x,
           h.horizon AS horizon,
           i.postpaid_charged AS charged
    FROM instances i
    JOIN (SELECT account_id, MAX(COALESCE(settled_until, start_time)) AS horizon
          FROM instances WHERE payment_timing = 'Postpaid' AND start_time IS NOT NULL
          GROUP BY account_id) h ON h.account_id = i.account_id
    WHERE i.payment_timing = 'Postpaid' AND i.start_time IS NOT NULL
  ) u
  GROUP BY u.account_id
) totals;
DELETE FROM transitions WHERE kind = 'settle';
ALTER TABLE instances DROP COLUMN settled_until;
ALTER TABLE instances DROP COLUMN postpaid_charged;
)SQL"},
      // A released unit remembers the services it served, so that a service's list, its
      // detail and a retried release by service still find it.
      {6, "services a released unit served", R"SQL(
CREATE TABLE past_deployments (
  instance_id TEXT NOT NULL,
  service_id TEXT NOT NULL,
  ended_at BIGINT NOT NULL,
  PRIMARY KEY (instance_id, service_id)
);
CREATE INDEX past_deployments_by_service ON past_deployments (service_id);
)SQL"},
      // Services become tenant resources with a lifecycle of their own, listed in insertion
      // order; deployments carry their scale state. A v1 deployment (a unit bought for a
      // service, wholly used by it) keeps the purchase's replicas, still scaling out when its
      // unit is not provisioned yet.
      {7, "services with a lifecycle, deployments with a scale state", R"SQL(
ALTER TABLE services ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN url_suffix TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN model_set_id TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN model_id TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'Active';
ALTER TABLE services ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE services ADD COLUMN deactivate_at BIGINT;
ALTER TABLE services ADD COLUMN pending_fault INTEGER NOT NULL DEFAULT 0;
UPDATE services SET seq = (SELECT COUNT(*) FROM services s WHERE s.created_at < services.created_at
  OR (s.created_at = services.created_at AND s.service_id <= services.service_id));
CREATE INDEX services_in_list_order ON services (account_id, created_at, seq);
ALTER TABLE deployments ADD COLUMN replicas BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN previous_replicas BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deployments ADD COLUMN scale_status TEXT NOT NULL DEFAULT '';
ALTER TABLE deployments ADD COLUMN scale_due_at BIGINT;
ALTER TABLE deployments ADD COLUMN pending_fault INTEGER NOT NULL DEFAULT 0;
UPDATE deployments SET replicas = COALESCE((SELECT i.replicas_count FROM instances i
  WHERE i.instance_id = deployments.instance_id), 0);
UPDATE deployments SET previous_replicas = replicas;
UPDATE deployments SET previous_replicas = 0, scale_status = 'ScalingOut'
  WHERE instance_id IN (SELECT instance_id FROM instances WHERE status = 'Creating');
)SQL", R"SQL(
CREATE SEQUENCE service_seqs;
SELECT setval('service_seqs', COALESCE((SELECT MAX(seq) FROM services), 0) + 1, false);
)SQL"},
      // Resizes (SPEC §4.7): a unit's size changes, a Prepaid unit remembers the term it has
      // paid for (pro-rating is over that term), and a resize in flight is kept on its unit so
      // that its completion, failure or cancellation knows what to undo. A unit bought before
      // this migration is in its reservation, or in its last renewal (at most autoRenewTime
      // months, at the price that renewal's ledger entry paid; the purchase price without one).
      {8, "resizes", R"SQL(
ALTER TABLE instances ADD COLUMN term_months INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN term_unit_price BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN resize_from_units BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN resize_to_units BIGINT NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN resize_order_id TEXT NOT NULL DEFAULT '';
ALTER TABLE instances ADD COLUMN resize_charge BIGINT NOT NULL DEFAULT 0;
UPDATE instances SET term_months = reservation_months, term_unit_price = unit_price
  WHERE payment_timing = 'Prepaid';
UPDATE instances SET term_months = CASE WHEN auto_renew_months < paid_months - reservation_months
                                        THEN auto_renew_months
                                        ELSE paid_months - reservation_months END
  WHERE payment_timing = 'Prepaid' AND paid_months > reservation_months;
UPDATE instances SET term_unit_price = COALESCE(
    (SELECT -l.amount / (instances.total_units * instances.term_months) FROM ledger l
     WHERE l.instance_id = instances.instance_id AND l.kind = 'renewal'
     ORDER BY l.id DESC LIMIT 1), unit_price)
  WHERE payment_timing = 'Prepaid' AND paid_months > reservation_months AND total_units > 0
    AND term_months > 0;
)SQL"},
  };
  return migrations;
}

}  // namespace cuplane::store
