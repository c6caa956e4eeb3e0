package instore_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// hangUp closes the connection of a request whose body the server has
// already read: the request arrived, the answer never will.
func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// The retry tests run under synctest with an in-memory RoundTripper, so the
// client's real backoff timers take no real time.
func TestGetIsRetriedAfter503(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		body := fixture(t, "charge_successful")
		var attempts atomic.Int32
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if attempts.Add(1) == 1 {
				return response(r, http.StatusServiceUnavailable, []byte(`{"object":"error","code":"service_unavailable","message":"try again"}`)), nil
			}
			return response(r, http.StatusOK, body), nil
		})
		c, err := instore.NewClient(testSecretKey, instore.WithHTTPClient(&http.Client{Transport: rt}))
		require.NoError(t, err)
		start := time.Now()
		ch, err := c.Charges.Get(t.Context(), "chrg_test_61xqa11p0o9i8u7y6t5")
		require.NoError(t, err)
		assert.Equal(t, instore.ChargeSuccessful, ch.Status)
		assert.Equal(t, int32(2), attempts.Load())
		assert.Less(t, time.Since(start), time.Second, "one backoff of the bubble's fake clock")
	})
}

func TestGetGivesUpAfterMaxRetries(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var attempts atomic.Int32
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			attempts.Add(1)
			return response(r, http.StatusBadGateway, []byte("<html>bad gateway</html>")), nil
		})
		c, err := instore.NewClient(testSecretKey, instore.WithHTTPClient(&http.Client{Transport: rt}), instore.WithMaxRetries(3))
		require.NoError(t, err)
		_, err = c.Events.List(t.Context(), nil)
		var apiErr *instore.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
		assert.Equal(t, int32(4), attempts.Load())
	})
}

func TestPostIsNotRetriedAfter503(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var attempts atomic.Int32
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			attempts.Add(1)
			return response(r, http.StatusServiceUnavailable, nil), nil
		})
		c, err := instore.NewClient(testSecretKey, instore.WithHTTPClient(&http.Client{Transport: rt}))
		require.NoError(t, err)
		_, err = c.Charges.Create(t.Context(), barcodeCharge())
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
		assert.Equal(t, int32(1), attempts.Load())
	})
}

func TestRateLimitedCallsAreRetriedThenReported(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var attempts atomic.Int32
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			attempts.Add(1)
			resp := response(r, http.StatusTooManyRequests, nil)
			resp.Header.Set("Retry-After", "2")
			return resp, nil
		})
		c, err := instore.NewClient(testSecretKey, instore.WithHTTPClient(&http.Client{Transport: rt}), instore.WithMaxRetries(1))
		require.NoError(t, err)
		start := time.Now()
		_, err = c.Charges.Create(t.Context(), barcodeCharge())
		require.ErrorIs(t, err, instore.ErrRateLimited)
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "the first attempt reached Omise; the last 429 speaks only for itself")
		assert.Equal(t, int32(2), attempts.Load())
		assert.GreaterOrEqual(t, time.Since(start), 2*time.Second, "Retry-After honoured")

		// A 429 that was the only attempt refused the charge before any work.
		attempts.Store(0)
		c, err = instore.NewClient(testSecretKey, instore.WithHTTPClient(&http.Client{Transport: rt}), instore.WithMaxRetries(0))
		require.NoError(t, err)
		_, err = c.Charges.Create(t.Context(), barcodeCharge())
		require.ErrorIs(t, err, instore.ErrRateLimited)
		require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, "a lone 429 was refused before any work")
		assert.Equal(t, int32(1), attempts.Load())
	})
}

func TestChargeDroppedAfterTheServerReadItIsSentOnce(t *testing.T) {
	t.Parallel()
	f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) { hangUp(w) })
	log := newLogRecorder()
	c := f.client(t, instore.WithLogger(log.logger()))
	ch, err := c.Charges.Create(t.Context(), barcodeCharge())
	assert.Nil(t, ch)
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
	reqs := f.requests()
	require.Len(t, reqs, 1, "sent exactly once")
	assert.Contains(t, string(reqs[0].Body), "source%5Bbarcode%5D=", "the whole request was read")
	assert.Len(t, log.lines(), 1, "one attempt logged")
}

func TestGetIsRetriedAfterANetworkError(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		body := fixture(t, "charge_pending")
		var attempts atomic.Int32
		rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if attempts.Add(1) == 1 {
				return nil, io.ErrUnexpectedEOF // the connection dropped
			}
			return response(r, http.StatusOK, body), nil
		})
		c, err := instore.NewClient(testSecretKey, instore.WithHTTPClient(&http.Client{Transport: rt}))
		require.NoError(t, err)
		ch, err := c.Charges.Get(t.Context(), "chrg_1")
		require.NoError(t, err)
		assert.Equal(t, "chrg_test_61xq8k2hv0a7mf3nb2d", ch.ID)
		assert.Equal(t, int32(2), attempts.Load())

		// The same failure on a charge is not retried: it may have arrived.
		attempts.Store(0)
		_, err = c.Charges.Create(t.Context(), barcodeCharge())
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
		assert.Equal(t, int32(1), attempts.Load())
	})
}

// With an Idempotency-Key, net/http would replay a POST whose reused
// connection broke after the request was written, had it a way to rewind
// the body; the client gives it none, so the charge is sent once, with or
// without the key, and its outcome is unknown. (A plain net/http POST
// against the same kind of server is replayed: internal/transport's
// TestIdempotencyKeyDoesNotLetNetHTTPReplayOverHTTP1.)
func TestIdempotencyKeyDoesNotLetNetHTTPReplayAPost(t *testing.T) {
	t.Parallel()
	for _, withKey := range []bool{false, true} {
		body := fixture(t, "charge_pending")
		var n atomic.Int32
		f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			if n.Add(1) == 2 {
				hangUp(w)
				return
			}
			_, _ = w.Write(body)
		})
		c := f.client(t)
		_, err := c.Charges.Get(t.Context(), "chrg_1") // leaves an idle keep-alive connection
		require.NoError(t, err)
		var opts []instore.RequestOption
		if withKey {
			opts = append(opts, instore.WithIdempotencyKey("sale-1042"))
		}
		_, err = c.Charges.Create(t.Context(), barcodeCharge(), opts...)
		posts := 0
		for _, r := range f.requests() {
			if r.Method == http.MethodPost {
				posts++
			}
		}
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "with key %v", withKey)
		assert.Equal(t, 1, posts, "the server received the charge once, with key %v", withKey)
	}
}

func TestBodyCap(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte(" "), 1<<20+1)
	for _, chunked := range []bool{false, true} {
		f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			if chunked {
				_, _ = w.Write(big[:1024])
				w.(http.Flusher).Flush()
				_, _ = w.Write(big[1024:])
				return
			}
			w.Header().Set("Content-Length", "1048577")
			_, _ = w.Write(big)
		})
		c := f.client(t, instore.WithMaxRetries(0))
		_, err := c.Charges.Get(t.Context(), "chrg_1")
		require.ErrorIs(t, err, instore.ErrBodyTooLarge, "chunked %v", chunked)
		require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)

		_, err = c.Charges.Create(t.Context(), barcodeCharge())
		require.ErrorIs(t, err, instore.ErrBodyTooLarge)
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "the server answered a POST")
	}
}

func TestContextCancellation(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 2)
	release := make(chan struct{})
	f := newFakeFunc(t, func(_ http.ResponseWriter, r *http.Request, _ []byte) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })
	c := f.client(t)

	run := func(call func(context.Context) error) error {
		ctx, cancel := context.WithCancel(t.Context())
		errc := make(chan error, 1)
		go func() { errc <- call(ctx) }()
		<-arrived
		cancel()
		return <-errc
	}
	err := run(func(ctx context.Context) error { _, err := c.Charges.Get(ctx, "chrg_1"); return err })
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)

	err = run(func(ctx context.Context) error { _, err := c.Charges.Create(ctx, barcodeCharge()); return err })
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "the charge was sent before the cancel")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = c.Charges.Create(ctx, barcodeCharge())
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, "nothing was sent")
	assert.Len(t, f.requests(), 2)
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	body := fixture(t, "charge_pending")
	f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) { _, _ = w.Write(body) })
	c := f.client(t)
	var wg sync.WaitGroup
	errs := make([]error, 64)
	for i := range 64 {
		wg.Go(func() {
			var err error
			switch i % 4 {
			case 0:
				_, err = c.Charges.Create(t.Context(), barcodeCharge())
			case 1:
				_, err = c.Charges.Get(t.Context(), "chrg_1")
			case 2:
				_, err = c.Charges.Expire(t.Context(), "chrg_1", instore.WithIdempotencyKey("k"))
			default:
				_, err = c.Charges.Get(t.Context(), "chrg_1", instore.WithKeys("skey_test_other", ""))
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "call %d", i)
	}
	reqs := f.requests()
	require.Len(t, reqs, 64)
	users := map[string]int{}
	for _, r := range reqs {
		users[r.User]++
	}
	assert.Equal(t, map[string]int{testSecretKey: 48, "skey_test_other": 16}, users)
}

// TestSecretsNeverReachErrorsOrLogs makes calls fail every way it can, with
// servers that echo the credentials and the payment code back, and checks
// that no error string (along the whole chain) and no log line holds a key,
// its Basic-auth form or the payment code.
func TestSecretsNeverReachErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const merchantSecret, merchantPublic = "skey_test_merchantZZsecret", "pkey_test_merchantZZpublic"
	code := barcodeCharge().Source.Barcode
	secrets := []string{testSecretKey, testPublicKey, merchantSecret, merchantPublic, code}
	for _, k := range []string{testSecretKey, testPublicKey, merchantSecret, merchantPublic} {
		secrets = append(secrets, base64.StdEncoding.EncodeToString([]byte(k+":")))
	}
	// A server can only echo what it was sent: the Authorization header, the
	// key in it, the body with the payment code; and the client's own keys.
	echo := func(r *http.Request, body []byte) string {
		user, _, _ := r.BasicAuth()
		return r.Header.Get("Authorization") + " " + user + " " + testSecretKey + " " + testPublicKey + " " + string(body)
	}
	servers := []func(w http.ResponseWriter, r *http.Request, body []byte){
		func(w http.ResponseWriter, r *http.Request, body []byte) { // JSON error quoting everything
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"object":"error","code":"authentication_failure ` + testSecretKey + `","location":"` + testPublicKey + `","message":` + quote(echo(r, body)) + `}`))
		},
		func(w http.ResponseWriter, r *http.Request, body []byte) { // proxy page quoting everything
			w.Header().Set("X-Request-Id", testSecretKey)
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html><body>" + echo(r, body) + "</body></html>"))
		},
		func(w http.ResponseWriter, _ *http.Request, _ []byte) { // a time that fails to parse, quoting a key
			w.Header().Set("X-Request-Id", merchantSecret)
			_, _ = w.Write([]byte(`{"id":"chrg_1","created_at":"` + testSecretKey + `"}`))
		},
		func(w http.ResponseWriter, _ *http.Request, _ []byte) { // a barcode where a number goes
			_, _ = w.Write([]byte(`{"id":"chrg_1","amount":"` + code + `"}`))
		},
		func(w http.ResponseWriter, r *http.Request, body []byte) { // truncated
			_, _ = w.Write([]byte(`{"id":"chrg_1","description":` + quote(echo(r, body))[:40]))
		},
		func(w http.ResponseWriter, _ *http.Request, _ []byte) { hangUp(w) },
		func(w http.ResponseWriter, _ *http.Request, _ []byte) { // over the body cap
			_, _ = w.Write(bytes.Repeat([]byte(testSecretKey), 1<<20/len(testSecretKey)+1))
		},
	}
	log := newLogRecorder()
	var errs []error
	collect := func(_ any, err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	withKeys := instore.WithKeys(merchantSecret, merchantPublic)
	for _, h := range servers {
		f := newFakeFunc(t, h)
		c := f.client(t, instore.WithLogger(log.logger()), instore.WithMaxRetries(0))
		for _, tt := range append(append([]struct {
			name string
			call func(context.Context, *instore.Client) (any, error)
		}{}, mutatingCalls...), readCalls...) {
			collect(tt.call(t.Context(), c))
		}
		collect(c.Charges.Create(t.Context(), barcodeCharge(), withKeys))
		collect(c.Sources.Create(t.Context(), &instore.SourceParams{Type: instore.SourceBarcodeAlipay, Amount: 1, Currency: instore.THB, Barcode: code}, withKeys))
		collect(c.Charges.Get(t.Context(), "chrg_1", withKeys))
	}

	// A server that is gone, a cancelled call, refused params and options.
	gone := newFakeFunc(t, func(http.ResponseWriter, *http.Request, []byte) {})
	c := gone.client(t, instore.WithLogger(log.logger()), instore.WithMaxRetries(0))
	gone.srv.Close()
	collect(c.Charges.Create(t.Context(), barcodeCharge(), withKeys))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	collect(c.Charges.Get(ctx, "chrg_1"))
	bad := barcodeCharge()
	bad.Source.Amount = 1
	collect(c.Charges.Create(t.Context(), bad))
	collect(c.Charges.Get(t.Context(), "chrg_1", instore.WithKeys(merchantSecret+"\n", "")))
	_, err := instore.NewClient(testSecretKey + " ")
	collect(nil, err)
	_, err = instore.NewClient(testSecretKey, instore.WithPublicKey(testSecretKey))
	collect(nil, err)

	// Every call failed but Events.Get on the server whose only fault is a
	// field the event model does not have.
	require.Len(t, errs, len(servers)*(len(mutatingCalls)+len(readCalls)+3)-1+6)
	require.NotEmpty(t, log.lines())
	var texts []string
	for _, err := range errs {
		for _, e := range chain(err) {
			texts = append(texts, e.Error())
		}
	}
	texts = append(texts, log.lines()...)
	for _, text := range texts {
		for _, s := range secrets {
			require.NotContains(t, text, s)
		}
	}
}

// chain lists err and every error it wraps.
func chain(err error) []error {
	if err == nil {
		return nil
	}
	out := []error{err}
	switch u := err.(type) { //nolint:errorlint // walking the chain by hand on purpose
	case interface{ Unwrap() error }:
		out = append(out, chain(u.Unwrap())...)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, chain(e)...)
		}
	}
	return out
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(" ")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// A connection refused before anything was written is safe to retry, even
// for a POST, and the outcome is not unknown.
func TestRefusedConnectionIsNotOutcomeUnknown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c, err := instore.NewClient(testSecretKey, instore.WithBaseURL("http://"+addr), instore.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.Charges.Create(t.Context(), barcodeCharge())
	require.Error(t, err)
	require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
}
