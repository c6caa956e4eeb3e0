package journaltest

import (
	"fmt"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTB records how PostgresDSN ended a test, without ending this one.
type fakeTB struct {
	testing.TB
	skipped, failed string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Skipf(format string, args ...any) { f.skipped = fmt.Sprintf(format, args...) }

func (f *fakeTB) Fatalf(format string, args ...any) { f.failed = fmt.Sprintf(format, args...) }

// TestPostgresDSN sets environment variables, so it cannot run in
// parallel.
func TestPostgresDSN(t *testing.T) {
	up, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer up.Close()
	down, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	downAddr := down.Addr().String()
	require.NoError(t, down.Close())

	upURL := "postgres://postgres:pw-secret@" + up.Addr().String() + "/test?sslmode=disable"
	upHost, upPort, err := net.SplitHostPort(up.Addr().String())
	require.NoError(t, err)
	upKV := "host=" + upHost + " port=" + upPort + " user=postgres password=pw-secret"
	downURL := "postgres://postgres:pw-secret@" + downAddr + "/test"

	for _, c := range []struct {
		name, dsn, ci string
		want          string // the DSN returned, "" when the test ends
		skip, fail    bool
	}{
		{name: "unset", skip: true},
		{name: "unset under CI", ci: "true", fail: true},
		{name: "reachable URL", dsn: upURL, want: upURL},
		{name: "reachable key=value", dsn: upKV, want: upKV},
		{name: "reachable under CI", dsn: upURL, ci: "true", want: upURL},
		{name: "unreachable", dsn: downURL, skip: true},
		{name: "unreachable under CI", dsn: downURL, ci: "true", fail: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(PostgresDSNEnv, c.dsn)
			t.Setenv("CI", c.ci)
			f := &fakeTB{TB: t}
			assert.Equal(t, c.want, PostgresDSN(f))
			assert.Equal(t, c.skip, f.skipped != "", "skipped: %q", f.skipped)
			assert.Equal(t, c.fail, f.failed != "", "failed: %q", f.failed)
			for _, msg := range []string{f.skipped, f.failed} {
				assert.NotContains(t, msg, "pw-secret", "the DSN's password stays out")
			}
			if c.skip {
				assert.Contains(t, f.skipped, PostgresDSNEnv+"=postgres://", "says how to run it")
			}
		})
	}
}

func TestSchemaName(t *testing.T) {
	t.Parallel()
	a, b := SchemaName(t), SchemaName(t)
	assert.Regexp(t, `^instore_test_[0-9a-f]{12}$`, a)
	assert.NotEqual(t, a, b)
}
