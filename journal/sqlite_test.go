package journal

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"

	"github.com/instorepay/instore"
)

// sqliteTarget is a fresh SQLite file.
func sqliteTarget(t *testing.T) target {
	path := tempPath(t)
	connector, err := sqlite.NewConnector(path)
	require.NoError(t, err)
	raw := sql.OpenDB(connector)
	t.Cleanup(func() { assert.NoError(t, raw.Close()) })
	return target{
		open: func(t *testing.T) (*Store, error) {
			s, err := OpenSQLite(t.Context(), path)
			if err == nil {
				t.Cleanup(func() { assert.NoError(t, s.Close()) })
			}
			return s, err
		},
		raw: raw,
	}
}

func TestSQLiteSchema(t *testing.T) {
	t.Parallel()
	schemaTests(t, sqliteTarget)
}

// TestSQLitePragmas checks on every connection of the pool that the
// settings the package doc promises are in effect.
func TestSQLitePragmas(t *testing.T) {
	t.Parallel()
	s := openSQLite(t, tempPath(t), WithBusyTimeout(1500*time.Millisecond))
	ctx := t.Context()
	conns := make([]*sql.Conn, defaultSQLiteConns)
	for i := range conns {
		c, err := s.db.Conn(ctx)
		require.NoError(t, err)
		conns[i] = c
	}
	for i, c := range conns {
		for pragma, want := range map[string]string{
			"journal_mode": "wal",
			"synchronous":  "2", // FULL
			"foreign_keys": "1",
			"busy_timeout": "1500",
		} {
			var got string
			require.NoError(t, c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got))
			assert.Equal(t, want, got, "connection %d: PRAGMA %s", i, pragma)
		}
	}
	for _, c := range conns {
		require.NoError(t, c.Close())
	}
}

// TestSQLiteWriteLockAtBegin shows that a write transaction takes the
// write lock at BEGIN: while one is open, having written nothing yet, a
// writer of another Store waits its busy timeout and fails, instead of
// both reading and one failing later on the lock upgrade.
func TestSQLiteWriteLockAtBegin(t *testing.T) {
	t.Parallel()
	path := tempPath(t)
	holder := openSQLite(t, path)
	waiter := openSQLite(t, path, WithBusyTimeout(20*time.Millisecond))
	ctx := t.Context()

	tx, err := holder.db.BeginTx(ctx, nil)
	require.NoError(t, err)
	err = waiter.Record(ctx, sampleSale("blocked"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SQLITE_BUSY")
	assert.True(t, strings.HasPrefix(err.Error(), "journal: record sale: "), err.Error())
	require.NoError(t, tx.Rollback())

	require.NoError(t, waiter.Record(ctx, sampleSale("after")), "the lock is gone with the transaction")
}

// TestSQLiteTwoStoresOneFile is two processes on one till's file: each
// sees the other's writes at once, and their writers, racing, wait for
// each other rather than fail.
func TestSQLiteTwoStoresOneFile(t *testing.T) {
	t.Parallel()
	path := tempPath(t)
	pos := openSQLite(t, path, WithOwner("pos"))
	tool := openSQLite(t, path, WithOwner("tool"))
	ctx := t.Context()

	s := sampleSale("shared")
	require.NoError(t, pos.Record(ctx, s))
	got, err := tool.Sale(ctx, "shared")
	require.NoError(t, err)
	got.State, got.Owner = instore.SalePending, tool.Owner()
	require.NoError(t, tool.Update(ctx, got))
	s.State = instore.SaleSucceeded
	require.ErrorIs(t, pos.Update(ctx, s), instore.ErrJournalConflict, "the pos's version is stale")

	var wg sync.WaitGroup
	errs := make(chan error, 2*20)
	for _, st := range []*Store{pos, tool} {
		wg.Go(func() {
			for i := range 20 {
				sale := sampleSale(fmt.Sprintf("%s-%02d", st.Owner(), i))
				if err := st.Record(ctx, sale); err != nil {
					errs <- err
					continue
				}
				sale.State = instore.SaleSucceeded
				errs <- st.Update(ctx, sale)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	all, err := pos.Sales(ctx, instore.SaleQuery{})
	require.NoError(t, err)
	assert.Len(t, all, 41)
}

// childEnv marks the child process of TestSQLiteTwoProcesses. The child
// runs in the directory of the parent's journal and opens childFile
// there.
const (
	childEnv  = "INSTORE_JOURNAL_TEST_CHILD"
	childFile = "journal.db"
)

// childReady is what the child logs once it has opened the journal.
const childReady = "child: journal open"

// TestSQLiteTwoProcesses is a till's POS and another process (the
// instore command) writing one file at once: SQLite's locks between
// processes, not only between connections of one, keep every write.
func TestSQLiteTwoProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	parent := openSQLite(t, filepath.Join(dir, childFile), WithOwner("parent"))
	ctx := t.Context()

	child := exec.CommandContext(ctx, os.Args[0])
	child.Env = append(os.Environ(), childEnv+"=1")
	child.Dir = dir
	stdout, err := child.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	child.Stderr = &stderr
	require.NoError(t, child.Start())
	// The parent starts writing when the child has opened the file, so
	// that their writes overlap.
	lines := bufio.NewScanner(stdout)
	var out strings.Builder
	for lines.Scan() {
		fmt.Fprintln(&out, lines.Text())
		if strings.Contains(lines.Text(), childReady) {
			break
		}
	}
	require.NoError(t, writeSales(ctx, parent, "parent", 20))
	_, _ = io.Copy(&out, stdout)
	require.NoError(t, child.Wait(), out.String()+stderr.String())
	require.Contains(t, out.String(), childReady)

	all, err := parent.Sales(ctx, instore.SaleQuery{States: []instore.SaleState{instore.SaleSucceeded}})
	require.NoError(t, err)
	assert.Len(t, all, 40, "both processes' sales, each at its last write")
	s, err := parent.Sale(ctx, "child-19")
	require.NoError(t, err)
	assert.Equal(t, int64(2), s.Version)
}

// sqliteChild is the child process of TestSQLiteTwoProcesses (TestMain
// runs it instead of the tests): it opens the journal in its directory and
// writes 20 sales.
func sqliteChild() int {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, childFile, WithOwner("child"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	defer s.Close()
	fmt.Println(childReady)
	if err := writeSales(ctx, s, "child", 20); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

// writeSales records n sales named prefix-i and updates each to succeeded.
func writeSales(ctx context.Context, s *Store, prefix string, n int) error {
	for i := range n {
		sale := sampleSale(fmt.Sprintf("%s-%02d", prefix, i))
		if err := s.Record(ctx, sale); err != nil {
			return err
		}
		sale.State = instore.SaleSucceeded
		if err := s.Update(ctx, sale); err != nil {
			return err
		}
	}
	return nil
}

// TestSQLiteStaleUsesIndex checks that Stale reads only the sales in
// flight, through an index (the partial one, or the one by state), never
// the whole table: final sales pile up, sales in flight stay few.
func TestSQLiteStaleUsesIndex(t *testing.T) {
	t.Parallel()
	s := openSQLite(t, tempPath(t))
	rows, err := s.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+s.q.stale, int64(0), 10)
	require.NoError(t, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		plan = append(plan, detail)
	}
	require.NoError(t, rows.Err())
	require.NotEmpty(t, plan)
	for _, step := range plan {
		assert.Regexp(t, `^SEARCH sales USING INDEX sales_(in_flight|state)|^USE TEMP B-TREE FOR ORDER BY`, step)
	}
}

func TestOpenSQLiteRefusesPaths(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"", ":memory:", "file:journal.db", "journal.db?mode=ro"} {
		_, err := OpenSQLite(t.Context(), path)
		require.Error(t, err, "%q", path)
		assert.True(t, strings.HasPrefix(err.Error(), "journal: open sqlite: "), err.Error())
	}
	_, err := OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "missing-dir", "journal.db"))
	require.Error(t, err, "a directory that does not exist")
	assert.True(t, strings.HasPrefix(err.Error(), "journal: open sqlite: "), err.Error())
}

func TestSQLiteFileIsCreated(t *testing.T) {
	t.Parallel()
	path := tempPath(t)
	openSQLite(t, path)
	_, err := os.Stat(path)
	require.NoError(t, err)
}

// TestSQLiteOpenNewFileAtOnce opens new files from several Stores at once,
// as a till's POS and the instore command may at first boot: turning a new
// file to WAL, their connections meet SQLITE_BUSY, which no busy timeout
// waits out, and must try again rather than fail the Open. A collision is
// rare (a few in a hundred files), so it tries many; it fails only now
// and then without the retry.
func TestSQLiteOpenNewFileAtOnce(t *testing.T) {
	t.Parallel()
	const files, openers = 20, 8
	for range files {
		path := tempPath(t)
		var wg sync.WaitGroup
		errs := make([]error, openers)
		for i := range openers {
			wg.Go(func() {
				var s *Store
				if s, errs[i] = OpenSQLite(t.Context(), path); errs[i] == nil {
					errs[i] = s.Close()
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "opener %d", i)
		}
	}
}
