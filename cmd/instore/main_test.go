package main

import (
	"bytes"
	"context"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/journal"
	"github.com/instorepay/instore/journal/journaltest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the SQLite runs")

// testSales is the size of the simulated day most tests sell: big enough
// for every role and refunds, small enough to sell in a moment.
const testSales = 40

// backends are the journals every command that touches one is tested on.
var backends = []string{"sqlite", "postgres"}

// day is a simulated day for one test, on one journal backend.
type day struct {
	t       *testing.T
	backend string
	w       *world
	sim     *simulation
	env     map[string]string
	ids     atomic.Int64
	// journalArg is the day's journal as --journal names it; schema is its
	// PostgreSQL schema.
	journalArg, schema string
}

// schemaArgs are the flags that name the day's PostgreSQL schema.
func (d *day) schemaArgs() []string {
	if d.schema == "" {
		return nil
	}
	return []string{"--schema", d.schema}
}

// newDay sells a simulated day of n sales on backend ("sqlite" or
// "postgres": a fresh schema, dropped when the test ends).
func newDay(t *testing.T, backend string, n int) *day {
	t.Helper()
	d := &day{t: t, backend: backend, env: map[string]string{}}
	cfg := simConfig{sales: n}
	if backend == "sqlite" {
		path := filepath.Join(t.TempDir(), "journal.db")
		d.journalArg = "sqlite:" + path
		cfg.open = func(ctx context.Context, opts ...journal.Option) (simJournal, func(), error) {
			s, err := journal.OpenSQLite(ctx, path, opts...)
			return s, func() {}, err
		}
	} else {
		dsn := journaltest.PostgresDSN(t)
		d.journalArg, d.schema = dsn, journaltest.SchemaName(t)
		t.Cleanup(func() { dropSchema(t, dsn, d.schema) })
		cfg.open = func(ctx context.Context, opts ...journal.Option) (simJournal, func(), error) {
			s, err := journal.OpenPostgres(ctx, dsn, append(opts, journal.WithSchema(d.schema))...)
			return s, func() {}, err
		}
	}
	var err error
	d.w, d.sim, err = simulate(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(d.w.close)
	return d
}

// onEachBackend runs test in a parallel subtest per journal backend, each
// on a simulated day of n sales of its own.
func onEachBackend(t *testing.T, n int, test func(t *testing.T, d *day)) {
	t.Helper()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			test(t, newDay(t, backend, n))
		})
	}
}

// dropSchema drops a test's PostgreSQL schema with everything in it.
func dropSchema(t *testing.T, dsn, schema string) {
	conf, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	db := stdlib.OpenDB(*conf)
	defer db.Close()
	_, err = db.ExecContext(context.WithoutCancel(t.Context()), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`)
	assert.NoError(t, err)
}

// result is one run of the tool.
type result struct {
	stdout, stderr string
	code           int
}

// app is the tool as a test runs it: --simulate is this day (kept across
// runs, and changed by mod first when it is set), the environment is
// d.env, refund ids count up.
func (d *day) app(mod func(*world)) *app {
	shared := *d.w
	shared.close = func() {} // the day outlives each run
	shared.acquirers = maps.Clone(d.w.acquirers)
	if mod != nil {
		mod(&shared)
	}
	return &app{
		getenv: func(k string) string { return d.env[k] },
		newID:  func() string { return "generated-" + strconv.FormatInt(d.ids.Add(1), 10) },
		simulate: func(context.Context) (*world, error) {
			w := shared
			return &w, nil
		},
	}
}

// run runs the tool in process with args.
func (d *day) run(args ...string) result {
	d.t.Helper()
	return runApp(d.t, d.app(nil), args)
}

// runWith runs the tool on the day as mod changes it.
func (d *day) runWith(mod func(*world), args ...string) result {
	d.t.Helper()
	return runApp(d.t, d.app(mod), args)
}

// runTTY runs the tool as if standard error were a terminal.
func (d *day) runTTY(args ...string) result {
	d.t.Helper()
	a := d.app(nil)
	a.stderrTTY = true
	return runApp(d.t, a, args)
}

// runApp runs a with args, its stdout and stderr captured.
func runApp(t *testing.T, a *app, args []string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a.stdout, a.stderr = &stdout, &stderr
	code := a.run(t.Context(), args)
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// omiseSalt matches the random part of an Omise simulator's ids: one per
// simulator, so it differs from run to run.
var omiseSalt = regexp.MustCompile(`\b((?:chrg|rfnd)_test_)[0-9a-z]{6}([0-9a-z]{13})\b`)

// normalize makes output comparable across runs: the Omise simulator's
// random id part is replaced, and nothing else.
func normalize(s string) string {
	return omiseSalt.ReplaceAllString(s, "${1}SALT00${2}")
}

// golden compares got with testdata/name, or rewrites the file with
// -update (from the SQLite runs only, so parallel backends do not race).
func (d *day) golden(name, got string) {
	d.t.Helper()
	got = normalize(got)
	path := filepath.Join("testdata", name)
	if *update && d.backend == "sqlite" {
		require.NoError(d.t, os.MkdirAll("testdata", 0o755))
		require.NoError(d.t, os.WriteFile(path, []byte(got), 0o600))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(d.t, err, "run go test ./cmd/instore -update to create it")
	assert.Equal(d.t, string(want), got, "output differs from %s (go test ./cmd/instore -update rewrites it)", path)
}

// outputFormats are the three ways a command prints, each with the flags
// that ask for it and the extension of its golden file.
var outputFormats = []struct {
	ext   string
	flags []string
}{
	{"txt", nil},
	{"json", []string{"--json"}},
	{"csv", []string{"--csv"}},
}

// goldenOutputs runs command with --simulate in each output format: each
// run exits with code, prints nothing on stderr (no progress line either:
// stderr is no terminal), and prints testdata/<command>.<ext>.
func (d *day) goldenOutputs(command string, code int) {
	d.t.Helper()
	for _, f := range outputFormats {
		r := d.run(append([]string{command, "--simulate"}, f.flags...)...)
		require.Equal(d.t, code, r.code, r.stderr)
		assert.Empty(d.t, r.stderr, f.ext)
		d.golden(command+"."+f.ext, r.stdout)
	}
}

// lines splits output into its lines.
func lines(s string) []string {
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}
