package journal

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The pragmas every SQLite connection runs with (modernc.org/sqlite's
// _pragma DSN parameters, run on each new connection, busy_timeout first).
const (
	// journal_mode=WAL lets readers run beside the one writer, and makes a
	// commit one append to the log rather than a rewrite of pages.
	sqliteJournalMode = "journal_mode(WAL)"
	// synchronous=FULL syncs the log to the disk at every commit, so a
	// commit survives a power cut, not only a crash of the process. With
	// WAL, NORMAL would lose the last commits to a power cut: a sale whose
	// pay then left the machine with no record of it.
	sqliteSynchronous = "synchronous(FULL)"
	// foreign_keys=1: SQLite leaves them off unless asked, per connection.
	sqliteForeignKeys = "foreign_keys(1)"
	// _txlock=immediate makes every write transaction BEGIN IMMEDIATE: it
	// takes the write lock up front, waiting on the busy timeout, instead
	// of failing with SQLITE_BUSY when a read lock cannot be upgraded.
	// Read-only transactions stay deferred.
	sqliteTxLock = "immediate"
	// sqliteConnectRetry is the pause before a new connection is tried
	// again after SQLITE_BUSY; see sqliteConnector.
	sqliteConnectRetry = 5 * time.Millisecond
)

// OpenSQLite opens the journal in the SQLite file at path, creating it and
// its tables when they do not exist, and migrating an older schema. It uses
// modernc.org/sqlite, which is pure Go (no cgo). Several processes on one
// machine may open the same file (a till's POS and the instore command):
// SQLite's locks and the version check of every write keep them apart. The
// file must be on a local disk: SQLite's locking is unreliable over network
// file systems.
//
// Options: [WithOwner], [WithLease], [WithBusyTimeout], [WithMaxConns].
func OpenSQLite(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg, err := newConfig(backendSQLite, opts)
	if err != nil {
		return nil, err
	}
	if err := checkSQLitePath(path); err != nil {
		return nil, err
	}
	connector, err := sqlite.NewConnector(sqliteDSN(path, cfg.busyTimeout))
	if err != nil {
		return nil, fmt.Errorf("journal: open sqlite: %w", err)
	}
	return open(ctx, sql.OpenDB(sqliteConnector{connector, cfg.busyTimeout}), sqliteDialect(), cfg, "")
}

// sqliteConnector opens connections as the driver does, but waits out an
// SQLITE_BUSY met by a new connection's pragmas. Turning a new file to WAL
// takes the write lock; when two connections (of one process or two)
// both hold the read lock and want it, SQLite answers SQLITE_BUSY at once
// rather than wait in the busy handler, which could deadlock. Tried again,
// the pragma finds the file in WAL. It waits no longer than a write would.
type sqliteConnector struct {
	driver.Connector
	busyTimeout time.Duration
}

// Connect implements driver.Connector.
func (c sqliteConnector) Connect(ctx context.Context) (driver.Conn, error) {
	deadline := time.Now().Add(c.busyTimeout)
	for {
		conn, err := c.Connector.Connect(ctx)
		var serr *sqlite.Error
		if err == nil || !errors.As(err, &serr) || serr.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return conn, err
		}
		select {
		case <-time.After(sqliteConnectRetry):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// checkSQLitePath refuses the names that would not give one durable file
// shared by every connection.
func checkSQLitePath(path string) error {
	switch {
	case path == "":
		return errors.New("journal: open sqlite: empty path")
	case path == ":memory:" || strings.HasPrefix(path, "file:"):
		return errors.New("journal: open sqlite: path must name a file (use instore.NewMemoryJournal for a journal in memory)")
	case strings.ContainsRune(path, '?'):
		return errors.New("journal: open sqlite: path must not contain '?'")
	}
	return nil
}

// sqliteDSN is the file name followed by the driver's parameters.
func sqliteDSN(path string, busy time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")")
	q.Add("_pragma", sqliteForeignKeys)
	q.Add("_pragma", sqliteJournalMode)
	q.Add("_pragma", sqliteSynchronous)
	q.Set("_txlock", sqliteTxLock)
	return path + "?" + q.Encode()
}

// sqliteDialect stores times as INTEGER microseconds since the Unix epoch:
// exact, compact, and ordered as the times are.
func sqliteDialect() *dialect {
	return &dialect{
		name:      backendSQLite,
		timeArg:   func(t time.Time) any { return t.UnixMicro() },
		timeType:  "INTEGER",
		readTx:    &sql.TxOptions{ReadOnly: true},
		oneWriter: true,
	}
}
