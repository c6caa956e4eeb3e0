package alipayplus_test

import (
	"context"
	"crypto/rsa"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
)

func TestNewClientRefuses(t *testing.T) {
	t.Parallel()
	small := genKey(1024)
	tests := []struct {
		name     string
		clientID string
		key      *rsa.PrivateKey
		pub      *rsa.PublicKey
		opts     []alipayplus.Option
	}{
		{"empty client id", "", merchantKey(), &alipayKey().PublicKey, nil},
		{"client id with newline", "abc\n", merchantKey(), &alipayKey().PublicKey, nil},
		{"client id with space", "a b", merchantKey(), &alipayKey().PublicKey, nil},
		{"nil private key", testClientID, nil, &alipayKey().PublicKey, nil},
		{"nil public key", testClientID, merchantKey(), nil, nil},
		{"small private key", testClientID, small, &alipayKey().PublicKey, nil},
		{"small public key", testClientID, merchantKey(), &small.PublicKey, nil},
		{"own public key as alipay key", testClientID, merchantKey(), &merchantKey().PublicKey, nil},
		{"http base URL", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithBaseURL("http://open-sea-global.alipay.com")}},
		{"ftp base URL", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithBaseURL("ftp://127.0.0.1")}},
		{"relative base URL", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithBaseURL("open-sea-global.alipay.com")}},
		{"base URL with path", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithBaseURL("https://example.com/prefix")}},
		{"base URL with query", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithBaseURL("https://example.com?a=b")}},
		{"base URL with user", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithBaseURL("https://u:p@example.com")}},
		{"unknown flavor", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithFlavor("ipay")}},
		{"zero timeout", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithTimeout(0)}},
		{"negative retries", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithMaxRetries(-1)}},
		{"too many retries", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithMaxRetries(11)}},
		{"nil HTTP client", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithHTTPClient(nil)}},
		{"negative key version", testClientID, merchantKey(), &alipayKey().PublicKey, []alipayplus.Option{alipayplus.WithKeyVersion(-1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := alipayplus.NewClient(tt.clientID, tt.key, tt.pub, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), "alipayplus: ")
			require.ErrorIs(t, err, alipayplus.ErrInvalidConfig)
			require.ErrorIs(t, err, instore.ErrInvalidConfig, "classified with the root package alone")
		})
	}
}

func TestNewClientAccepts(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"https://open-na-global.alipay.com", "https://open-sea-global.alipay.com/", "http://127.0.0.1:8080", "http://[::1]:9000", "http://localhost"} {
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey, alipayplus.WithBaseURL(base))
			require.NoError(t, err)
			assert.Equal(t, alipayplus.FlavorAntom, c.Flavor())
			assert.Equal(t, testClientID, c.ClientID())
		})
	}
}

// TestPathsPerFlavor sends every call in both flavours, and in Antom's
// sandbox, and checks the path and that the gateway verified our signature
// over exactly that path.
func TestPathsPerFlavor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		clientID string
		flavor   alipayplus.Flavor
		want     [4]string // pay, inquiry, cancel, refund
	}{
		{"antom", testClientID, alipayplus.FlavorAntom, [4]string{"/ams/api/v1/payments/pay", "/ams/api/v1/payments/inquiryPayment", "/ams/api/v1/payments/cancel", "/ams/api/v1/payments/refund"}},
		{"antom sandbox", "SANDBOX_5YEXAMPLE", alipayplus.FlavorAntom, [4]string{"/ams/sandbox/api/v1/payments/pay", "/ams/sandbox/api/v1/payments/inquiryPayment", "/ams/sandbox/api/v1/payments/cancel", "/ams/sandbox/api/v1/payments/refund"}},
		{"acqp", testClientID, alipayplus.FlavorACQP, [4]string{"/aps/api/v1/payments/pay", "/aps/api/v1/payments/inquiryPayment", "/aps/api/v1/payments/cancelPayment", "/aps/api/v1/payments/refund"}},
		{"acqp with sandbox id keeps its path", "SANDBOX_5YEXAMPLE", alipayplus.FlavorACQP, [4]string{"/aps/api/v1/payments/pay", "/aps/api/v1/payments/inquiryPayment", "/aps/api/v1/payments/cancelPayment", "/aps/api/v1/payments/refund"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, func(r *recorded, _ int) reply {
				switch r.Path {
				case tt.want[0]:
					return reply{Body: fixture(t, "pay_success.json")}
				case tt.want[1]:
					return reply{Body: fixture(t, "inquiry_antom_success.json")}
				case tt.want[2]:
					return reply{Body: fixture(t, "cancel_success.json")}
				case tt.want[3]:
					return reply{Body: fixture(t, "refund_success.json")}
				}
				return reply{Status: http.StatusNotFound, Body: "not found", Unsigned: true}
			})
			g.clientID = tt.clientID
			c, err := alipayplus.NewClient(tt.clientID, merchantKey(), &alipayKey().PublicKey,
				alipayplus.WithBaseURL(g.srv.URL), alipayplus.WithFlavor(tt.flavor), alipayplus.WithMaxRetries(0))
			require.NoError(t, err)
			ctx := t.Context()

			pay, err := c.Pay(ctx, payRequest())
			require.NoError(t, err)
			assert.True(t, pay.Result.Succeeded())
			_, err = c.InquiryPayment(ctx, &alipayplus.InquiryRequest{PaymentRequestID: testPaymentRequestID})
			require.NoError(t, err)
			_, err = c.Cancel(ctx, &alipayplus.CancelRequest{PaymentRequestID: testPaymentRequestID})
			require.NoError(t, err)
			_, err = c.Refund(ctx, &alipayplus.RefundRequest{RefundRequestID: "RF-20240613-0001", PaymentID: pay.PaymentID, Amount: pay.PaymentAmount})
			require.NoError(t, err)

			reqs := g.requests()
			require.Len(t, reqs, 4)
			for i, r := range reqs {
				assert.Equal(t, tt.want[i], r.Path)
				assert.True(t, r.Verified, "gateway could not verify the signature of %s", r.Path)
				assert.Equal(t, tt.clientID, r.Header.Get("Client-Id"))
				assert.Regexp(t, `^\d{13}$`, r.Header.Get("Request-Time"))
				assert.Regexp(t, `^algorithm=RSA256,keyVersion=1,signature=[A-Za-z0-9%]+$`, r.Header.Get("Signature"))
				assert.Equal(t, []string{"application/json; charset=UTF-8"}, r.Header.Values("Content-Type"))
				assert.Empty(t, r.Header.Values("Agent-Token"))
				assert.Empty(t, r.Header.Values("Idempotency-Key"))
			}
		})
	}
}

func TestKeyVersionHeader(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	c := newTestClient(t, g, alipayplus.WithKeyVersion(3))
	_, err := c.Pay(t.Context(), payRequest())
	require.NoError(t, err)
	reqs := g.requests()
	require.Len(t, reqs, 1)
	assert.Contains(t, reqs[0].Header.Get("Signature"), ",keyVersion=3,")
}

// TestSequentialCallsReuseOneConnection: the official SDK opens a connection
// per call; we must not.
func TestSequentialCallsReuseOneConnection(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	pay, inquiry := fixture(t, "pay_success.json"), fixture(t, "inquiry_antom_success.json")
	g := &gateway{t: t, clientID: testClientID, respond: func(r *recorded, _ int) reply {
		if strings.HasSuffix(r.Path, "/inquiryPayment") {
			return reply{Body: inquiry}
		}
		return reply{Body: pay}
	}}
	g.srv = httptest.NewUnstartedServer(http.HandlerFunc(g.serve))
	g.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	g.srv.Start()
	t.Cleanup(g.srv.Close)

	// The client's own HTTP client, as a user without WithHTTPClient gets.
	c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey, alipayplus.WithBaseURL(g.srv.URL))
	require.NoError(t, err)
	for range 5 {
		resp, err := c.Pay(t.Context(), payRequest())
		require.NoError(t, err)
		require.True(t, resp.Result.Succeeded())
	}
	_, err = c.InquiryPayment(t.Context(), &alipayplus.InquiryRequest{PaymentRequestID: testPaymentRequestID})
	require.NoError(t, err)
	assert.Equal(t, int32(1), conns.Load())
	assert.Len(t, g.requests(), 6)
}

func TestWithHTTPClientIsUsed(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	c := newTestClient(t, g, alipayplus.WithHTTPClient(&http.Client{Transport: tr}), alipayplus.WithTimeout(2*time.Second))
	for range 3 {
		_, err := c.Pay(t.Context(), payRequest())
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), dials.Load())
}
