package alipayplus_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
)

// fakeRT is an in-memory gateway for synctest bubbles, where real network I/O
// cannot be waited on. It reports each request as written, as net/http's
// transport would, and records what it received.
type fakeRT struct {
	handle func(n int, req *http.Request, body []byte) (*http.Response, error)

	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	times   []time.Time
}

func (f *fakeRT) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	if tr := httptrace.ContextClientTrace(req.Context()); tr != nil && tr.WroteRequest != nil {
		tr.WroteRequest(httptrace.WroteRequestInfo{})
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	f.headers = append(f.headers, req.Header.Clone())
	f.times = append(f.times, time.Now())
	n := len(f.bodies)
	f.mu.Unlock()
	return f.handle(n, req, body)
}

func (f *fakeRT) attempts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

// respond builds a gateway answer to req, signed unless unsigned is set.
func respond(req *http.Request, status int, body string, unsigned bool, extra http.Header) *http.Response {
	h := http.Header{"Content-Type": {"application/json"}}
	if !unsigned {
		ts := time.Now().Format(time.RFC3339)
		h.Set("Client-Id", testClientID)
		h.Set("Response-Time", ts)
		h.Set("Signature", "algorithm=RSA256,keyVersion=1,signature="+url.QueryEscape(gatewaySign(alipayKey(), req.URL.Path, testClientID, ts, []byte(body))))
	}
	for k, v := range extra {
		h[k] = v
	}
	return &http.Response{
		StatusCode:    status,
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

func fakeClient(t *testing.T, rt *fakeRT, opts ...alipayplus.Option) *alipayplus.Client {
	t.Helper()
	all := append([]alipayplus.Option{alipayplus.WithBaseURL("https://open-sea-global.alipay.com"), alipayplus.WithHTTPClient(&http.Client{Transport: rt})}, opts...)
	c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey, all...)
	require.NoError(t, err)
	return c
}

// TestRetriesSendTheSameBytes: every retry carries the body, the signature
// and the paymentRequestId of the first attempt.
func TestRetriesSendTheSameBytes(t *testing.T) {
	t.Parallel()
	success := fixture(t, "pay_success.json")
	tests := []struct {
		name    string
		failure func(req *http.Request) (*http.Response, error)
	}{
		{"503", func(req *http.Request) (*http.Response, error) {
			return respond(req, http.StatusServiceUnavailable, "busy", true, nil), nil
		}},
		{"signed U under 500", func(req *http.Request) (*http.Response, error) {
			return respond(req, http.StatusInternalServerError, fixture(t, "error_unknown_exception.json"), false, nil), nil
		}},
		{"429", func(req *http.Request) (*http.Response, error) {
			return respond(req, http.StatusTooManyRequests, "slow down", true, http.Header{"Retry-After": {"1"}}), nil
		}},
		{"connection reset after writing", func(*http.Request) (*http.Response, error) {
			return nil, errors.New("connection reset by peer")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rt := &fakeRT{handle: func(n int, req *http.Request, _ []byte) (*http.Response, error) {
					if n < 3 {
						return tt.failure(req)
					}
					return respond(req, http.StatusOK, success, false, nil), nil
				}}
				c := fakeClient(t, rt)
				start := time.Now()
				resp, err := c.Pay(t.Context(), payRequest())
				require.NoError(t, err)
				assert.True(t, resp.Result.Succeeded())
				require.Equal(t, 3, rt.attempts())
				for i := 1; i < 3; i++ {
					assert.Equal(t, rt.bodies[0], rt.bodies[i], "attempt %d sent other bytes", i+1)
					assert.Equal(t, rt.headers[0].Get("Signature"), rt.headers[i].Get("Signature"))
					assert.Equal(t, rt.headers[0].Get("Request-Time"), rt.headers[i].Get("Request-Time"))
					var first, again struct {
						PaymentRequestID string `json:"paymentRequestId"`
					}
					require.NoError(t, json.Unmarshal(rt.bodies[0], &first))
					require.NoError(t, json.Unmarshal(rt.bodies[i], &again))
					assert.Equal(t, testPaymentRequestID, again.PaymentRequestID)
					assert.Equal(t, first, again)
				}
				assert.Less(t, time.Since(start), 10*time.Second, "backoff stays short")
				if tt.name == "429" {
					assert.GreaterOrEqual(t, rt.times[1].Sub(rt.times[0]), time.Second, "Retry-After honoured")
				}
			})
		})
	}
}

// TestEveryAttemptTimesOut: a gateway that never answers costs at most
// (1 + retries) × timeout plus backoff, and the result is an unknown outcome.
func TestEveryAttemptTimesOut(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rt := &fakeRT{handle: func(_ int, req *http.Request, _ []byte) (*http.Response, error) {
			<-req.Context().Done()
			return nil, req.Context().Err()
		}}
		c := fakeClient(t, rt)
		start := time.Now()
		resp, err := c.Pay(t.Context(), payRequest())
		elapsed := time.Since(start)
		assert.Nil(t, resp)
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		var ae *alipayplus.Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, 3, ae.Attempts)
		assert.Equal(t, 3, rt.attempts())
		assert.GreaterOrEqual(t, elapsed, 3*alipayplus.DefaultTimeout)
		assert.Less(t, elapsed, 3*alipayplus.DefaultTimeout+2*time.Second)
		for i := 1; i < 3; i++ {
			// Each attempt ran its full timeout, then a short jittered backoff.
			gap := rt.times[i].Sub(rt.times[i-1])
			assert.GreaterOrEqual(t, gap, alipayplus.DefaultTimeout, "attempt %d", i)
			assert.Less(t, gap, alipayplus.DefaultTimeout+time.Second, "attempt %d", i)
		}
	})
}

func TestCallerDeadlineBoundsTheCall(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rt := &fakeRT{handle: func(_ int, req *http.Request, _ []byte) (*http.Response, error) {
			<-req.Context().Done()
			return nil, req.Context().Err()
		}}
		c := fakeClient(t, rt, alipayplus.WithTimeout(3*time.Second))
		ctx, cancel := context.WithTimeout(t.Context(), 4*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.Pay(ctx, payRequest())
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
		assert.LessOrEqual(t, time.Since(start), 4*time.Second)
	})
}

func TestNoRetriesWhenDisabled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rt := &fakeRT{handle: func(_ int, req *http.Request, _ []byte) (*http.Response, error) {
			return respond(req, http.StatusBadGateway, "<html>", true, nil), nil
		}}
		c := fakeClient(t, rt, alipayplus.WithMaxRetries(0))
		_, err := c.Pay(t.Context(), payRequest())
		require.ErrorIs(t, err, alipayplus.ErrUnexpectedStatus)
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
		var ae *alipayplus.Error
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, http.StatusBadGateway, ae.StatusCode)
		assert.Equal(t, 1, rt.attempts())
	})
}

func TestInquiryRetriesToo(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ok := fixture(t, "inquiry_antom_processing.json")
		rt := &fakeRT{handle: func(n int, req *http.Request, _ []byte) (*http.Response, error) {
			if n == 1 {
				return respond(req, http.StatusInternalServerError, "oops", true, nil), nil
			}
			return respond(req, http.StatusOK, ok, false, nil), nil
		}}
		c := fakeClient(t, rt, alipayplus.WithMaxRetries(1))
		resp, err := c.InquiryPayment(t.Context(), &alipayplus.InquiryRequest{PaymentRequestID: testPaymentRequestID})
		require.NoError(t, err)
		assert.Equal(t, alipayplus.PaymentProcessing, resp.PaymentStatus)
		assert.Equal(t, 2, rt.attempts())
		assert.Equal(t, strconv.Quote(testPaymentRequestID), strings.TrimSuffix(strings.TrimPrefix(string(rt.bodies[1]), `{"paymentRequestId":`), "}"))
	})
}

func TestDefaultHosts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		flavor alipayplus.Flavor
		want   string
	}{
		{alipayplus.FlavorAntom, "https://open-sea-global.alipay.com/ams/api/v1/payments/pay"},
		{alipayplus.FlavorACQP, "https://open-sea.alipayplus.com/aps/api/v1/payments/pay"},
	}
	for _, tt := range tests {
		t.Run(string(tt.flavor), func(t *testing.T) {
			t.Parallel()
			var got string
			rt := &fakeRT{handle: func(_ int, req *http.Request, _ []byte) (*http.Response, error) {
				got = req.URL.String()
				return respond(req, http.StatusOK, fixture(t, "pay_success.json"), false, nil), nil
			}}
			c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey,
				alipayplus.WithFlavor(tt.flavor), alipayplus.WithHTTPClient(&http.Client{Transport: rt}))
			require.NoError(t, err)
			_, err = c.Pay(t.Context(), payRequest())
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// silentRT fails without calling the httptrace hooks, as a RoundTripper
// that is not net/http's may.
type silentRT struct{ calls int }

func (s *silentRT) RoundTrip(*http.Request) (*http.Response, error) {
	s.calls++
	return nil, errors.New("proxy: upstream connection lost")
}

// TestCustomRoundTripperFailureIsOutcomeUnknown: with a RoundTripper that
// reports nothing through httptrace, a failed Pay may have been sent.
func TestCustomRoundTripperFailureIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	rt := &silentRT{}
	c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey,
		alipayplus.WithHTTPClient(&http.Client{Transport: rt}), alipayplus.WithMaxRetries(0))
	require.NoError(t, err)
	_, err = c.Pay(t.Context(), payRequest())
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
	assert.Equal(t, 1, rt.calls)
	_, err = c.InquiryPayment(t.Context(), &alipayplus.InquiryRequest{PaymentRequestID: testPaymentRequestID})
	require.Error(t, err)
	require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
}
