package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// migrationLockKey is the PostgreSQL advisory lock held by a migration, so
// that processes opening the journal at once migrate it one after the
// other (CREATE ... IF NOT EXISTS alone races in the catalogue). It is
// "instore" in ASCII; one key for every schema keeps it simple, and
// migrations are rare and quick.
const migrationLockKey int64 = 0x696e73746f7265

// OpenPostgres opens the journal in a PostgreSQL database, creating its
// schema and tables when they do not exist and migrating an older schema.
// dsn is a pgx connection string (a postgres:// URL or key=value pairs). It
// serves a fleet of processes that share one journal: every process opens
// it with the same schema and lease, and a distinct owner.
//
// The database must commit durably (synchronous_commit on, its default):
// the journal's rule is that a write returned is a write kept.
//
// Options: [WithOwner], [WithLease], [WithSchema], [WithMaxConns].
func OpenPostgres(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg, err := newConfig(backendPostgres, opts)
	if err != nil {
		return nil, err
	}
	conf, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors quote no password, but say nothing of the DSN
		// here either: it may carry one.
		return nil, errors.New("journal: open postgres: invalid connection string")
	}
	return open(ctx, stdlib.OpenDB(*conf), postgresDialect(), cfg, cfg.schema)
}

// postgresDialect stores times as TIMESTAMPTZ, microseconds in UTC.
func postgresDialect() *dialect {
	return &dialect{
		name:         backendPostgres,
		dollarParams: true,
		timeArg:      func(t time.Time) any { return t.UTC().Truncate(time.Microsecond) },
		timeType:     "TIMESTAMPTZ",
		// A sale, its refunds and its history are read as one snapshot.
		readTx:         &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
		beginMigration: beginPostgresMigration,
	}
}

// beginPostgresMigration takes the migration lock (released at the end of
// the transaction), creates the schema when it is missing, and puts it
// first on the search path for the migrations' unqualified names.
func beginPostgresMigration(ctx context.Context, tx *sql.Tx, schema string) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
		return err
	}
	// Only a missing schema is created: CREATE SCHEMA IF NOT EXISTS needs
	// the CREATE privilege even when the schema exists, which a role given
	// a schema made by its administrator may lack.
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).
		Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := tx.ExecContext(ctx, `CREATE SCHEMA `+quoteIdent(schema)); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `SELECT set_config('search_path', $1, true)`, quoteIdent(schema))
	return err
}
