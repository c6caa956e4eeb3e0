package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

	"github.com/instorepay/instore/journal"
)

// envJournal names the journal when --journal is not given.
const envJournal = "INSTORE_JOURNAL"

// journalSpec is a parsed --journal: an SQLite file or a PostgreSQL DSN.
type journalSpec struct {
	sqlitePath  string
	postgresDSN string
}

// parseJournal reads sqlite:PATH, postgres://... or postgresql://...
func parseJournal(s string) (journalSpec, error) {
	switch {
	case strings.HasPrefix(s, "sqlite:"):
		p := strings.TrimPrefix(s, "sqlite:")
		if p == "" {
			return journalSpec{}, errors.New("--journal sqlite: needs a path (sqlite:/var/lib/pos/journal.db)")
		}
		return journalSpec{sqlitePath: p}, nil
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		return journalSpec{postgresDSN: s}, nil
	}
	return journalSpec{}, errBadJournal
}

// errBadJournal is a --journal of no kind the tool knows. It never echoes
// the value, which may be a DSN with a password.
var errBadJournal = errors.New("--journal must be sqlite:PATH or a postgres:// or postgresql:// URL")

// String names the journal for people: the SQLite path, or the PostgreSQL
// host and database with no user or password.
func (j journalSpec) String() string {
	if j.sqlitePath != "" {
		return "sqlite:" + j.sqlitePath
	}
	u, err := url.Parse(j.postgresDSN)
	if err != nil {
		return "postgres"
	}
	return "postgres://" + u.Host + u.Path
}

// open opens the journal. An SQLite file must exist: the tool reads a
// till's journal, and OpenSQLite would create an empty one at a mistyped
// path.
func (j journalSpec) open(ctx context.Context, opts ...journal.Option) (*journal.Store, error) {
	if j.sqlitePath != "" {
		if _, err := os.Stat(j.sqlitePath); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no journal at %s", j.sqlitePath)
		}
		s, err := journal.OpenSQLite(ctx, j.sqlitePath, opts...)
		if err != nil {
			return nil, fmt.Errorf("opening the journal %s: %w", j, err)
		}
		return s, nil
	}
	s, err := journal.OpenPostgres(ctx, j.postgresDSN, opts...)
	if err != nil {
		return nil, fmt.Errorf("opening the journal %s: %s", j, scrubPassword(err.Error(), j.postgresDSN))
	}
	return s, nil
}

// scrubPassword removes the DSN's password from msg, wherever a driver
// error may have repeated it.
func scrubPassword(msg, dsn string) string {
	u, err := url.Parse(dsn)
	if err == nil {
		if p, ok := u.User.Password(); ok && p != "" {
			msg = strings.ReplaceAll(msg, p, "xxxxx")
		}
		for _, p := range u.Query()["password"] {
			if p != "" {
				msg = strings.ReplaceAll(msg, p, "xxxxx")
			}
		}
	}
	return msg
}
