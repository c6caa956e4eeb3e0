package instore_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// Keys used by every test. They are shaped like real Omise keys so that
// the redaction of key-shaped text is exercised too.
const (
	testSecretKey = "skey_test_61abcdefghijklmnopq"
	testPublicKey = "pkey_test_61rstuvwxyz0123456"
)

// fixture returns testdata/omise/<name>.json.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "omise", name+".json"))
	require.NoError(t, err)
	return b
}

// seen is a request as the fake Omise received it.
type seen struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// User and Password are the Basic-auth credentials; HasAuth is false
	// when there were none.
	User, Password string
	HasAuth        bool
	ContentLength  int64
	TransferEnc    []string
}

// fakeOmise is an httptest server that records every request and answers
// with a handler, by default a fixed status and body.
type fakeOmise struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reqs    []seen
	handler func(w http.ResponseWriter, r *http.Request, body []byte)
}

// newFake starts a fake that answers status with the named fixture.
func newFake(t testing.TB, status int, fixtureName string) *fakeOmise {
	t.Helper()
	var body []byte
	if fixtureName != "" {
		body = fixture(t, fixtureName)
	}
	return newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req-0001")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

// newFakeFunc starts a fake with its own handler, which gets the request
// body already read.
func newFakeFunc(t testing.TB, h func(w http.ResponseWriter, r *http.Request, body []byte)) *fakeOmise {
	t.Helper()
	f := &fakeOmise{handler: h}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		user, pass, ok := r.BasicAuth()
		q, _ := url.ParseQuery(r.URL.RawQuery)
		f.mu.Lock()
		f.reqs = append(f.reqs, seen{
			Method: r.Method, Path: r.URL.EscapedPath(), Query: q, Header: r.Header.Clone(), Body: body,
			User: user, Password: pass, HasAuth: ok, ContentLength: r.ContentLength, TransferEnc: r.TransferEncoding,
		})
		f.mu.Unlock()
		f.handler(w, r, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// client returns a client of the fake with the test keys, no retries
// unless opts say otherwise.
func (f *fakeOmise) client(t testing.TB, opts ...instore.Option) *instore.Client {
	t.Helper()
	all := append([]instore.Option{instore.WithBaseURL(f.srv.URL), instore.WithPublicKey(testPublicKey)}, opts...)
	c, err := instore.NewClient(testSecretKey, all...)
	require.NoError(t, err)
	return c
}

func (f *fakeOmise) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// only returns the one request the fake received.
func (f *fakeOmise) only(t testing.TB) seen {
	t.Helper()
	reqs := f.requests()
	require.Len(t, reqs, 1, "requests received")
	return reqs[0]
}

// logRecorder is a slog.Handler that keeps every record as text, with its
// attributes, for redaction checks. Handlers made by WithAttrs share its
// store.
type logRecorder struct {
	store *logStore
	attrs []slog.Attr
}

type logStore struct {
	mu    sync.Mutex
	lines []string
}

func newLogRecorder() *logRecorder { return &logRecorder{store: &logStore{}} }

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var buf bytes.Buffer
	r.AddAttrs(h.attrs...)
	if err := slog.NewTextHandler(&buf, nil).Handle(context.Background(), r); err != nil {
		return err
	}
	h.store.mu.Lock()
	h.store.lines = append(h.store.lines, buf.String())
	h.store.mu.Unlock()
	return nil
}

func (h *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &logRecorder{store: h.store, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h *logRecorder) WithGroup(string) slog.Handler { return h }

func (h *logRecorder) logger() *slog.Logger { return slog.New(h) }

func (h *logRecorder) lines() []string {
	h.store.mu.Lock()
	defer h.store.mu.Unlock()
	return append([]string(nil), h.store.lines...)
}

// roundTripFunc is an http.RoundTripper made of a function, for tests that
// run without a network under synctest.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// response builds an *http.Response for a roundTripFunc.
func response(r *http.Request, status int, body []byte) *http.Response {
	return &http.Response{
		StatusCode:    status,
		Status:        http.StatusText(status),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}

// assertWire checks what every call sends: method, path, Basic auth with
// user and an empty password, Omise-Version, User-Agent, and either the
// exact form body (as url.ParseQuery reads it) or no body at all.
func assertWire(t testing.TB, s seen, method, path, user string, form url.Values) {
	t.Helper()
	assert.Equal(t, method, s.Method, "method")
	assert.Equal(t, path, s.Path, "path")
	assert.True(t, s.HasAuth, "basic auth")
	assert.Equal(t, user, s.User, "basic auth user")
	assert.Empty(t, s.Password, "basic auth password")
	assert.Equal(t, instore.DefaultAPIVersion, s.Header.Get("Omise-Version"))
	assert.Equal(t, "instore-go/"+instore.Version+" ("+runtime.Version()+")", s.Header.Get("User-Agent"))
	assert.Empty(t, s.Header.Values("Idempotency-Key"), "no idempotency key unless asked")
	if form == nil {
		assert.Empty(t, s.Body, "body")
		assert.Zero(t, s.ContentLength, "content length")
		assert.Empty(t, s.TransferEnc, "transfer encoding")
		assert.Empty(t, s.Header.Get("Content-Type"), "content type without a body")
		return
	}
	assert.Equal(t, "application/x-www-form-urlencoded", s.Header.Get("Content-Type"))
	got, err := url.ParseQuery(string(s.Body))
	require.NoError(t, err)
	assert.Equal(t, form, got, "form body")
}
