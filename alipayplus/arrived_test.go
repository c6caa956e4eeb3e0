package alipayplus_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/internal/h2fault"
	"github.com/instorepay/instore/internal/hostile"
	"github.com/instorepay/instore/internal/transport"
)

// stepAnswer: the gateway read the request and answered, signed unless
// unsigned is set.
func stepAnswer(status int, body string, unsigned bool) hostile.Step {
	return hostile.Answered(func(r *http.Request) *http.Response {
		return respond(r, status, body, unsigned, nil)
	})
}

const testRefundRequestID = "RF-20240613-0001"

func refundRequest() *alipayplus.RefundRequest {
	return &alipayplus.RefundRequest{
		RefundRequestID: testRefundRequestID,
		PaymentID:       "20240612194010800100188820200001234",
		Amount:          instore.Money{Amount: 400, Currency: instore.JPY},
	}
}

// A Pay or Refund that the gateway may have processed on an earlier attempt
// is an unknown outcome, whatever the later attempts got: a refused dial,
// a reset, an unsigned 429. Only a signed answer on the last attempt is
// trusted, since the gateway answers for the request id, not the attempt.
func TestPayAndRefundOutcomeUnknownOnceAnAttemptMayHaveArrived(t *testing.T) {
	t.Parallel()
	calls := []struct {
		name    string
		success string
		call    func(context.Context, *alipayplus.Client) error
	}{
		{"Pay", "pay_success.json", func(ctx context.Context, c *alipayplus.Client) error {
			_, err := c.Pay(ctx, payRequest())
			return err
		}},
		{"Refund", "refund_success.json", func(ctx context.Context, c *alipayplus.Client) error {
			_, err := c.Refund(ctx, refundRequest())
			return err
		}},
	}
	tests := []struct {
		name        string
		steps       func(t *testing.T, success string) []hostile.Step
		wantUnknown bool
		wantIs      error
	}{
		{"500, then never written", func(*testing.T, string) []hostile.Step {
			return []hostile.Step{stepAnswer(http.StatusInternalServerError, "", true), hostile.NeverWritten}
		}, true, syscall.ECONNREFUSED},
		{"signed U under 500, then never written", func(t *testing.T, _ string) []hostile.Step {
			return []hostile.Step{stepAnswer(http.StatusInternalServerError, fixture(t, "error_unknown_exception.json"), false), hostile.NeverWritten}
		}, true, syscall.ECONNREFUSED},
		{"written then reset, then never written", func(*testing.T, string) []hostile.Step {
			return []hostile.Step{hostile.WrittenThenReset, hostile.NeverWritten}
		}, true, syscall.ECONNREFUSED},
		{"timeout after writing, then never written", func(*testing.T, string) []hostile.Step {
			return []hostile.Step{hostile.TimeoutAfterWrite, hostile.NeverWritten}
		}, true, syscall.ECONNREFUSED},
		{"500, then an unsigned 429", func(*testing.T, string) []hostile.Step {
			return []hostile.Step{stepAnswer(http.StatusInternalServerError, "", true), stepAnswer(http.StatusTooManyRequests, "slow down", true)}
		}, true, alipayplus.ErrUnexpectedStatus},
		{"never written, every time", func(*testing.T, string) []hostile.Step {
			return []hostile.Step{hostile.NeverWritten}
		}, false, syscall.ECONNREFUSED},
		{"500, then a signed answer", func(_ *testing.T, success string) []hostile.Step {
			return []hostile.Step{stepAnswer(http.StatusInternalServerError, "", true), stepAnswer(http.StatusOK, success, false)}
		}, false, nil},
	}
	for _, call := range calls {
		for _, tt := range tests {
			t.Run(call.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					rt := hostile.NewScript(tt.steps(t, fixture(t, call.success))...)
					c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey, alipayplus.WithHTTPClient(&http.Client{Transport: rt}))
					require.NoError(t, err)

					err = call.call(t.Context(), c)
					if tt.wantIs == nil {
						require.NoError(t, err)
						assert.Equal(t, 2, rt.Attempts())
						return
					}
					require.ErrorIs(t, err, tt.wantIs)
					if tt.wantUnknown {
						require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
					} else {
						require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
					}
					var ae *alipayplus.Error
					require.ErrorAs(t, err, &ae)
					assert.Equal(t, 1+alipayplus.DefaultMaxRetries, ae.Attempts)
					assert.Equal(t, 1+alipayplus.DefaultMaxRetries, rt.Attempts())
					assert.NotContains(t, errorChainText(err), testPaymentCode)
				})
			})
		}
	}
}

// An HTTP/2 gateway that processes a Pay and then resets the stream or
// sends GOAWAY makes net/http replay a POST whose body it can rewind (the
// control). Pay is never replayed by net/http: the gateway sees one request
// per attempt the client made, and the outcome is unknown.
func TestPayIsNotReplayedOverHTTP2(t *testing.T) {
	t.Parallel()
	for _, fault := range h2fault.Faults() {
		t.Run(fault.String()+"/control: a plain net/http POST is replayed", func(t *testing.T) {
			t.Parallel()
			s := h2fault.Start(t, fault, h2fault.Answer{ContentType: "application/json", Body: []byte("{}")})
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/ams/api/v1/payments/pay", bytes.NewReader([]byte(`{"paymentRequestId":"PR-1"}`)))
			require.NoError(t, err)
			resp, err := s.Client(transport.NewHTTPTransport()).Do(req)
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Equal(t, 2, s.Requests(), "the server received the POST twice")
		})
		t.Run(fault.String()+"/Pay", func(t *testing.T) {
			t.Parallel()
			s := h2fault.Start(t, fault, h2fault.Answer{ContentType: "application/json", Body: []byte("{}")})
			c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey,
				alipayplus.WithBaseURL(s.URL), alipayplus.WithHTTPClient(s.Client(transport.NewHTTPTransport())), alipayplus.WithMaxRetries(0))
			require.NoError(t, err)

			resp, err := c.Pay(t.Context(), payRequest())
			assert.Nil(t, resp)
			require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
			assert.Equal(t, 1, s.Requests(), "the gateway received the payment once")
			assert.NotContains(t, errorChainText(err), testPaymentCode)
		})
	}
}

// A caller's client that follows redirects is copied, not obeyed: the
// signed Pay, payment code and all, is not sent on to another host.
func TestCallersClientDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	elsewhere := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.srv.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)
	hc := &http.Client{}
	c, err := alipayplus.NewClient(testClientID, merchantKey(), &alipayKey().PublicKey,
		alipayplus.WithBaseURL(redirector.URL), alipayplus.WithHTTPClient(hc), alipayplus.WithMaxRetries(0))
	require.NoError(t, err)

	_, err = c.Pay(t.Context(), payRequest())
	require.ErrorIs(t, err, alipayplus.ErrUnexpectedStatus)
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
	assert.Empty(t, elsewhere.requests(), "nothing reached the other host")
	assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
}
