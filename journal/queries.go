package journal

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Backend names, which are also the directories of their migrations.
const (
	backendSQLite   = "sqlite"
	backendPostgres = "postgres"
)

// dialect is what differs between the backends. The queries are otherwise
// the same text: ON CONFLICT, partial indexes and LIMIT read alike in both.
type dialect struct {
	name string
	// dollarParams rewrites ? placeholders as $1, $2, ...
	dollarParams bool
	// timeArg is a time as the backend stores it.
	timeArg func(time.Time) any
	// timeType is the column type of a time.
	timeType string
	// readTx is how a consistent read is opened.
	readTx *sql.TxOptions
	// oneWriter says the database takes one write transaction at a time.
	oneWriter bool
	// beginMigration runs first in the migration transaction.
	beginMigration func(ctx context.Context, tx *sql.Tx, schema string) error
}

// nullTimeArg is t as the backend stores it, or NULL for the zero time.
func (d *dialect) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.timeArg(t)
}

// inFlight is the SQL condition of a sale that is not final. The partial
// index sales_in_flight in the migrations repeats it word for word, which
// SQLite needs to use the index.
const inFlight = `state IN ('recorded', 'pending', 'cancelling', 'unresolved')`

// saleColumns are the columns of a sale, in the order of saleArgs and
// scanSale.
var saleColumns = []string{
	"request_id", "kind", "acquirer", "payment_id", "method", "wallet",
	"amount", "currency",
	"store_id", "store_name", "store_mcc", "store_terminal_id",
	"masked_code", "state", "failure_code", "failure_message",
	"created_at", "acquirer_time", "updated_at",
	"owner", "lease_until", "version",
}

// refundColumns are the columns of a refund, in the order of refundArgs
// and scanRefund.
var refundColumns = []string{
	"refund_request_id", "request_id", "acquirer", "refund_id",
	"amount", "currency", "state", "failure_code", "failure_message",
	"created_at", "updated_at", "owner", "lease_until", "version",
}

// queries are the statements of one Store, built once at Open.
type queries struct {
	// prefix qualifies a table name: the quoted schema and a dot, or "".
	prefix string

	createSchemaVersion, schemaVersion, setSchemaVersion string

	insertSale, updateSale, saleExists, selectSale, stale string
	insertEvent, selectEvents                             string
	// listSales is completed by Sales with its conditions.
	listSales string

	insertRefund, updateRefund, refundExists, selectRefund, selectSaleRefunds string
}

// newQueries builds the statements of d for tables in schema ("" for
// none).
func newQueries(d *dialect, schema string) queries {
	prefix := ""
	if schema != "" {
		prefix = quoteIdent(schema) + "."
	}
	b := func(q string) string { return d.bind(strings.ReplaceAll(q, "{p}", prefix)) }
	sales := strings.Join(saleColumns, ", ")
	refunds := strings.Join(refundColumns, ", ")
	return queries{
		prefix: prefix,
		createSchemaVersion: b(`CREATE TABLE IF NOT EXISTS {p}schema_version (
	version INTEGER NOT NULL PRIMARY KEY,
	applied_at ` + d.timeType + ` NOT NULL)`),
		schemaVersion:    b(`SELECT COALESCE(MAX(version), 0) FROM {p}schema_version`),
		setSchemaVersion: b(`INSERT INTO {p}schema_version (version, applied_at) VALUES (?, ?)`),

		// ON CONFLICT DO NOTHING turns a duplicate into zero rows written
		// on both backends, rather than an error whose code differs per
		// driver and which, on PostgreSQL, aborts the transaction.
		insertSale: b(`INSERT INTO {p}sales (` + sales + `) VALUES (` + params(len(saleColumns)) +
			`) ON CONFLICT (request_id) DO NOTHING`),
		// The version in the WHERE is the compare-and-swap: zero rows
		// means someone else wrote the sale since it was read.
		updateSale: b(`UPDATE {p}sales SET ` + assignments(saleColumns[1:]) +
			` WHERE request_id = ? AND version = ?`),
		saleExists: b(`SELECT 1 FROM {p}sales WHERE request_id = ?`),
		selectSale: b(`SELECT ` + sales + ` FROM {p}sales WHERE request_id = ?`),
		stale: b(`SELECT ` + sales + ` FROM {p}sales WHERE ` + inFlight +
			` AND (lease_until IS NULL OR lease_until < ?) ORDER BY created_at, request_id LIMIT ?`),
		insertEvent: b(`INSERT INTO {p}sale_events (request_id, version, at, state, payment_id, owner)
	VALUES (?, ?, ?, ?, ?, ?)`),
		selectEvents: b(`SELECT at, state, payment_id, owner FROM {p}sale_events
	WHERE request_id = ? ORDER BY version`),
		listSales: strings.ReplaceAll(`SELECT `+sales+` FROM {p}sales`, "{p}", prefix),

		insertRefund: b(`INSERT INTO {p}refunds (` + refunds + `) VALUES (` + params(len(refundColumns)) +
			`) ON CONFLICT (refund_request_id) DO NOTHING`),
		// A refund stays with the sale it was recorded for: request_id is
		// not among the columns written.
		updateRefund: b(`UPDATE {p}refunds SET ` + assignments(without(refundColumns[1:], "request_id")) +
			` WHERE refund_request_id = ? AND version = ?`),
		refundExists: b(`SELECT 1 FROM {p}refunds WHERE refund_request_id = ?`),
		selectRefund: b(`SELECT ` + refunds + ` FROM {p}refunds WHERE refund_request_id = ?`),
		selectSaleRefunds: b(`SELECT ` + refunds + ` FROM {p}refunds
	WHERE request_id = ? ORDER BY created_at, refund_request_id`),
	}
}

// bind rewrites the ? placeholders of q for the backend.
func (d *dialect) bind(q string) string {
	if !d.dollarParams {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// params is "?, ?, ..." n times.
func params(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// assignments is "a = ?, b = ?, ..." for cols.
func assignments(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + " = ?"
	}
	return strings.Join(parts, ", ")
}

// without is cols less drop.
func without(cols []string, drop string) []string {
	out := make([]string, 0, len(cols))
	for _, c := range cols {
		if c != drop {
			out = append(out, c)
		}
	}
	return out
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// timeScanner reads a time column of either backend into t: NULL is the
// zero time, SQLite's integer is microseconds since the epoch, and either
// way the result is UTC.
type timeScanner struct{ t *time.Time }

// Scan implements sql.Scanner.
func (ts timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*ts.t = time.Time{}
	case int64:
		*ts.t = time.UnixMicro(v).UTC()
	case time.Time:
		*ts.t = v.UTC().Truncate(time.Microsecond)
	default:
		return fmt.Errorf("journal: a time column holds a %T", src)
	}
	return nil
}
