package transport

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer collects log output from concurrent attempts.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLogsCarryNoSecrets(t *testing.T) {
	t.Parallel()
	const (
		secretKey   = "skey_test_5xs8lfbu2zkb1s3tqhx"
		paymentCode = "281234567890123456"
		query       = "barcode=" + paymentCode
	)
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(secretKey))
			return
		}
		_, _ = w.Write([]byte(`{"barcode":"` + paymentCode + `"}`))
	}))
	t.Cleanup(srv.Close)
	var out lockedBuffer
	cfg := fastConfig()
	cfg.Logger = slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg.Service = "omise"
	c := newClient(t, cfg)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	req.SetBasicAuth(secretKey, "")

	_, err = c.Do(t.Context(), &Request{
		Method:    http.MethodGet,
		URL:       srv.URL + "/charges/chrg_1?" + query,
		Header:    req.Header,
		RequestID: "req-42",
	})
	require.NoError(t, err)

	logs := out.String()
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	require.Len(t, lines, 2, "one record per attempt")
	for _, key := range []string{`"method":"GET"`, `"path":"/charges/chrg_1"`, `"attempt":1`, `"attempt":2`, `"status":503`, `"status":200`, `"duration":`, `"request_id":"req-42"`, `"acquirer":"omise"`} {
		assert.Contains(t, logs, key)
	}
	for _, secret := range []string{secretKey, paymentCode, req.Header.Get("Authorization"), query, srv.Listener.Addr().String()} {
		assert.NotContains(t, logs, secret)
	}
}

func TestNoLoggerNoLogs(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig())
	_, err := c.Do(t.Context(), &Request{Method: http.MethodGet, URL: srv.URL})
	require.NoError(t, err)
	assert.Nil(t, c.logger)
}

func TestLogPathHidesTheURLPath(t *testing.T) {
	t.Parallel()
	const token = "7B4EC593C20E0A8A"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	t.Cleanup(srv.Close)
	var out lockedBuffer
	cfg := fastConfig()
	cfg.Logger = slog.New(slog.NewJSONHandler(&out, nil))
	c := newClient(t, cfg)

	_, err := c.Do(t.Context(), &Request{Method: http.MethodGet, URL: srv.URL + "/charges/chrg_1/documents/docu_1/downloads/" + token, LogPath: "/documents/download"})
	require.NoError(t, err)
	assert.Contains(t, out.String(), `"path":"/documents/download"`)
	assert.NotContains(t, out.String(), token)

	_, err = c.Do(t.Context(), &Request{Method: http.MethodGet, URL: "http://127.0.0.1:1/downloads/" + token, LogPath: "/documents/download"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), token)
}
