-- Version 1: sales, their refunds and their history. Runs with the
-- journal's schema first on the search_path.
--
-- Times are TIMESTAMPTZ (microseconds, UTC); NULL in a nullable time column
-- means the zero time (no lease, no answer yet). Money is two columns:
-- amount in minor units and the ISO 4217 currency. Ids collate "C" (byte
-- order), so that ties are ordered as in SQLite and in memory, whatever
-- the database's locale.

CREATE TABLE sales (
	request_id        TEXT        COLLATE "C" NOT NULL PRIMARY KEY,
	kind              TEXT        NOT NULL,
	acquirer          TEXT        NOT NULL,
	payment_id        TEXT        NOT NULL,
	method            TEXT        NOT NULL,
	wallet            TEXT        NOT NULL,
	amount            BIGINT      NOT NULL,
	currency          TEXT        NOT NULL,
	store_id          TEXT        NOT NULL,
	store_name        TEXT        NOT NULL,
	store_mcc         TEXT        NOT NULL,
	store_terminal_id TEXT        NOT NULL,
	masked_code       TEXT        NOT NULL,
	state             TEXT        NOT NULL,
	failure_code      TEXT        NOT NULL,
	failure_message   TEXT        NOT NULL,
	created_at        TIMESTAMPTZ NOT NULL,
	acquirer_time     TIMESTAMPTZ,
	updated_at        TIMESTAMPTZ NOT NULL,
	owner             TEXT        NOT NULL,
	lease_until       TIMESTAMPTZ,
	version           BIGINT      NOT NULL
);

-- Stale: only the sales in flight, which are few, oldest first.
CREATE INDEX sales_in_flight ON sales (created_at, request_id)
	WHERE state IN ('recorded', 'pending', 'cancelling', 'unresolved');

-- Sales (listing): by period, and by period within a state, an acquirer or
-- a store.
CREATE INDEX sales_created ON sales (created_at);
CREATE INDEX sales_state ON sales (state, created_at);
CREATE INDEX sales_acquirer ON sales (acquirer, created_at);
CREATE INDEX sales_store ON sales (store_id, created_at);

CREATE TABLE refunds (
	refund_request_id TEXT        COLLATE "C" NOT NULL PRIMARY KEY,
	request_id        TEXT        COLLATE "C" NOT NULL,
	acquirer          TEXT        NOT NULL,
	refund_id         TEXT        NOT NULL,
	amount            BIGINT      NOT NULL,
	currency          TEXT        NOT NULL,
	state             TEXT        NOT NULL,
	failure_code      TEXT        NOT NULL,
	failure_message   TEXT        NOT NULL,
	created_at        TIMESTAMPTZ NOT NULL,
	updated_at        TIMESTAMPTZ NOT NULL,
	owner             TEXT        NOT NULL,
	lease_until       TIMESTAMPTZ,
	version           BIGINT      NOT NULL
);

CREATE INDEX refunds_sale ON refunds (request_id);

-- One row per write of a sale, keyed by the version the write made.
CREATE TABLE sale_events (
	request_id TEXT        COLLATE "C" NOT NULL REFERENCES sales (request_id),
	version    BIGINT      NOT NULL,
	at         TIMESTAMPTZ NOT NULL,
	state      TEXT        NOT NULL,
	payment_id TEXT        NOT NULL,
	owner      TEXT        NOT NULL,
	PRIMARY KEY (request_id, version)
);
