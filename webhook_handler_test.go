package instore_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

const (
	testEventID = "evnt_test_61xqe66n3m4b5v6c7x8" // the event of event_charge_complete
	testCode    = "281234567890123456"            // the payment code in that event's source
)

// calls records the events a handler's function received.
type calls struct {
	mu     sync.Mutex
	events []*instore.Event
}

func (c *calls) add(e *instore.Event) {
	c.mu.Lock()
	c.events = append(c.events, e)
	c.mu.Unlock()
}

func (c *calls) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

// ok is a handler function that records the event and succeeds.
func (c *calls) ok(_ context.Context, e *instore.Event) error {
	c.add(e)
	return nil
}

// post delivers body with headers h to handler and returns the answer.
func post(t testing.TB, handler http.Handler, body []byte, h http.Header) *httptest.ResponseRecorder {
	t.Helper()
	return postCtx(t.Context(), handler, body, h)
}

func postCtx(ctx context.Context, handler http.Handler, body []byte, h http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/webhooks/omise", bytes.NewReader(body))
	for k, v := range h {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	return w
}

func TestWebhookHandlerDelivers(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		logs := newLogRecorder()
		var c calls
		h := instore.WebhookHandler([]string{testWebhookSecret}, c.ok, instore.WithWebhookLogger(logs.logger()))
		body := fixture(t, "event_charge_complete")
		w := post(t, h, body, signedNow(t, testWebhookSecret, body))
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())

		require.Equal(t, 1, c.len())
		e := c.events[0]
		assert.Equal(t, testEventID, e.ID)
		assert.Equal(t, instore.EventChargeComplete, e.Key)
		ch, err := e.Charge()
		require.NoError(t, err)
		assert.Equal(t, "chrg_test_61xqa11p0o9i8u7y6t5", ch.ID)
		assert.Equal(t, instore.ChargeSuccessful, ch.Status)

		lines := logs.lines()
		require.Len(t, lines, 1)
		for _, want := range []string{"level=INFO", `msg="instore: webhook"`, "method=POST", "status=200", "acquirer=omise", "step=webhook",
			"event_id=" + testEventID, "event_key=charge.complete", "outcome=handled"} {
			assert.Contains(t, lines[0], want)
		}
		assert.NotContains(t, lines[0], testCode)
		assert.NotContains(t, lines[0], "/webhooks/omise", "the path may carry a token")
	})
}

func TestWebhookHandlerRefuses(t *testing.T) {
	t.Parallel()
	body := fixture(t, "event_charge_complete")
	huge := append(append([]byte(nil), body[:len(body)-1]...), bytes.Repeat([]byte(" "), instore.WebhookMaxBytes)...)
	huge = append(huge, '}')
	tests := []struct {
		name   string
		method string
		body   []byte
		header func(t *testing.T) http.Header
		// chunked hides the length, so that only the read cap stops the body.
		chunked bool
		status  int
	}{
		{"GET", http.MethodGet, nil, func(*testing.T) http.Header { return nil }, false, http.StatusMethodNotAllowed},
		{"PUT signed", http.MethodPut, body, func(t *testing.T) http.Header { return signedNow(t, testWebhookSecret, body) }, false, http.StatusMethodNotAllowed},
		{"too large", http.MethodPost, huge, func(t *testing.T) http.Header { return signedNow(t, testWebhookSecret, huge) }, false, http.StatusRequestEntityTooLarge},
		{"too large, no length", http.MethodPost, huge, func(t *testing.T) http.Header { return signedNow(t, testWebhookSecret, huge) }, true, http.StatusRequestEntityTooLarge},
		{"no signature", http.MethodPost, body, func(*testing.T) http.Header { return nil }, false, http.StatusUnauthorized},
		{"wrong secret", http.MethodPost, body, func(t *testing.T) http.Header { return signedNow(t, testWebhookSecretOld, body) }, false, http.StatusUnauthorized},
		{"tampered", http.MethodPost, append([]byte(" "), body...), func(t *testing.T) http.Header { return signedNow(t, testWebhookSecret, body) }, false, http.StatusUnauthorized},
		{"stale", http.MethodPost, body, func(t *testing.T) http.Header {
			return signedAt(t, testWebhookSecret, time.Now().Unix()-301, body)
		}, false, http.StatusUnauthorized},
		{"future", http.MethodPost, body, func(t *testing.T) http.Header {
			return signedAt(t, testWebhookSecret, time.Now().Unix()+301, body)
		}, false, http.StatusUnauthorized},
		{"not JSON", http.MethodPost, []byte("charge.complete"), func(t *testing.T) http.Header {
			return signedNow(t, testWebhookSecret, []byte("charge.complete"))
		}, false, http.StatusBadRequest},
		{"not an event", http.MethodPost, []byte(`{"object":"charge","id":"chrg_1"}`), func(t *testing.T) http.Header {
			return signedNow(t, testWebhookSecret, []byte(`{"object":"charge","id":"chrg_1"}`))
		}, false, http.StatusBadRequest},
		{"event without id", http.MethodPost, []byte(`{"object":"event","key":"charge.complete"}`), func(t *testing.T) http.Header {
			return signedNow(t, testWebhookSecret, []byte(`{"object":"event","key":"charge.complete"}`))
		}, false, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inBubble(t, func(t *testing.T) {
				logs := newLogRecorder()
				var c calls
				h := instore.WebhookHandler([]string{testWebhookSecret}, c.ok, instore.WithWebhookLogger(logs.logger()))
				var rd io.Reader = bytes.NewReader(tc.body)
				if tc.chunked {
					rd = io.MultiReader(rd) // not a type NewRequest can measure
				}
				r := httptest.NewRequestWithContext(t.Context(), tc.method, "/webhooks/omise", rd)
				for k, v := range tc.header(t) {
					r.Header[k] = v
				}
				if tc.chunked {
					require.Equal(t, int64(-1), r.ContentLength)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				assert.Equal(t, tc.status, w.Code)
				assert.Zero(t, c.len(), "the function must not be called")
				if tc.status == http.StatusMethodNotAllowed {
					assert.Equal(t, http.MethodPost, w.Header().Get("Allow"))
				}
				lines := logs.lines()
				require.Len(t, lines, 1)
				assert.Contains(t, lines[0], "level=WARN")
				for _, l := range lines {
					assertNoWebhookSecrets(t, l, r.Header)
					assert.NotContains(t, l, testCode)
				}
			})
		})
	}
}

// A body of exactly WebhookMaxBytes is read whole.
func TestWebhookHandlerMaxBody(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		body := fixture(t, "event_charge_complete")
		body = append(bytes.Repeat([]byte(" "), instore.WebhookMaxBytes-len(body)), body...)
		require.Len(t, body, instore.WebhookMaxBytes)
		var c calls
		h := instore.WebhookHandler([]string{testWebhookSecret}, c.ok)
		assert.Equal(t, http.StatusOK, post(t, h, body, signedNow(t, testWebhookSecret, body)).Code)
		assert.Equal(t, 1, c.len())
	})
}

// A failing function gets a 500 and the event is not marked: the
// redelivery runs it again, and after a success the next one is dropped.
func TestWebhookHandlerFailingFunction(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		logs := newLogRecorder()
		var n atomic.Int32
		h := instore.WebhookHandler([]string{testWebhookSecret}, func(context.Context, *instore.Event) error {
			if n.Add(1) == 1 {
				return errors.New("database down; secret " + testWebhookSecret + " code " + testCode)
			}
			return nil
		}, instore.WithWebhookLogger(logs.logger()))
		body := fixture(t, "event_charge_complete")

		assert.Equal(t, http.StatusInternalServerError, post(t, h, body, signedNow(t, testWebhookSecret, body)).Code)
		time.Sleep(time.Minute) // Omise retries later, with a new timestamp
		assert.Equal(t, http.StatusOK, post(t, h, body, signedNow(t, testWebhookSecret, body)).Code)
		assert.Equal(t, http.StatusOK, post(t, h, body, signedNow(t, testWebhookSecret, body)).Code)
		assert.Equal(t, int32(2), n.Load())

		lines := logs.lines()
		require.Len(t, lines, 3)
		assert.Contains(t, lines[0], "level=ERROR")
		assert.Contains(t, lines[0], `outcome="handler failed"`)
		assert.Contains(t, lines[1], "outcome=handled")
		assert.Contains(t, lines[2], "outcome=duplicate")
		for _, l := range lines {
			assertNoWebhookSecrets(t, l, nil)
			assert.NotContains(t, l, testCode)
			assert.NotContains(t, l, "database down", "the function's error is not logged")
		}
	})
}

func TestWebhookHandlerPanic(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		logs := newLogRecorder()
		var n atomic.Int32
		h := instore.WebhookHandler([]string{testWebhookSecret}, func(context.Context, *instore.Event) error {
			if n.Add(1) == 1 {
				panic("bad state with secret " + testWebhookSecret + " and code " + testCode)
			}
			return nil
		}, instore.WithWebhookLogger(logs.logger()))
		body := fixture(t, "event_charge_complete")

		w := post(t, h, body, signedNow(t, testWebhookSecret, body))
		assert.Equal(t, http.StatusInternalServerError, w.Code)
		assert.NotContains(t, w.Body.String(), "bad state")
		// Not marked: the redelivery runs the function again.
		assert.Equal(t, http.StatusOK, post(t, h, body, signedNow(t, testWebhookSecret, body)).Code)
		assert.Equal(t, int32(2), n.Load())

		lines := logs.lines()
		require.Len(t, lines, 2)
		assert.Contains(t, lines[0], "level=ERROR")
		assert.Contains(t, lines[0], "outcome=panic")
		assert.Contains(t, lines[0], "panic=string")
		assert.Contains(t, lines[0], "event_id="+testEventID)
		assert.Contains(t, lines[0], "event_key=charge.complete")
		for _, l := range lines {
			assert.NotContains(t, l, "bad state")
			assertNoWebhookSecrets(t, l, nil)
			assert.NotContains(t, l, testCode)
		}
	})
}

// http.ErrAbortHandler is net/http's way to abort a response; it goes
// through.
func TestWebhookHandlerAbort(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		h := instore.WebhookHandler([]string{testWebhookSecret}, func(context.Context, *instore.Event) error {
			panic(http.ErrAbortHandler)
		})
		body := fixture(t, "event_charge_complete")
		hdr := signedNow(t, testWebhookSecret, body)
		assert.PanicsWithValue(t, http.ErrAbortHandler, func() { post(t, h, body, hdr) })
		// The event is free again.
		assert.PanicsWithValue(t, http.ErrAbortHandler, func() { post(t, h, body, hdr) })
	})
}

// Without a usable configuration the handler answers 500 to everything,
// never calls the function, and says why in the log.
func TestWebhookHandlerMisconfigured(t *testing.T) {
	t.Parallel()
	client, err := instore.NewClient(testSecretKey)
	require.NoError(t, err)
	tests := []struct {
		name    string
		secrets []string
		nilFn   bool
		opts    []instore.WebhookOption
		reason  string
	}{
		{"no secret, no fetch", nil, false, nil, "no webhook secret and no fetch verification"},
		{"empty list, no fetch", []string{}, false, nil, "no webhook secret and no fetch verification"},
		{"empty secret", []string{""}, false, nil, "empty webhook secret"},
		{"empty secret with fetch", []string{""}, false, []instore.WebhookOption{instore.WithFetchVerification(client)}, "empty webhook secret"},
		{"empty secret beside a good one", []string{testWebhookSecret, ""}, false, nil, "empty webhook secret"},
		{"non-base64 secret", []string{"not base64!"}, false, nil, "not standard base64"},
		{"nil function", []string{testWebhookSecret}, true, nil, "nil webhook function"},
		{"nil option", []string{testWebhookSecret}, false, []instore.WebhookOption{nil}, "nil webhook option"},
		{"zero tolerance", []string{testWebhookSecret}, false, []instore.WebhookOption{instore.WithTolerance(0)}, "tolerance must be positive"},
		{"negative tolerance", []string{testWebhookSecret}, false, []instore.WebhookOption{instore.WithTolerance(-time.Second)}, "tolerance must be positive"},
		{"nil client", nil, false, []instore.WebhookOption{instore.WithFetchVerification(nil)}, "nil client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inBubble(t, func(t *testing.T) {
				logs := newLogRecorder()
				var c calls
				fn := c.ok
				if tc.nilFn {
					fn = nil
				}
				h := instore.WebhookHandler(tc.secrets, fn, append([]instore.WebhookOption{instore.WithWebhookLogger(logs.logger())}, tc.opts...)...)
				body := fixture(t, "event_charge_complete")
				assert.Equal(t, http.StatusInternalServerError, post(t, h, body, signedNow(t, testWebhookSecret, body)).Code)
				assert.Equal(t, http.StatusInternalServerError, post(t, h, body, nil).Code)
				assert.Zero(t, c.len())
				lines := logs.lines()
				require.Len(t, lines, 2)
				assert.Contains(t, lines[0], "level=ERROR")
				assert.Contains(t, lines[0], "outcome=misconfigured")
				assert.Contains(t, lines[0], tc.reason)
			})
		})
	}
}

func TestWebhookHandlerTolerance(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		var c calls
		h := instore.WebhookHandler([]string{testWebhookSecret}, c.ok, instore.WithTolerance(time.Minute), instore.WithDeduplication(nil))
		body := fixture(t, "event_charge_complete")
		now := time.Now().Unix()
		assert.Equal(t, http.StatusOK, post(t, h, body, signedAt(t, testWebhookSecret, now-60, body)).Code)
		assert.Equal(t, http.StatusOK, post(t, h, body, signedAt(t, testWebhookSecret, now+60, body)).Code)
		assert.Equal(t, http.StatusUnauthorized, post(t, h, body, signedAt(t, testWebhookSecret, now-61, body)).Code)
		assert.Equal(t, http.StatusUnauthorized, post(t, h, body, signedAt(t, testWebhookSecret, now+61, body)).Code)
		assert.Equal(t, 2, c.len())
	})
}

// fetchClient is a client whose Events.Get is answered by answer, with no
// network.
func fetchClient(t testing.TB, gets *atomic.Int32, answer func(r *http.Request) (int, []byte, error)) *instore.Client {
	t.Helper()
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		gets.Add(1)
		status, body, err := answer(r)
		if err != nil {
			return nil, err
		}
		return response(r, status, body), nil
	})
	c, err := instore.NewClient(testSecretKey, instore.WithHTTPClient(&http.Client{Transport: rt}), instore.WithMaxRetries(0))
	require.NoError(t, err)
	return c
}

func TestWebhookHandlerFetchVerification(t *testing.T) {
	t.Parallel()
	// The delivery claims the event's charge is another one; the API says
	// otherwise, and the function gets the API's copy.
	forged := []byte(`{"object":"event","id":"` + testEventID + `","key":"charge.complete","data":{"object":"charge","id":"chrg_forged","status":"successful"}}`)
	fetched := fixture(t, "event_charge_complete")
	apiEvent := func(r *http.Request) (int, []byte, error) {
		if r.Method != http.MethodGet || r.URL.Path != "/events/"+testEventID {
			return http.StatusNotFound, fixture(t, "error_not_found"), nil
		}
		return http.StatusOK, fetched, nil
	}

	t.Run("without a secret", func(t *testing.T) {
		t.Parallel()
		inBubble(t, func(t *testing.T) {
			var gets atomic.Int32
			var c calls
			h := instore.WebhookHandler(nil, c.ok, instore.WithFetchVerification(fetchClient(t, &gets, apiEvent)))
			assert.Equal(t, http.StatusOK, post(t, h, forged, nil).Code)
			require.Equal(t, 1, c.len())
			ch, err := c.events[0].Charge()
			require.NoError(t, err)
			assert.Equal(t, "chrg_test_61xqa11p0o9i8u7y6t5", ch.ID)
			// A duplicate is dropped before any fetch.
			assert.Equal(t, http.StatusOK, post(t, h, forged, nil).Code)
			assert.Equal(t, int32(1), gets.Load())
			assert.Equal(t, 1, c.len())
			// A body that is not an event is refused before any fetch.
			assert.Equal(t, http.StatusBadRequest, post(t, h, []byte("{"), nil).Code)
			assert.Equal(t, int32(1), gets.Load())
		})
	})

	t.Run("with a secret", func(t *testing.T) {
		t.Parallel()
		inBubble(t, func(t *testing.T) {
			var gets atomic.Int32
			var c calls
			h := instore.WebhookHandler([]string{testWebhookSecret}, c.ok, instore.WithFetchVerification(fetchClient(t, &gets, apiEvent)))
			assert.Equal(t, http.StatusUnauthorized, post(t, h, forged, nil).Code, "the signature is still required")
			assert.Zero(t, gets.Load())
			assert.Equal(t, http.StatusOK, post(t, h, forged, signedNow(t, testWebhookSecret, forged)).Code)
			require.Equal(t, 1, c.len())
			assert.Equal(t, int32(1), gets.Load())
			ch, err := c.events[0].Charge()
			require.NoError(t, err)
			assert.Equal(t, "chrg_test_61xqa11p0o9i8u7y6t5", ch.ID)
		})
	})

	failures := []struct {
		name   string
		answer func(r *http.Request) (int, []byte, error)
	}{
		{"not found", func(*http.Request) (int, []byte, error) {
			return http.StatusNotFound, fixture(t, "error_not_found"), nil
		}},
		{"server error", func(*http.Request) (int, []byte, error) {
			return http.StatusBadGateway, []byte("<html>bad gateway</html>"), nil
		}},
		{"network error", func(*http.Request) (int, []byte, error) { return 0, nil, errors.New("connection reset") }},
		{"another event", func(*http.Request) (int, []byte, error) { return http.StatusOK, fixture(t, "event_refund_create"), nil }},
		{"not an event", func(*http.Request) (int, []byte, error) { return http.StatusOK, []byte(`{"object":"charge"}`), nil }},
	}
	for _, tc := range failures {
		t.Run("fetch fails: "+tc.name, func(t *testing.T) {
			t.Parallel()
			inBubble(t, func(t *testing.T) {
				logs := newLogRecorder()
				var gets atomic.Int32
				var c calls
				h := instore.WebhookHandler(nil, c.ok, instore.WithFetchVerification(fetchClient(t, &gets, tc.answer)),
					instore.WithWebhookLogger(logs.logger()))
				assert.Equal(t, http.StatusBadGateway, post(t, h, forged, nil).Code)
				assert.Zero(t, c.len())
				// Not marked: the redelivery fetches again.
				assert.Equal(t, http.StatusBadGateway, post(t, h, forged, nil).Code)
				assert.Equal(t, int32(2), gets.Load())
				for _, l := range logs.lines() {
					assert.Contains(t, l, `outcome="fetch failed"`)
					assert.Contains(t, l, "level=ERROR")
					assert.NotContains(t, l, testSecretKey)
				}
			})
		})
	}
}

// The handler over a real loopback connection, as Omise reaches it.
func TestWebhookHandlerServer(t *testing.T) {
	t.Parallel()
	var c calls
	// Signed with the real clock, so the tolerance is a day: no slowness of
	// the machine can fail the test.
	srv := httptest.NewServer(instore.WebhookHandler([]string{testWebhookSecret}, c.ok, instore.WithTolerance(24*time.Hour)))
	t.Cleanup(srv.Close)
	send := func(body []byte, h http.Header) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, bytes.NewReader(body))
		require.NoError(t, err)
		for k, v := range h {
			req.Header[k] = v
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		require.NoError(t, resp.Body.Close())
		return resp.StatusCode
	}
	body := fixture(t, "event_charge_complete")
	assert.Equal(t, http.StatusOK, send(body, instore.SignWebhook(body, testWebhookSecret, time.Now())))
	huge := bytes.Repeat([]byte("x"), instore.WebhookMaxBytes+1)
	assert.Equal(t, http.StatusRequestEntityTooLarge, send(huge, instore.SignWebhook(huge, testWebhookSecret, time.Now())))
	assert.Equal(t, http.StatusUnauthorized, send(body, nil))
	assert.Equal(t, 1, c.len())
}

// Nothing secret reaches a log line, whatever happens to a delivery.
func TestWebhookHandlerLogsNoSecrets(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		logs := newLogRecorder()
		var n atomic.Int32
		h := instore.WebhookHandler([]string{testWebhookSecret, testWebhookSecretOld}, func(_ context.Context, e *instore.Event) error {
			switch n.Add(1) {
			case 1:
				return errors.New(testCode)
			case 2:
				panic(testWebhookSecret)
			}
			_, err := e.Charge()
			return err
		}, instore.WithWebhookLogger(logs.logger()))
		body := fixture(t, "event_charge_complete")
		var headers []http.Header
		deliver := func(b []byte, hdr http.Header) {
			headers = append(headers, hdr)
			post(t, h, b, hdr)
		}
		deliver(body, signedNow(t, testWebhookSecret, body))    // fails
		deliver(body, signedNow(t, testWebhookSecretOld, body)) // panics
		deliver(body, signedNow(t, testWebhookSecret, body))    // handled
		deliver(body, signedNow(t, testWebhookSecret, body))    // duplicate
		deliver(body, signedNow(t, testWebhookSecretOld, []byte("other")))
		bad := []byte(`{"object":"event","id":"` + testCode + `","key":"` + testWebhookSecret + `"}`)
		deliver(bad, signedNow(t, testWebhookSecret, bad))
		lines := logs.lines()
		require.Len(t, lines, 6)
		for _, l := range lines {
			for _, hdr := range headers {
				assertNoWebhookSecrets(t, l, hdr)
			}
			assert.NotContains(t, l, testCode)
			assert.NotContains(t, l, "Sukhumvit", "no part of the body")
		}
		assert.Contains(t, lines[5], "event_id=2812**********3456")
		assert.Contains(t, lines[5], "event_key=[redacted]")
	})
}

// During a secret rotation the handler accepts either secret.
func TestWebhookHandlerRotation(t *testing.T) {
	t.Parallel()
	inBubble(t, func(t *testing.T) {
		var c calls
		h := instore.WebhookHandler([]string{testWebhookSecret, testWebhookSecretOld}, c.ok, instore.WithDeduplication(nil))
		body := fixture(t, "event_charge_complete")
		for _, secret := range []string{testWebhookSecret, testWebhookSecretOld} {
			assert.Equal(t, http.StatusOK, post(t, h, body, signedNow(t, secret, body)).Code)
		}
		assert.Equal(t, 2, c.len())
	})
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// A body announced as too large is refused without being read.
func TestWebhookHandlerTooLargeUnread(t *testing.T) {
	t.Parallel()
	var c calls
	h := instore.WebhookHandler([]string{testWebhookSecret}, c.ok)
	body := &countingReader{r: bytes.NewReader(make([]byte, instore.WebhookMaxBytes+1))}
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhooks/omise", body)
	r.ContentLength = instore.WebhookMaxBytes + 1
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	assert.Zero(t, body.n.Load())
	assert.Zero(t, c.len())
}
