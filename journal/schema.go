package journal

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"time"
)

// The schema of each backend is the list of migrations in
// migrations/<backend>/, applied in the order of their names. Migration n
// (counting from 1) brings a database to schema version n; the version a
// database is at is the highest one recorded in its schema_version table.
// A migration, once released, is never edited: a change is a new file.
//
//go:embed migrations
var migrationFiles embed.FS

// ErrSchemaTooNew is matched (with errors.Is) by the error of an Open whose
// database was migrated by a newer release of this package: this code does
// not know its tables and must not write them.
var ErrSchemaTooNew = errors.New("journal: database schema is newer than this code")

// SchemaVersionError reports a database at a schema version this code does
// not know. It matches ErrSchemaTooNew.
type SchemaVersionError struct {
	// Found is the database's version; Known the newest this code knows.
	Found, Known int
}

// Error implements error.
func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("journal: database schema version %d is newer than %d, the newest this code knows", e.Found, e.Known)
}

// Unwrap makes the error match ErrSchemaTooNew.
func (e *SchemaVersionError) Unwrap() error { return ErrSchemaTooNew }

// migrations returns the migrations of a backend, in order.
func migrations(backend string) ([]string, error) {
	dir := path.Join("migrations", backend)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if path.Ext(e.Name()) == ".sql" {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	out := make([]string, len(names))
	for i, name := range names {
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out[i] = string(b)
	}
	return out, nil
}

// migrate brings the database to the newest schema version in one
// transaction. The dialect's beginMigration serialises migrations between
// processes where the transaction alone does not (PostgreSQL). Opening a database that is up to
// date writes nothing.
func (s *Store) migrate(ctx context.Context) error {
	steps, err := migrations(s.dialect.name)
	if err != nil {
		return fmt.Errorf("journal: read migrations: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("journal: migrate: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op; on failure the first error is the one to report
	if s.dialect.beginMigration != nil {
		if err := s.dialect.beginMigration(ctx, tx, s.schema); err != nil {
			return fmt.Errorf("journal: migrate: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.q.createSchemaVersion); err != nil {
		return fmt.Errorf("journal: migrate: %w", err)
	}
	var found int
	if err := tx.QueryRowContext(ctx, s.q.schemaVersion).Scan(&found); err != nil {
		return fmt.Errorf("journal: migrate: %w", err)
	}
	if found > len(steps) {
		return &SchemaVersionError{Found: found, Known: len(steps)}
	}
	if found == len(steps) {
		return nil
	}
	for v := found + 1; v <= len(steps); v++ {
		if _, err := tx.ExecContext(ctx, steps[v-1]); err != nil {
			return fmt.Errorf("journal: migrate to schema version %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, s.q.setSchemaVersion, v, s.dialect.timeArg(time.Now())); err != nil {
			return fmt.Errorf("journal: migrate to schema version %d: %w", v, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("journal: migrate: %w", err)
	}
	return nil
}

// SchemaVersion returns the schema version of the database, which after a
// successful Open is the newest this code knows.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.db.QueryRowContext(ctx, s.q.schemaVersion).Scan(&v); err != nil {
		return 0, fmt.Errorf("journal: schema version: %w", err)
	}
	return v, nil
}
