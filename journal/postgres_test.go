package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/journal/journaltest"
)

func TestPostgres(t *testing.T) {
	t.Parallel()
	dsn := journaltest.PostgresDSN(t)
	journaltest.Run(t, func(t *testing.T) instore.Journal {
		s, _ := openPostgres(t, dsn)
		return s
	})
}

// openPostgres opens a journal in a schema of the test's own, and drops
// the schema at the end of the test. It returns the schema name, for
// opening more Stores on it.
func openPostgres(t testing.TB, dsn string, opts ...Option) (*Store, string) {
	t.Helper()
	schema := journaltest.SchemaName(t)
	t.Cleanup(func() { dropSchema(t, dsn, schema) })
	return openPostgresSchema(t, dsn, schema, opts...), schema
}

// openPostgresSchema opens a journal in schema, closed at the end of the
// test (before the schema is dropped).
func openPostgresSchema(t testing.TB, dsn, schema string, opts ...Option) *Store {
	t.Helper()
	s, err := OpenPostgres(t.Context(), dsn, append([]Option{WithSchema(schema)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

// dropSchema drops a test's schema with everything in it.
func dropSchema(t testing.TB, dsn, schema string) {
	t.Helper()
	db := rawPostgres(t, dsn)
	// The test's context is done by the time cleanups run.
	_, err := db.ExecContext(context.WithoutCancel(t.Context()), `DROP SCHEMA IF EXISTS `+quoteIdent(schema)+` CASCADE`)
	assert.NoError(t, err)
	assert.NoError(t, db.Close())
}

// rawPostgres is a plain connection to the test database, for looking
// under a Store.
func rawPostgres(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	conf, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	return stdlib.OpenDB(*conf)
}

// postgresTarget is a fresh schema in the test database.
func postgresTarget(t *testing.T) target {
	dsn := journaltest.PostgresDSN(t)
	schema := journaltest.SchemaName(t)
	t.Cleanup(func() { dropSchema(t, dsn, schema) })
	raw := rawPostgres(t, dsn)
	t.Cleanup(func() { assert.NoError(t, raw.Close()) })
	return target{
		open: func(t *testing.T) (*Store, error) {
			s, err := OpenPostgres(t.Context(), dsn, WithSchema(schema))
			if err == nil {
				t.Cleanup(func() { assert.NoError(t, s.Close()) })
			}
			return s, err
		},
		raw: raw,
	}
}

func TestPostgresSchema(t *testing.T) {
	t.Parallel()
	schemaTests(t, postgresTarget)
}

// TestPostgresTablesInTheirSchema checks that the journal's tables are in
// its schema only, never in the database's public one.
func TestPostgresTablesInTheirSchema(t *testing.T) {
	t.Parallel()
	tg := postgresTarget(t)
	s := tg.mustOpen(t)
	rows, err := tg.raw.QueryContext(t.Context(),
		`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, s.schema)
	require.NoError(t, err)
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var name string
		require.NoError(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"refunds", "sale_events", "sales", "schema_version"}, tables)
}

// TestPostgresFleetRecovers is two fleet members, each a Store with an
// owner of its own, recovering the same stale sales at once: every sale
// is taken over by exactly one of them, the other sees a conflict.
func TestPostgresFleetRecovers(t *testing.T) {
	t.Parallel()
	tg := postgresTarget(t)
	ctx := t.Context()
	dead := tg.mustOpen(t)
	const stale = 30
	now := time.Now()
	for i := range stale {
		s := sampleSale(fmt.Sprintf("left-%02d", i))
		s.State, s.Owner, s.LeaseUntil = instore.SalePending, "dead", now.Add(-time.Second)
		require.NoError(t, dead.Record(ctx, s))
	}

	members := []*Store{
		openPostgresSchema(t, journaltest.PostgresDSN(t), dead.schema, WithOwner("member-a")),
		openPostgresSchema(t, journaltest.PostgresDSN(t), dead.schema, WithOwner("member-b")),
	}
	won := make([][]string, len(members))
	conflicts := make([]int, len(members))
	failures := make([]error, len(members))
	// A recovery pass: read the candidates, take each over at the version
	// read, skip the ones another member took. Both read before either
	// writes, so that they race over every sale.
	var read, wg sync.WaitGroup
	read.Add(len(members))
	for m, st := range members {
		wg.Go(func() {
			candidates, err := st.Stale(ctx, now, 100)
			read.Done()
			read.Wait()
			if err != nil {
				failures[m] = err
				return
			}
			for _, s := range candidates {
				s.Owner, s.LeaseUntil = st.Owner(), now.Add(st.Lease())
				switch err := st.Update(ctx, s); {
				case err == nil:
					won[m] = append(won[m], s.RequestID)
				case errors.Is(err, instore.ErrJournalConflict):
					conflicts[m]++
				default:
					failures[m] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for m, err := range failures {
		require.NoError(t, err, "member %d", m)
	}

	assert.Equal(t, stale, len(won[0])+len(won[1]), "every sale taken over once")
	for m := range members {
		assert.Equal(t, stale, len(won[m])+conflicts[m], "member %d saw every sale", m)
	}
	owners := map[string]int{}
	for i := range stale {
		s, err := dead.Sale(ctx, fmt.Sprintf("left-%02d", i))
		require.NoError(t, err)
		assert.Equal(t, int64(2), s.Version, "one takeover per sale")
		owners[s.Owner]++
	}
	assert.Equal(t, len(won[0]), owners["member-a"])
	assert.Equal(t, len(won[1]), owners["member-b"])
	left, err := dead.Stale(ctx, now, 100)
	require.NoError(t, err)
	assert.Empty(t, left)
}

func TestOpenPostgresErrorsKeepThePasswordOut(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		"postgres://user:s3cret-pw@127.0.0.1:notaport/db",
		"host=127.0.0.1 password=s3cret-pw port=notaport",
	} {
		_, err := OpenPostgres(t.Context(), dsn)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "s3cret-pw")
		assert.True(t, strings.HasPrefix(err.Error(), "journal: open postgres"), err.Error())
	}
	// A server that is not there: the connect error names no password.
	_, err := OpenPostgres(t.Context(), "postgres://user:s3cret-pw@127.0.0.1:1/db?connect_timeout=1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret-pw")
	assert.True(t, strings.HasPrefix(err.Error(), "journal: open postgres: "), err.Error())
}
