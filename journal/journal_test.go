package journal

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/journal/journaltest"
)

func TestSQLite(t *testing.T) {
	t.Parallel()
	journaltest.Run(t, func(t *testing.T) instore.Journal { return openSQLite(t, tempPath(t)) })
}

// tempPath is a journal file in a directory of the test's own.
func tempPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "journal.db")
}

// openSQLite opens the journal at path, closed at the end of the test.
func openSQLite(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := OpenSQLite(t.Context(), path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

func TestOptions(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		backend string
		opts    []Option
		want    string // error text, "" for none
	}{
		{"defaults sqlite", backendSQLite, nil, ""},
		{"defaults postgres", backendPostgres, nil, ""},
		{"owner", backendSQLite, []Option{WithOwner("till-07")}, ""},
		{"empty owner", backendSQLite, []Option{WithOwner("")}, "journal: owner id must be 1 to 200 bytes"},
		{"long owner", backendSQLite, []Option{WithOwner(strings.Repeat("x", 201))}, "journal: owner id must be 1 to 200 bytes"},
		{"zero lease", backendPostgres, []Option{WithLease(0)}, "journal: lease must be positive"},
		{"busy timeout", backendSQLite, []Option{WithBusyTimeout(1)}, "journal: busy timeout must be at least a millisecond"},
		{"busy timeout on postgres", backendPostgres, []Option{WithBusyTimeout(1e9)}, "journal: WithBusyTimeout applies to SQLite only"},
		{"schema on sqlite", backendSQLite, []Option{WithSchema("x")}, "journal: WithSchema applies to PostgreSQL only"},
		{"empty schema", backendPostgres, []Option{WithSchema("")}, "journal: schema name must be 1 to 63 bytes"},
		{"long schema", backendPostgres, []Option{WithSchema(strings.Repeat("s", 64))}, "journal: schema name must be 1 to 63 bytes"},
		{"no connections", backendSQLite, []Option{WithMaxConns(0)}, "journal: max connections must be at least 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := newConfig(c.backend, c.opts)
			if c.want == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, c.want)
			}
		})
	}
}

func TestOwnerAndLease(t *testing.T) {
	t.Parallel()
	s := openSQLite(t, tempPath(t))
	assert.Equal(t, DefaultLease, s.Lease())
	assert.Regexp(t, `^.+/\d+/[0-9a-f]{8}$`, s.Owner(), "host/pid/random")
	other := openSQLite(t, tempPath(t))
	assert.NotEqual(t, s.Owner(), other.Owner(), "two Stores in one process are two owners")

	s = openSQLite(t, tempPath(t), WithOwner("till-07"), WithLease(90e9))
	assert.Equal(t, "till-07", s.Owner())
	assert.Equal(t, "1m30s", s.Lease().String())
}

// The Checkout finds the owner and lease through an interface of its own;
// these are the signatures it expects.
var _ interface {
	Owner() string
	Lease() time.Duration
} = (*Store)(nil)

func TestInFlightStates(t *testing.T) {
	t.Parallel()
	states := []instore.SaleState{
		instore.SaleRecorded, instore.SalePending, instore.SaleCancelling, instore.SaleUnresolved,
		instore.SaleSucceeded, instore.SaleFailed, instore.SaleCancelled,
	}
	for _, st := range states {
		assert.Equal(t, !st.Final(), strings.Contains(inFlight, "'"+string(st)+"'"), "state %s", st)
	}
	for _, backend := range []string{backendSQLite, backendPostgres} {
		steps, err := migrations(backend)
		require.NoError(t, err)
		assert.Contains(t, steps[0], "WHERE "+inFlight, "%s: the partial index repeats the Stale query's condition", backend)
	}
}

func TestBind(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a = ? AND b IN (?, ?)", sqliteDialect().bind("a = ? AND b IN (?, ?)"))
	assert.Equal(t, "a = $1 AND b IN ($2, $3)", (&dialect{dollarParams: true}).bind("a = ? AND b IN (?, ?)"))
}

func TestErrorsNameTheOperation(t *testing.T) {
	t.Parallel()
	s := openSQLite(t, tempPath(t))
	ctx := t.Context()
	_, err := s.Sale(ctx, "nope")
	require.EqualError(t, err, "journal: read sale: "+instore.ErrSaleNotFound.Error())
	err = s.Update(ctx, &instore.Sale{RequestID: "nope", Version: 1})
	require.EqualError(t, err, "journal: update sale: "+instore.ErrSaleNotFound.Error())
	_, err = s.Refund(ctx, "nope")
	require.EqualError(t, err, "journal: read refund: "+instore.ErrRefundNotFound.Error())
}

// sampleSale is a sale as a Checkout records it.
func sampleSale(id string) *instore.Sale {
	return &instore.Sale{
		RequestID: id, Kind: instore.SaleCollect, Acquirer: "omise", State: instore.SaleRecorded,
		Amount: instore.Money{Amount: 150000, Currency: instore.THB},
	}
}

// target is one database under test: open adds a Store on it (closed at
// the end of the test), raw reaches under the Stores.
type target struct {
	open func(t *testing.T) (*Store, error)
	raw  *sql.DB
}

// mustOpen adds a Store on the target's database.
func (tg target) mustOpen(t *testing.T) *Store {
	t.Helper()
	s, err := tg.open(t)
	require.NoError(t, err)
	return s
}

// schemaTests are the schema versioning tests of one backend; newTarget
// makes a fresh, empty database.
func schemaTests(t *testing.T, newTarget func(t *testing.T) target) {
	t.Run("fresh database is at the newest version", func(t *testing.T) {
		t.Parallel()
		s := newTarget(t).mustOpen(t)
		known, err := migrations(s.dialect.name)
		require.NoError(t, err)
		v, err := s.SchemaVersion(t.Context())
		require.NoError(t, err)
		assert.Equal(t, len(known), v)
		assert.Positive(t, v)
	})
	t.Run("reopening is a no-op", func(t *testing.T) {
		t.Parallel()
		tg := newTarget(t)
		s := tg.mustOpen(t)
		require.NoError(t, s.Record(t.Context(), sampleSale("kept")))
		again := tg.mustOpen(t)
		_, err := again.Sale(t.Context(), "kept")
		require.NoError(t, err)
		var rows, latest int
		require.NoError(t, tg.raw.QueryRowContext(t.Context(),
			`SELECT COUNT(*), MAX(version) FROM `+again.q.prefix+`schema_version`).Scan(&rows, &latest))
		assert.Equal(t, latest, rows, "one row per migration, each applied once")
	})
	t.Run("opening at once", func(t *testing.T) {
		t.Parallel()
		tg := newTarget(t)
		const openers = 4
		errs := make(chan error, openers)
		for range openers {
			go func() {
				_, err := tg.open(t)
				errs <- err
			}()
		}
		for range openers {
			assert.NoError(t, <-errs)
		}
	})
	t.Run("newer database is refused", func(t *testing.T) {
		t.Parallel()
		tg := newTarget(t)
		s := tg.mustOpen(t)
		known, err := s.SchemaVersion(t.Context())
		require.NoError(t, err)
		_, err = tg.raw.ExecContext(t.Context(), s.q.setSchemaVersion, known+1, s.dialect.timeArg(time.Now()))
		require.NoError(t, err)

		_, err = tg.open(t)
		require.ErrorIs(t, err, ErrSchemaTooNew)
		var sv *SchemaVersionError
		require.ErrorAs(t, err, &sv)
		assert.Equal(t, SchemaVersionError{Found: known + 1, Known: known}, *sv)
		assert.EqualError(t, err, fmt.Sprintf(
			"journal: database schema version %d is newer than %d, the newest this code knows", known+1, known))
	})
}
