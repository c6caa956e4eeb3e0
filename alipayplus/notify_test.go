package alipayplus_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
)

// logBuffer is a slog handler's output, safe for concurrent writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func captureLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// signedNotification builds a notification request as the gateway sends it.
func signedNotification(t *testing.T, target, path, body string, key func() string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, target, strings.NewReader(body))
	require.NoError(t, err)
	ts := time.Now().Format(time.RFC3339)
	sig := key()
	if sig == "" {
		sig = gatewaySign(alipayKey(), path, testClientID, ts, []byte(body))
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Client-Id", testClientID)
	req.Header.Set("Request-Time", ts)
	req.Header.Set("Signature", "algorithm=RSA256,keyVersion=1,signature="+url.QueryEscape(sig))
	return req
}

func alipaySigned() string { return "" }

type notifyServer struct {
	srv   *httptest.Server
	calls atomic.Int32
	got   atomic.Pointer[alipayplus.Notification]
	logs  *logBuffer
}

// newNotifyServer mounts the handler under /hooks with http.StripPrefix, as
// a real application might, to prove verification uses the URI as sent.
func newNotifyServer(t *testing.T, fn func(context.Context, *alipayplus.Notification) error, opts ...alipayplus.NotifyOption) *notifyServer {
	t.Helper()
	logger, logs := captureLogger()
	c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey, alipayplus.WithLogger(logger))
	require.NoError(t, err)
	ns := &notifyServer{logs: logs}
	wrapped := func(ctx context.Context, n *alipayplus.Notification) error {
		ns.calls.Add(1)
		ns.got.Store(n)
		if fn == nil {
			return nil
		}
		return fn(ctx, n)
	}
	mux := http.NewServeMux()
	mux.Handle("/hooks/", http.StripPrefix("/hooks", c.NotifyHandler(wrapped, opts...)))
	ns.srv = httptest.NewServer(mux)
	t.Cleanup(ns.srv.Close)
	return ns
}

func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

const ackS = `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}`

func TestNotifyHandlerAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fixture string
		check   func(t *testing.T, n *alipayplus.Notification)
	}{
		{"antom", "notify_antom.json", func(t *testing.T, n *alipayplus.Notification) {
			assert.Equal(t, "PAYMENT_RESULT", n.NotifyType)
			assert.Equal(t, "ALIPAY_CN", n.PSPCustomerInfo.PSPName)
			assert.False(t, n.PaymentCreateTime.IsZero())
		}},
		{"acqp", "notify_acqp.json", func(t *testing.T, n *alipayplus.Notification) {
			assert.Equal(t, "KAKAOPAY", n.WalletBrandName)
			assert.Equal(t, "1022172000000000001", n.PSPID)
			assert.Equal(t, "kakao-user-1", n.CustomerID)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ns := newNotifyServer(t, nil)
			body := fixture(t, tt.fixture)
			status, ack := send(t, signedNotification(t, ns.srv.URL+"/hooks/alipay/notify?shop=1", "/hooks/alipay/notify?shop=1", body, alipaySigned))
			assert.Equal(t, http.StatusOK, status)
			assert.JSONEq(t, ackS, ack)
			if ack != ackS {
				t.Errorf("acknowledgement %q is not the documented one, byte for byte", ack)
			}
			require.Equal(t, int32(1), ns.calls.Load())
			n := ns.got.Load()
			assert.Equal(t, testPaymentRequestID, n.PaymentRequestID)
			assert.Equal(t, "20240612194010800100188820200001234", n.PaymentID)
			assert.True(t, n.PaymentResult.Succeeded())
			assert.Equal(t, instore.Money{Amount: 1000, Currency: instore.JPY}, n.PaymentAmount)
			assert.True(t, n.PaymentTime.Equal(time.Date(2024, 6, 12, 11, 40, 12, 0, time.UTC)))
			tt.check(t, n)
			assert.Contains(t, ns.logs.String(), `"request_id":"PR-20240612-0001"`)
		})
	}
}

func TestNotifyHandlerRefuses(t *testing.T) {
	t.Parallel()
	body := fixture(t, "notify_antom.json")
	const path = "/hooks/alipay/notify"
	tests := []struct {
		name       string
		req        func(t *testing.T, base string) *http.Request
		fn         func(context.Context, *alipayplus.Notification) error
		opts       []alipayplus.NotifyOption
		wantStatus int
		wantCalled bool
	}{
		{"forged", func(t *testing.T, base string) *http.Request {
			return signedNotification(t, base+path, path, body, func() string { return gatewaySign(forgerKey(), path, testClientID, "x", []byte(body)) })
		}, nil, nil, http.StatusUnauthorized, false},
		{"signed over another path", func(t *testing.T, base string) *http.Request {
			return signedNotification(t, base+path, "/other", body, alipaySigned)
		}, nil, nil, http.StatusUnauthorized, false},
		{"body changed", func(t *testing.T, base string) *http.Request {
			r := signedNotification(t, base+path, path, body, alipaySigned)
			changed := strings.Replace(body, `"S"`, `"F"`, 1)
			r.Body = io.NopCloser(strings.NewReader(changed))
			r.ContentLength = int64(len(changed))
			return r
		}, nil, nil, http.StatusUnauthorized, false},
		{"no signature", func(t *testing.T, base string) *http.Request {
			r := signedNotification(t, base+path, path, body, alipaySigned)
			r.Header.Del("Signature")
			return r
		}, nil, nil, http.StatusUnauthorized, false},
		{"no request time", func(t *testing.T, base string) *http.Request {
			r := signedNotification(t, base+path, path, body, alipaySigned)
			r.Header.Del("Request-Time")
			return r
		}, nil, nil, http.StatusUnauthorized, false},
		{"another client", func(t *testing.T, base string) *http.Request {
			r := signedNotification(t, base+path, path, body, alipaySigned)
			r.Header.Set("Client-Id", "other")
			return r
		}, nil, nil, http.StatusUnauthorized, false},
		{"GET", func(t *testing.T, base string) *http.Request {
			r, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+path, nil)
			require.NoError(t, err)
			return r
		}, nil, nil, http.StatusMethodNotAllowed, false},
		{"too large", func(t *testing.T, base string) *http.Request {
			big := `{"pad":"` + strings.Repeat("x", 4<<10) + `"}`
			return signedNotification(t, base+path, path, big, alipaySigned)
		}, nil, []alipayplus.NotifyOption{alipayplus.WithNotifyMaxBytes(1 << 10)}, http.StatusRequestEntityTooLarge, false},
		{"signed but not a notification", func(t *testing.T, base string) *http.Request {
			return signedNotification(t, base+path, path, `{"hello":"world"}`, alipaySigned)
		}, nil, nil, http.StatusBadRequest, false},
		{"signed garbage", func(t *testing.T, base string) *http.Request {
			return signedNotification(t, base+path, path, `{"result":`, alipaySigned)
		}, nil, nil, http.StatusBadRequest, false},
		{"handler fails", func(t *testing.T, base string) *http.Request {
			return signedNotification(t, base+path, path, body, alipaySigned)
		}, func(context.Context, *alipayplus.Notification) error { return errors.New("database down") }, nil, http.StatusInternalServerError, true},
		{"handler panics", func(t *testing.T, base string) *http.Request {
			return signedNotification(t, base+path, path, body, alipaySigned)
		}, func(context.Context, *alipayplus.Notification) error { panic("boom " + testPaymentCode) }, nil, http.StatusInternalServerError, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ns := newNotifyServer(t, tt.fn, tt.opts...)
			status, ack := send(t, tt.req(t, ns.srv.URL))
			assert.Equal(t, tt.wantStatus, status)
			assert.Contains(t, ack, `"resultStatus":"F"`)
			assert.NotContains(t, ack, `"resultStatus":"S"`)
			assert.Equal(t, tt.wantCalled, ns.calls.Load() == 1)
			logs := ns.logs.String()
			assert.Contains(t, logs, `"step":"notify"`)
			assert.NotContains(t, logs, "signature=")
			assert.NotContains(t, logs, testPaymentCode)
			assert.NotContains(t, logs, `"paymentId"`)
		})
	}
}

func TestNotifyHandlerNilFunc(t *testing.T) {
	t.Parallel()
	c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey)
	require.NoError(t, err)
	srv := httptest.NewServer(c.NotifyHandler(nil))
	t.Cleanup(srv.Close)
	status, ack := send(t, signedNotification(t, srv.URL+"/n", "/n", fixture(t, "notify_acqp.json"), alipaySigned))
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Contains(t, ack, `"resultStatus":"F"`)
}

// TestNotifyPathOption: behind a proxy that rewrites the path, the signed
// path is given explicitly.
func TestNotifyPathOption(t *testing.T) {
	t.Parallel()
	c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey)
	require.NoError(t, err)
	h := c.NotifyHandler(func(context.Context, *alipayplus.Notification) error { return nil },
		alipayplus.WithNotifyPath("/public/alipay/notify"), alipayplus.WithNotifyMaxBytes(8<<10))
	body := fixture(t, "notify_antom.json")
	r := httptest.NewRequest(http.MethodPost, "/internal/notify", strings.NewReader(body))
	signed := signedNotification(t, "http://x/public/alipay/notify", "/public/alipay/notify", body, alipaySigned)
	r.Header = signed.Header
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, ackS, w.Body.String())
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
}

func TestVerifyAndParseNotification(t *testing.T) {
	t.Parallel()
	c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey)
	require.NoError(t, err)
	body := fixture(t, "notify_acqp.json")

	r := signedNotification(t, "https://pos.example.com/alipay/notify", "/alipay/notify", body, alipaySigned)
	require.NoError(t, c.VerifyNotification(r, []byte(body)))
	n, err := c.ParseNotification(r, []byte(body))
	require.NoError(t, err)
	assert.Equal(t, testPaymentRequestID, n.PaymentRequestID)

	require.ErrorIs(t, c.VerifyNotification(r, []byte(body+" ")), alipayplus.ErrInvalidSignature)
	require.ErrorIs(t, c.VerifyNotification(nil, []byte(body)), alipayplus.ErrInvalidSignature)
	r.Method = http.MethodPut
	require.ErrorIs(t, c.VerifyNotification(r, []byte(body)), alipayplus.ErrInvalidSignature)

	r2 := signedNotification(t, "https://pos.example.com/alipay/notify", "/alipay/notify", `{"paymentResult":{"resultStatus":"S"}}`, alipaySigned)
	_, err = c.ParseNotification(r2, []byte(`{"paymentResult":{"resultStatus":"S"}}`))
	require.ErrorIs(t, err, alipayplus.ErrNotificationMalformed)
}

func TestNotificationPaymentIDs(t *testing.T) {
	t.Parallel()
	n := &alipayplus.Notification{PaymentRequestID: "sale-1", PaymentID: "2024061211401080010000001"}
	assert.Equal(t, []string{"sale-1", "2024061211401080010000001"}, n.PaymentIDs())
	assert.Equal(t, []string{"sale-1"}, (&alipayplus.Notification{PaymentRequestID: "sale-1"}).PaymentIDs())
	assert.Empty(t, (&alipayplus.Notification{}).PaymentIDs())
}
