package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastConfig keeps real-network tests quick: the waits between attempts are
// at most a millisecond. Tests of the waits themselves run under synctest.
func fastConfig() Config {
	return Config{BackoffBase: time.Microsecond, BackoffCap: time.Millisecond, Timeout: 5 * time.Second}
}

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(c.HTTPClient().CloseIdleConnections)
	return c
}

// recorder is a server handler that counts requests and keeps their bodies.
type recorder struct {
	mu     sync.Mutex
	bodies [][]byte
}

func (r *recorder) record(req *http.Request) int {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bodies = append(r.bodies, b)
	return len(r.bodies)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.bodies)
}

// hangUp closes the client's connection without an answer, after the
// request was read: the server acted, the answer is lost.
func hangUp(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}

func TestDoRetriesGetAfter503(t *testing.T) {
	t.Parallel()
	var rec recorder
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec.record(r) < 3 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig())

	resp, err := c.Do(t.Context(), &Request{Method: http.MethodGet, URL: srv.URL + "/charges/chrg_1"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"ok":true}`, string(resp.Body))
	assert.Equal(t, 3, resp.Attempts)
	assert.Equal(t, 3, rec.count())
}

func TestDoGivesUpAfterMaxRetries(t *testing.T) {
	t.Parallel()
	var rec recorder
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		http.Error(w, "down", http.StatusBadGateway)
	}))
	t.Cleanup(srv.Close)
	cfg := fastConfig()
	cfg.MaxRetries = 4
	c := newClient(t, cfg)

	resp, err := c.Do(t.Context(), &Request{Method: http.MethodGet, URL: srv.URL})
	require.NoError(t, err, "a 5xx is an answer; mapping it to an error is the caller's job")
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Equal(t, 5, resp.Attempts)
	assert.Equal(t, 5, rec.count())
}

func TestDoNoRetries(t *testing.T) {
	t.Parallel()
	var rec recorder
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	cfg := fastConfig()
	cfg.MaxRetries = NoRetries
	c := newClient(t, cfg)

	resp, err := c.Do(t.Context(), &Request{Method: http.MethodGet, URL: srv.URL})
	require.NoError(t, err)
	assert.Equal(t, 1, resp.Attempts)
	assert.Equal(t, 1, rec.count())
}

func TestDoStatusRetryRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		idempotent bool
		status     int
		wantHits   int
	}{
		{"POST 500 is not sent again: the charge may exist", http.MethodPost, false, 500, 1},
		{"POST 503 is not sent again", http.MethodPost, false, 503, 1},
		{"POST 429 is retried: the server refused it", http.MethodPost, false, 429, 3},
		{"idempotent POST 502 is retried", http.MethodPost, true, 502, 3},
		{"GET 500 is retried", http.MethodGet, false, 500, 3},
		{"POST 400 is final", http.MethodPost, true, 400, 1},
		{"GET 404 is final", http.MethodGet, false, 404, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var rec recorder
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec.record(r)
				w.WriteHeader(tt.status)
			}))
			t.Cleanup(srv.Close)
			c := newClient(t, fastConfig())

			resp, err := c.Do(t.Context(), &Request{Method: tt.method, URL: srv.URL, Body: []byte("amount=1"), Idempotent: tt.idempotent})
			require.NoError(t, err)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.Equal(t, tt.wantHits, rec.count())
			assert.Equal(t, tt.wantHits, resp.Attempts)
		})
	}
}

func TestDoPostDroppedAfterReadIsSentOnce(t *testing.T) {
	t.Parallel()
	var rec recorder
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		hangUp(t, w)
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig())

	resp, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: srv.URL + "/charges", Body: []byte("amount=400000&currency=THB")})
	require.Error(t, err)
	assert.Nil(t, resp)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	var te *Error
	require.ErrorAs(t, err, &te)
	assert.True(t, te.OutcomeUnknown)
	assert.Equal(t, 1, te.Attempts)
	assert.Equal(t, 1, rec.count(), "a written POST must never be sent again")
	assert.Contains(t, err.Error(), "POST /charges")
}

func TestDoIdempotentPostDroppedIsRetriedWithSameBody(t *testing.T) {
	t.Parallel()
	var rec recorder
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec.record(r) == 1 {
			hangUp(t, w)
			return
		}
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig())
	body := []byte(`{"paymentRequestId":"pr-1","paymentAmount":{"currency":"THB","value":"100"}}`)

	resp, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: srv.URL + "/pay", Body: body, Idempotent: true})
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)
	require.Equal(t, 2, rec.count())
	assert.Equal(t, body, rec.bodies[0])
	assert.Equal(t, body, rec.bodies[1])
}

func TestDoIdempotentPostAllDroppedIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	var rec recorder
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		hangUp(t, w)
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig())

	_, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: srv.URL, Body: []byte("{}"), Idempotent: true})
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Equal(t, 3, rec.count())
}

func TestDoPostNeverWrittenIsRetried(t *testing.T) {
	t.Parallel()
	// A listener that is closed at once: every dial is refused, so the
	// request provably never left the machine.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	var dials atomic.Int32
	tr := NewHTTPTransport()
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		dials.Add(1)
		return dial(ctx, network, a)
	}
	cfg := fastConfig()
	cfg.HTTPClient = &http.Client{Transport: tr}
	c := newClient(t, cfg)

	_, err = c.Do(t.Context(), &Request{Method: http.MethodPost, URL: "http://" + addr + "/charges", Body: []byte("amount=1")})
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrOutcomeUnknown, "a refused dial sent nothing")
	var te *Error
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 3, te.Attempts)
	assert.Equal(t, int32(3), dials.Load())
}

// silentTransport fails every request without firing any httptrace hook, as
// a RoundTripper that does not use net/http's transport would.
type silentTransport struct{ calls atomic.Int32 }

func (s *silentTransport) RoundTrip(*http.Request) (*http.Response, error) {
	s.calls.Add(1)
	return nil, errors.New("connection reset")
}

func TestDoWithoutTraceEvidenceAssumesDelivered(t *testing.T) {
	t.Parallel()
	rt := &silentTransport{}
	cfg := fastConfig()
	cfg.HTTPClient = &http.Client{Transport: rt}
	c := newClient(t, cfg)

	_, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: "http://127.0.0.1:1/charges", Body: []byte("amount=1")})
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Equal(t, int32(1), rt.calls.Load(), "with no proof it was not written, a POST is not sent again")

	_, err = c.Do(t.Context(), &Request{Method: http.MethodGet, URL: "http://127.0.0.1:1/charges/chrg_1"})
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrOutcomeUnknown, "a GET changes nothing")
	assert.Equal(t, int32(4), rt.calls.Load())
}

// writtenThenHang is a RoundTripper that reports, through httptrace as
// net/http does, that the request was written, then never answers.
type writtenThenHang struct{ calls atomic.Int32 }

func (w *writtenThenHang) RoundTrip(r *http.Request) (*http.Response, error) {
	w.calls.Add(1)
	if tr := httptrace.ContextClientTrace(r.Context()); tr != nil {
		tr.GetConn("api.example:443")
		tr.WroteRequest(httptrace.WroteRequestInfo{})
	}
	<-r.Context().Done()
	return nil, r.Context().Err()
}

func TestDoAttemptTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rt := &writtenThenHang{}
		cfg := fastConfig()
		cfg.HTTPClient = &http.Client{Transport: rt}
		cfg.Timeout = 5 * time.Second
		c := newClient(t, cfg)
		start := time.Now()

		_, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: "https://api.example/charges", Body: []byte("amount=1")})
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, int32(1), rt.calls.Load(), "a written POST that timed out is not sent again")
		assert.Equal(t, 5*time.Second, time.Since(start))

		_, err = c.Do(t.Context(), &Request{Method: http.MethodGet, URL: "https://api.example/charges/chrg_1"})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NotErrorIs(t, err, ErrOutcomeUnknown)
		assert.Equal(t, int32(4), rt.calls.Load(), "a GET that timed out is retried")
	})
}

func TestDoBodyCap(t *testing.T) {
	t.Parallel()
	const limit = 1024
	tests := []struct {
		name    string
		size    int
		chunked bool
		wantErr bool
	}{
		{"exactly the cap", limit, false, false},
		{"exactly the cap, chunked", limit, true, false},
		{"one byte over", limit + 1, false, true},
		{"one byte over, chunked", limit + 1, true, true},
		{"a megabyte, chunked", 1 << 20, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var rec recorder
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec.record(r)
				if tt.chunked {
					w.Header().Set("Transfer-Encoding", "chunked")
				}
				_, _ = w.Write(bytes.Repeat([]byte("a"), tt.size))
			}))
			t.Cleanup(srv.Close)
			cfg := fastConfig()
			cfg.MaxBodyBytes = limit
			c := newClient(t, cfg)

			resp, err := c.Do(t.Context(), &Request{Method: http.MethodGet, URL: srv.URL})
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Len(t, resp.Body, tt.size)
				return
			}
			require.ErrorIs(t, err, ErrBodyTooLarge)
			assert.Equal(t, 1, rec.count(), "an oversized body is not fetched again")
		})
	}
}

func TestDoContextCanceledBeforeSending(t *testing.T) {
	t.Parallel()
	c := newClient(t, fastConfig())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Do(ctx, &Request{Method: http.MethodPost, URL: "http://127.0.0.1:1/", Body: []byte("x")})
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
}

func TestDoUserAgentAndHeaders(t *testing.T) {
	t.Parallel()
	got := make(chan http.Header, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
	}))
	t.Cleanup(srv.Close)
	cfg := fastConfig()
	cfg.UserAgent = "instore-go/test"
	c := newClient(t, cfg)

	_, err := c.Do(t.Context(), &Request{Method: http.MethodGet, URL: srv.URL, Header: http.Header{"Omise-Version": {"2019-05-29"}}})
	require.NoError(t, err)
	h := <-got
	assert.Equal(t, "instore-go/test", h.Get("User-Agent"))
	assert.Equal(t, "2019-05-29", h.Get("Omise-Version"))

	_, err = c.Do(t.Context(), &Request{Method: http.MethodGet, URL: srv.URL, Header: http.Header{"User-Agent": {"mine"}}})
	require.NoError(t, err)
	assert.Equal(t, "mine", (<-got).Get("User-Agent"))
}

func TestDoConcurrentCallsReuseConnections(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"object":"charge"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig())

	const workers, calls = 64, 10
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range calls {
				resp, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: srv.URL, Body: []byte("amount=1")})
				if assert.NoError(t, err) {
					assert.Equal(t, http.StatusOK, resp.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	// The pool may dial a few spares while a request waits for a connection
	// that is about to come back; without keep-alive there would be 640.
	assert.LessOrEqual(t, conns.Load(), int32(2*workers), "connections are kept alive and reused")
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{
		{Timeout: -1},
		{MaxBodyBytes: -1},
		{BackoffBase: -1},
		{MaxRetries: -2},
	} {
		_, err := New(cfg)
		assert.Error(t, err, "%+v", cfg)
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	e := &Error{Method: "POST", Path: "/charges", Attempts: 1, OutcomeUnknown: true, Err: io.ErrUnexpectedEOF}
	assert.Equal(t, "instore: POST /charges: unexpected EOF (outcome unknown: the request may have been processed)", e.Error())
	require.ErrorIs(t, e, io.ErrUnexpectedEOF)
	require.ErrorIs(t, e, ErrOutcomeUnknown)
	e.OutcomeUnknown = false
	require.NotErrorIs(t, e, ErrOutcomeUnknown)
	assert.NotContains(t, e.Error(), "outcome unknown")
}

func TestDefaultClientDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	var elsewhere recorder
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.record(r) }))
	t.Cleanup(target.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/pay", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, fastConfig())

	resp, err := c.Do(t.Context(), &Request{Method: http.MethodPost, URL: srv.URL + "/pay", Body: []byte(`{"code":"281234567890123456"}`), Idempotent: true})
	require.NoError(t, err)
	assert.Equal(t, http.StatusTemporaryRedirect, resp.StatusCode)
	assert.Zero(t, elsewhere.count(), "a signed request is never sent on to another host")
}

func TestParseBaseURL(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"https://api.omise.co":           true,
		"https://api.omise.co/prefix":    true,
		"http://127.0.0.1:8080":          true,
		"http://localhost":               true,
		"http://[::1]:9":                 true,
		"http://api.omise.co":            false,
		"ftp://api.omise.co":             false,
		"https://user:pass@api.omise.co": false,
		"https://api.omise.co/?q=1":      false,
		"https://api.omise.co/#frag":     false,
		"api.omise.co":                   false,
		"/charges":                       false,
		"http://127.0.0.1.evil.example/": false,
		"https://%zz":                    false,
	} {
		_, err := ParseBaseURL(raw)
		assert.Equal(t, ok, err == nil, "%s: %v", raw, err)
		if err != nil {
			assert.NotContains(t, err.Error(), raw, "errors do not quote the URL")
		}
	}
}

func TestHTTPClientWithoutRedirects(t *testing.T) {
	t.Parallel()
	mine := &http.Client{Timeout: time.Minute}
	c := HTTPClientWithoutRedirects(mine)
	require.NotSame(t, mine, c)
	assert.Nil(t, mine.CheckRedirect, "the caller's client is not modified")
	assert.Equal(t, time.Minute, c.Timeout)
	require.NotNil(t, c.CheckRedirect)
	assert.Equal(t, http.ErrUseLastResponse, c.CheckRedirect(nil, nil))
	assert.NotNil(t, HTTPClientWithoutRedirects(nil).Transport)
}
