package journaltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// PostgresDSNEnv names the environment variable that gives tests a
// PostgreSQL to use: a pgx connection string, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresDSNEnv = "INSTORE_TEST_POSTGRES_DSN"

// dialTimeout bounds the check that the server is there.
const dialTimeout = 2 * time.Second

// PostgresDSN returns the connection string of the test PostgreSQL, after
// checking that its server accepts connections. When none is configured,
// or it does not answer, the test is skipped with a line saying how to run
// it, or, under CI (CI=true), it fails: CI must not pass by skipping the
// backend a fleet uses.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresDSNEnv)
	problem := ""
	if dsn == "" {
		problem = PostgresDSNEnv + " is not set"
	} else if err := reachable(t.Context(), dsn); err != "" {
		problem = "PostgreSQL from " + PostgresDSNEnv + " is unreachable: " + err
	}
	if problem == "" {
		return dsn
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI runs the PostgreSQL tests (.ci/run sets it to the local server)", problem)
		return ""
	}
	t.Skipf("%s; run with %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable go test ./journal/...",
		problem, PostgresDSNEnv)
	return ""
}

// reachable reports why the server of dsn cannot be reached, or "". It
// only looks for something listening at the address (TCP or a Unix
// socket); the test that opens the database reports anything else. It
// never echoes the DSN, which may carry a password.
func reachable(ctx context.Context, dsn string) string {
	host, port := "localhost", "5432"
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "the connection string is not a valid URL"
		}
		if h := u.Hostname(); h != "" {
			host = h
		}
		if p := u.Port(); p != "" {
			port = p
		}
		if h := u.Query().Get("host"); h != "" {
			host = h
		}
		if p := u.Query().Get("port"); p != "" {
			port = p
		}
	} else {
		for _, kv := range strings.Fields(dsn) {
			k, v, _ := strings.Cut(kv, "=")
			v = strings.Trim(v, "'")
			switch k {
			case "host":
				host = v
			case "port":
				port = v
			}
		}
	}
	host, _, _ = strings.Cut(host, ",") // the first of several hosts
	port, _, _ = strings.Cut(port, ",")
	network, addr := "tcp", net.JoinHostPort(host, port)
	if strings.HasPrefix(host, "/") {
		network, addr = "unix", filepath.Join(host, ".s.PGSQL."+port)
	}
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return "nothing answers at " + addr
	}
	_ = conn.Close()
	return ""
}

// SchemaName returns a new PostgreSQL schema name for one test, so that
// tests sharing a database run in parallel without meeting. The name
// starts with "instore_test_", which tells an operator what may be
// dropped.
func SchemaName(t testing.TB) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "instore_test_" + hex.EncodeToString(b[:])
}
