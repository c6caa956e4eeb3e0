package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runBare runs the tool with no simulated day behind --simulate, and env
// as the whole environment.
func runBare(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return runApp(t, &app{
		getenv: func(k string) string { return env[k] },
		newID:  func() string { return "id" },
		simulate: func(context.Context) (*world, error) {
			t.Error("--simulate was not expected")
			return nil, os.ErrInvalid
		},
	}, args)
}

func TestHelp(t *testing.T) {
	t.Parallel()
	r := runBare(t, nil, "help")
	require.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stderr)
	d := &day{t: t, backend: "sqlite"}
	d.golden("help.txt", r.stdout)

	none := runBare(t, nil)
	assert.Equal(t, exitUsage, none.code, "no command is bad usage")
	assert.Equal(t, r.stdout, none.stderr, "and the usage goes to stderr")
	assert.Empty(t, none.stdout)

	env := runBare(t, nil, "help", "environment")
	require.Equal(t, exitOK, env.code)
	for _, v := range []string{
		envJournal, envOmiseSecretKey, envOmisePublicKey, envOmiseBaseURL,
		envAlipayClientID, envAlipayPrivateKeyFile, envAlipayPublicKeyFile, envAlipayBaseURL, envAlipayFlavor,
		envAlipayMerchantID, envAlipayMerchantName, envAlipayMerchantMCC, envAlipayStoreID, envAlipayStoreName, envAlipayStoreMCC,
		envPPROLogin, envPPROPassword, envPPROContractID, envPPROChannel, envPPROBaseURL, envPPRONotificationURL,
		envPPROCertFile, envPPROKeyFile, envPPROCAFile,
	} {
		assert.Contains(t, env.stdout, "\t"+v+" ", "help environment documents %s", v)
	}
}

// TestCommandHelp: every command has help, reached three ways, with its
// flags and an example of itself.
func TestCommandHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runBare(t, nil, "help", c.name)
			require.Equal(t, exitOK, r.code)
			assert.True(t, strings.HasPrefix(r.stdout, "usage: instore "+c.name+" "), r.stdout)
			assert.Contains(t, r.stdout, "\nExample:\n\n\tinstore "+c.name+" ")
			assert.Contains(t, r.stdout, "\n  --journal sqlite:PATH\n")
			assert.Contains(t, r.stdout, "\n  --simulate\n")
			for _, flagArg := range []string{"--help", "-h", "-help"} {
				byFlag := runBare(t, nil, c.name, flagArg)
				assert.Equal(t, exitOK, byFlag.code)
				assert.Equal(t, r.stdout, byFlag.stdout, flagArg)
				assert.Empty(t, byFlag.stderr)
			}
			assert.Contains(t, runBare(t, nil, "help").stdout, "\t"+c.name+" ", "listed in instore help")
		})
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nowhere.db")
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"unknown command", nil, []string{"sell"}, exitUsage, "instore sell: unknown command\nRun 'instore help' for usage.\n"},
		{"unknown help", nil, []string{"help", "sell"}, exitUsage, "instore help sell: unknown command\n"},
		{"help of two", nil, []string{"help", "sales", "show"}, exitUsage, "usage: instore help [command]\n"},
		{"unknown flag", nil, []string{"sales", "--bogus"}, exitUsage, "instore sales: flag provided but not defined: -bogus\nusage: instore sales ["},
		{"json and csv", nil, []string{"sales", "--json", "--csv"}, exitUsage, "instore sales: --json and --csv do not go together\n"},
		{"no journal", nil, []string{"sales"}, exitUsage, "instore sales: no journal: give --journal sqlite:PATH or --journal postgres://..., set INSTORE_JOURNAL, or try --simulate\n"},
		{"journal of another kind", nil, []string{"sales", "--journal", "mysql://u:hunter2@db/x"}, exitUsage, "instore sales: --journal must be sqlite:PATH or a postgres:// or postgresql:// URL\n"},
		{"journal of another kind by env", map[string]string{envJournal: "/var/lib/pos/journal.db"}, []string{"sales"}, exitUsage, "--journal must be sqlite:PATH"},
		{"sqlite without a path", nil, []string{"sales", "--journal", "sqlite:"}, exitUsage, "--journal sqlite: needs a path"},
		{"no sqlite file", nil, []string{"sales", "--journal", "sqlite:" + missing}, exitError, "instore sales: no journal at " + missing + "\n"},
		{"simulate with a journal", nil, []string{"sales", "--simulate", "--journal", "sqlite:x.db"}, exitUsage, "instore sales: --simulate runs on a journal of its own; leave out --journal\n"},
		{"bad state", nil, []string{"sales", "--state", "paid"}, exitUsage, "instore sales: --state: unknown state \"paid\"\n"},
		{"bad date", nil, []string{"sales", "--from", "yesterday"}, exitUsage, "instore sales: --from: want a day (2026-03-02) or an RFC 3339 time (2026-03-02T08:00:00Z)\n"},
		{"backwards", nil, []string{"sales", "--from", "2026-03-03", "--to", "2026-03-02"}, exitUsage, "instore sales: --from must be before --to\n"},
		{"negative limit", nil, []string{"sales", "--limit", "-1"}, exitUsage, "instore sales: --limit must not be negative\n"},
		{"sales takes no arguments", nil, []string{"sales", "sale-1"}, exitUsage, "instore sales: too many arguments: 1 given, 0 expected\n"},
		{"reconcile period", nil, []string{"reconcile", "--from", "2026-03-02", "--to", "2026-03-02"}, exitUsage, "instore reconcile: --from must be before --to\n"},
		{"acquirer half configured", map[string]string{envJournal: "sqlite:x.db", envPPROLogin: "merchant"}, []string{"recover"}, exitUsage, "instore recover: ppro: PPRO_PASSWORD is not set\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runBare(t, tc.env, tc.args...)
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, tc.stderr)
			assert.Empty(t, r.stdout, "errors go to stderr")
			assert.NotContains(t, r.stderr, "hunter2")
		})
	}
}

// TestPostgresDSNNeverPrinted: a journal that cannot be opened is named
// without its user or password, whether the DSN came by flag or by env.
func TestPostgresDSNNeverPrinted(t *testing.T) {
	t.Parallel()
	const dsn = "postgres://operator:s3cr3t-pw@127.0.0.1:1/journal?sslmode=disable&connect_timeout=2"
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"flag", nil, []string{"sales", "--journal", dsn}},
		{"env", map[string]string{envJournal: dsn}, []string{"sales"}},
		{"password in the query", nil, []string{"sales", "--journal", "postgresql://operator@127.0.0.1:1/journal?password=s3cr3t-pw&connect_timeout=2"}},
		{"not a URL", nil, []string{"sales", "--journal", "postgres://operator:s3cr3t-pw@[::1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runBare(t, tc.env, tc.args...)
			assert.Equal(t, exitError, r.code, r.stderr)
			assert.Contains(t, r.stderr, "instore sales: opening the journal postgres")
			assert.NotContains(t, r.stderr, "s3cr3t")
			assert.NotContains(t, r.stderr, "operator:")
		})
	}
}

func TestParseInterspersed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args     []string
		want     []string
		refundID string
		json     bool
	}{
		{args: []string{"a", "b"}, want: []string{"a", "b"}},
		{args: []string{"a", "b", "--refund-id", "r1"}, want: []string{"a", "b"}, refundID: "r1"},
		{args: []string{"--json", "a", "--refund-id=r1", "b"}, want: []string{"a", "b"}, refundID: "r1", json: true},
		{args: []string{"a", "--", "--json", "-b"}, want: []string{"a", "--json", "-b"}},
		{args: []string{"--", "-a"}, want: []string{"-a"}},
		{args: nil, want: nil},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		var refundID string
		var js bool
		fs.StringVar(&refundID, "refund-id", "", "")
		fs.BoolVar(&js, "json", false, "")
		got, err := parseInterspersed(fs, tc.args)
		require.NoError(t, err, tc.args)
		assert.Equal(t, tc.want, got, tc.args)
		assert.Equal(t, tc.refundID, refundID, tc.args)
		assert.Equal(t, tc.json, js, tc.args)
	}
}

func TestJournalSpec(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, name string
		bad      bool
	}{
		{in: "sqlite:/var/lib/pos/journal.db", name: "sqlite:/var/lib/pos/journal.db"},
		{in: "sqlite:journal.db", name: "sqlite:journal.db"},
		{in: "postgres://pos:pw@db.internal:5432/sales?sslmode=require", name: "postgres://db.internal:5432/sales"},
		{in: "postgresql://db.internal/sales", name: "postgres://db.internal/sales"},
		{in: "sqlite:", bad: true},
		{in: "journal.db", bad: true},
		{in: "host=db password=pw", bad: true},
	} {
		spec, err := parseJournal(tc.in)
		if tc.bad {
			require.Error(t, err, tc.in)
			assert.NotContains(t, err.Error(), "pw", "the value is never echoed")
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.name, spec.String())
	}
	assert.Equal(t, "connecting: xxxxx refused; again xxxxx", scrubPassword("connecting: pw1 refused; again pw1", "postgres://u:pw1@h/db"))
}

func TestIsTerminal(t *testing.T) {
	t.Parallel()
	assert.False(t, isTerminal(&bytes.Buffer{}))
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f), "a file is not a terminal")
}
