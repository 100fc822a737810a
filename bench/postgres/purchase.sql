-- The statements of one Postpaid purchase, as cuplane's PostgreSQL store sends them (taken from
-- the cluster's statement log), for pgbench with -M prepared: the reads one at a time, each
-- waited for (BEGIN and the transaction id travel with the first), and the writes nobody reads
-- queued with the COMMIT: 8 round trips, as cuplane's. Client c buys as account acct-c from
-- its own service and pool, as in bench/postgres_purchases.mjs. The service's pool is read
-- before BEGIN, into pgbench variables, where cuplane reads the service inside the
-- transaction. What pgbench reaches with this is the most any client sending these statements
-- this way could: no HTTP, no signature, no server between. bench/postgres_purchases.mjs also
-- runs the same statements in one pipeline (it drops the pipeline marks below and puts one
-- around everything after the service's read): one round trip, the least any client can do.
\set n random(1, 9000000000000000)
SELECT region, type FROM services WHERE service_id = 'svc-' || :client_id \gset
\startpipeline
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT account_id, name, balance, in_arrears_since, created_at FROM accounts WHERE account_id = 'acct-' || :client_id FOR UPDATE;
SELECT CAST(pg_current_xact_id_if_assigned() AS TEXT);
\endpipeline
SELECT account_id, token, fingerprint, result, created_at FROM idempotency WHERE account_id = 'acct-' || :client_id AND token = 'token:' || :n;
SELECT type, prepaid_per_unit_month, postpaid_per_unit_hour FROM prices WHERE type = :type;
UPDATE pools SET allocated_units = allocated_units + 1 WHERE region = :region AND type = :type AND allocated_units + 1 <= total_units;
SELECT account_id, rate, usage_fen, usage_remainder, accrued_until, charged, next_settlement_at FROM postpaid_accounts WHERE account_id = 'acct-' || :client_id FOR UPDATE;
SELECT operation, region, type FROM faults WHERE remaining > 0;
\startpipeline
INSERT INTO orders (order_id, account_id, instance_id, kind, created_at) VALUES ('ord-' || :n, 'acct-' || :client_id, 'unit-' || :n, 'purchase', 1796204810);
INSERT INTO instances (instance_id, seq, account_id, service_id, region, type, replicas_count, total_units, payment_timing, status, created_at, start_time, expired_time, release_time, released_at, reservation_months, auto_renew, auto_renew_months, paid_months, prepaid_paid, unit_price, creator, order_id, pending_fault, term_months, term_unit_price, resize_from_units, resize_to_units, resize_order_id, resize_charge) VALUES ('unit-' || :n, nextval('instance_seqs'), 'acct-' || :client_id, 'svc-' || :client_id, :region, :type, 1, 1, 'Postpaid', 'Creating', 1796204810, NULL, NULL, NULL, NULL, 0, 0, 1, 0, 0, 1, 'admin', 'ord-' || :n, 0, 0, 0, 0, 0, '', 0);
INSERT INTO transitions (id, due_at, kind, account_id, instance_id) VALUES (nextval('transition_ids'), 1796204810, 'provision', 'acct-' || :client_id, 'unit-' || :n);
INSERT INTO deployments (instance_id, service_id, deployed_units, replicas, previous_replicas, scale_status, scale_due_at, pending_fault) VALUES ('unit-' || :n, 'svc-' || :client_id, 1, 1, 0, 'ScalingOut', NULL, 0);
INSERT INTO idempotency (account_id, token, fingerprint, result, created_at) VALUES ('acct-' || :client_id, 'token:' || :n, '29b7a54d84986c2ac448174646faa0fb93bc5c3a1a6bb4ec9f7c585e034762bb', 'unit-' || :n || ' ord-' || :n, 1796204810) ON CONFLICT (account_id, token) DO UPDATE SET fingerprint = excluded.fingerprint, result = excluded.result, created_at = excluded.created_at;
COMMIT;
\endpipeline
