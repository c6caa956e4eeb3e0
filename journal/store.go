package journal

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/instorepay/instore"
)

// Defaults used when an option is not given.
const (
	// DefaultLease is how long a process is presumed alive on a sale it
	// writes. It is longer than a whole Collect (a 5 s pay, about 38 s of
	// inquiries, about 18 s of cancels) with room for a slow database, so
	// a live process is never overtaken; and short enough that a sale left
	// by a dead one is taken over within minutes.
	DefaultLease = 2 * time.Minute
	// DefaultBusyTimeout is how long an SQLite write waits for another
	// process's write to finish before failing. Writes take milliseconds;
	// seconds of waiting mean something holds the file, and a sale should
	// fail visibly rather than hang the till.
	DefaultBusyTimeout = 5 * time.Second
	// DefaultSchema is the PostgreSQL schema the tables live in, so that
	// they never meet an application's own "sales" table.
	DefaultSchema = "instore"
	// defaultSQLiteConns bounds the pool: SQLite has one writer at a time,
	// and each connection carries its own page cache, so a few serve the
	// readers WAL lets run beside it.
	defaultSQLiteConns = 4
	// defaultPostgresConns bounds the pool so that a fleet of processes
	// does not exhaust the server's max_connections (100 by default).
	defaultPostgresConns = 8
)

// Store is a [instore.Journal] and [instore.SaleLister] kept in an SQLite
// file ([OpenSQLite]) or a PostgreSQL database ([OpenPostgres]). It is safe
// for concurrent use, and several Stores (in one process or many) may share
// one database: the version check of every write keeps them apart.
type Store struct {
	db      *sql.DB
	dialect *dialect
	// schema is the PostgreSQL schema, "" for SQLite.
	schema string
	owner  string
	lease  time.Duration
	q      queries
	// writeSlot, when not nil, lets one write transaction of this Store run
	// at a time. SQLite has one writer per file anyway; queueing here, in
	// order, is cheaper than SQLite's busy handler, which polls with sleeps
	// of up to 100 ms. The busy handler still arbitrates between processes.
	writeSlot chan struct{}
}

var (
	_ instore.Journal    = (*Store)(nil)
	_ instore.SaleLister = (*Store)(nil)
)

// Owner returns the id this Store's process writes as a sale's owner: the
// one given by [WithOwner], or "host/pid/random" by default.
func (s *Store) Owner() string { return s.owner }

// Lease returns how long a sale's owner is presumed alive after a write
// ([WithLease], [DefaultLease] by default).
func (s *Store) Lease() time.Duration { return s.lease }

// Close closes the database. Writes in progress finish or fail first.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("journal: close: %w", err)
	}
	return nil
}

// An Option configures OpenSQLite or OpenPostgres. Options are applied in
// order; one that does not apply to the backend fails the Open.
type Option func(*config) error

// config is what the options set.
type config struct {
	backend     string
	owner       string
	lease       time.Duration
	busyTimeout time.Duration
	schema      string
	maxConns    int
}

// WithOwner sets the id this process writes as the owner of the sales it
// works on. It must be unique among the processes sharing the database and
// stable for the life of the process; the default (host name, process id
// and a random part) is.
func WithOwner(id string) Option {
	return func(c *config) error {
		if id == "" || len(id) > 200 {
			return errors.New("journal: owner id must be 1 to 200 bytes")
		}
		c.owner = id
		return nil
	}
}

// WithLease sets how long this process is presumed alive on a sale after a
// write; see [DefaultLease]. Every process sharing a database should use
// the same lease.
func WithLease(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("journal: lease must be positive")
		}
		c.lease = d
		return nil
	}
}

// WithBusyTimeout sets how long an SQLite write waits for another process
// to finish its write (SQLite only); see [DefaultBusyTimeout].
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) error {
		if c.backend != backendSQLite {
			return errors.New("journal: WithBusyTimeout applies to SQLite only")
		}
		if d < time.Millisecond {
			return errors.New("journal: busy timeout must be at least a millisecond")
		}
		c.busyTimeout = d
		return nil
	}
}

// WithSchema sets the PostgreSQL schema that holds the journal's tables
// (PostgreSQL only); see [DefaultSchema]. Open creates it when it does not
// exist. Processes sharing a journal must name the same schema.
func WithSchema(name string) Option {
	return func(c *config) error {
		if c.backend != backendPostgres {
			return errors.New("journal: WithSchema applies to PostgreSQL only")
		}
		if name == "" || len(name) > 63 {
			return errors.New("journal: schema name must be 1 to 63 bytes")
		}
		c.schema = name
		return nil
	}
}

// WithMaxConns bounds the connections the Store opens to the database
// (default 4 for SQLite, 8 for PostgreSQL).
func WithMaxConns(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return errors.New("journal: max connections must be at least 1")
		}
		c.maxConns = n
		return nil
	}
}

// newConfig applies opts over the defaults of backend.
func newConfig(backend string, opts []Option) (*config, error) {
	c := &config{
		backend:     backend,
		lease:       DefaultLease,
		busyTimeout: DefaultBusyTimeout,
		schema:      DefaultSchema,
		maxConns:    defaultPostgresConns,
	}
	if backend == backendSQLite {
		c.maxConns = defaultSQLiteConns
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.owner == "" {
		c.owner = defaultOwner()
	}
	return c, nil
}

// defaultOwner names this process: readable for an operator (which host,
// which pid) and unique even when a container reuses both.
func defaultOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// open finishes an Open common to both backends: the pool bounds, the
// ping, the migrations. It closes db when it fails.
func open(ctx context.Context, db *sql.DB, d *dialect, cfg *config, schema string) (*Store, error) {
	db.SetMaxOpenConns(cfg.maxConns)
	db.SetMaxIdleConns(cfg.maxConns)
	s := &Store{
		db:      db,
		dialect: d,
		schema:  schema,
		owner:   cfg.owner,
		lease:   cfg.lease,
		q:       newQueries(d, schema),
	}
	if d.oneWriter {
		s.writeSlot = make(chan struct{}, 1)
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("journal: open %s: %w", d.name, err)
	}
	if err := s.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// write runs fn in a write transaction and commits it: one durable commit
// per journal write.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.writeSlot != nil {
		select {
		case s.writeSlot <- struct{}{}:
			defer func() { <-s.writeSlot }()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// read runs fn in a read-only transaction, so that what it reads in
// several queries is one snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, s.dialect.readTx)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a read-only transaction has nothing to keep
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
