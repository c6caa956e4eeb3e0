package ppro_test

import (
	"bytes"
	"context"
	"net/http"
	"syscall"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/h2fault"
	"github.com/instorepay/instore/internal/hostile"
	"github.com/instorepay/instore/internal/transport"
	"github.com/instorepay/instore/ppro"
)

// answered: PPRO, or something in front of it, read the request and
// answered.
func answered(status int, body string) hostile.Step {
	return hostile.Answered(func(r *http.Request) *http.Response {
		return response(r, status, body)
	})
}

func attemptClient(t *testing.T, rt http.RoundTripper, opts ...ppro.Option) *ppro.Client {
	t.Helper()
	c, err := ppro.NewClient(testCreds, append([]ppro.Option{ppro.WithBaseURL("https://ppro.invalid"), ppro.WithHTTPClient(&http.Client{Transport: rt})}, opts...)...)
	require.NoError(t, err)
	return c
}

func refundRequest() *ppro.RefundRequest {
	return &ppro.RefundRequest{TxID: "643772308", Amount: instore.Money{Amount: 1250, Currency: instore.CHF}, MerchantRefundID: "MS123R"}
}

// Once an attempt of a TRANSACTION or a REFUND may have reached PPRO, the
// call ends in ErrOutcomeUnknown unless PPRO answers it: a later refused
// dial, a 429 or another refusal speaks only for its own attempt.
func TestTransactionAndRefundOutcomeUnknownOnceAnAttemptMayHaveArrived(t *testing.T) {
	t.Parallel()
	calls := []struct {
		name    string
		success string
		call    func(context.Context, *ppro.Client) error
	}{
		{"Transaction", "transaction_pending.txt", func(ctx context.Context, c *ppro.Client) error {
			_, err := c.Transaction(ctx, transactionRequest())
			return err
		}},
		{"Refund", "refund_succeeded.txt", func(ctx context.Context, c *ppro.Client) error {
			_, err := c.Refund(ctx, refundRequest())
			return err
		}},
	}
	limited := answered(http.StatusTooManyRequests, "")
	tests := []struct {
		name        string
		steps       func(success string) []hostile.Step
		wantUnknown bool
		wantSent    int
		wantIs      error
	}{
		{"429, then never written", func(string) []hostile.Step {
			return []hostile.Step{limited, hostile.NeverWritten}
		}, true, 3, syscall.ECONNREFUSED},
		{"429, then 429", func(string) []hostile.Step {
			return []hostile.Step{limited}
		}, true, 3, ppro.ErrRateLimited},
		{"429, then a proxy's 403", func(string) []hostile.Step {
			return []hostile.Step{limited, answered(http.StatusForbidden, "<html>denied</html>")}
		}, true, 2, ppro.ErrUnexpectedStatus},
		{"never written, 429, never written", func(string) []hostile.Step {
			return []hostile.Step{hostile.NeverWritten, limited, hostile.NeverWritten}
		}, true, 3, syscall.ECONNREFUSED},
		{"500 is not sent again", func(string) []hostile.Step {
			return []hostile.Step{answered(http.StatusInternalServerError, ""), hostile.NeverWritten}
		}, true, 1, ppro.ErrUnexpectedStatus},
		{"written then reset is not sent again", func(string) []hostile.Step {
			return []hostile.Step{hostile.WrittenThenReset, hostile.NeverWritten}
		}, true, 1, syscall.ECONNRESET},
		{"never written, every time", func(string) []hostile.Step {
			return []hostile.Step{hostile.NeverWritten}
		}, false, 3, syscall.ECONNREFUSED},
		{"a lone 403", func(string) []hostile.Step {
			return []hostile.Step{answered(http.StatusForbidden, "")}
		}, false, 1, ppro.ErrUnexpectedStatus},
		{"429, then the answer", func(success string) []hostile.Step {
			return []hostile.Step{limited, answered(http.StatusOK, success)}
		}, false, 2, nil},
	}
	for _, call := range calls {
		for _, tt := range tests {
			t.Run(call.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					rt := hostile.NewScript(tt.steps(fixture(t, call.success))...)
					err := call.call(t.Context(), attemptClient(t, rt))
					assert.Equal(t, tt.wantSent, rt.Attempts(), "attempts")
					if tt.wantIs == nil {
						require.NoError(t, err)
						return
					}
					require.ErrorIs(t, err, tt.wantIs)
					if tt.wantUnknown {
						require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
					} else {
						require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
					}
					text := errorChainText(err)
					assert.NotContains(t, text, testCode)
					assert.NotContains(t, text, testPassword)
				})
			})
		}
	}
}

// CANCELTX is retried after a 5xx, which may have cancelled: what the later
// attempts get does not make the outcome known, unless PPRO answers.
func TestCancelOutcomeUnknownAfterA5xx(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps []hostile.Step
		want  error
	}{
		{"500, then never written", []hostile.Step{answered(http.StatusInternalServerError, ""), hostile.NeverWritten}, syscall.ECONNREFUSED},
		{"500, then 429", []hostile.Step{answered(http.StatusInternalServerError, ""), answered(http.StatusTooManyRequests, "")}, ppro.ErrRateLimited},
		{"502, then a proxy's 404", []hostile.Step{answered(http.StatusBadGateway, ""), answered(http.StatusNotFound, "")}, ppro.ErrUnexpectedStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				rt := hostile.NewScript(tt.steps...)
				_, err := attemptClient(t, rt).Cancel(t.Context(), "643772308")
				require.ErrorIs(t, err, tt.want)
				require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
				assert.Greater(t, rt.Attempts(), 1, "CANCELTX is retried")
			})
		})
	}
}

// An HTTP/2 gateway that processes a TRANSACTION and then resets the stream
// or sends GOAWAY makes net/http replay a POST whose body it can rewind
// (the control). A TRANSACTION is never replayed: PPRO sees it once, and
// its outcome is unknown.
func TestTransactionIsNotReplayedOverHTTP2(t *testing.T) {
	t.Parallel()
	pending := fixture(t, "transaction_pending.txt")
	for _, fault := range h2fault.Faults() {
		t.Run(fault.String()+"/control: a plain net/http POST is replayed", func(t *testing.T) {
			t.Parallel()
			s := h2fault.Start(t, fault, h2fault.Answer{ContentType: "application/x-www-form-urlencoded", Body: []byte(pending)})
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/api", bytes.NewReader([]byte("txtype=TRANSACTION")))
			require.NoError(t, err)
			resp, err := s.Client(transport.NewHTTPTransport()).Do(req)
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Equal(t, 2, s.Requests(), "the server received the POST twice")
		})
		t.Run(fault.String()+"/Transaction", func(t *testing.T) {
			t.Parallel()
			s := h2fault.Start(t, fault, h2fault.Answer{ContentType: "application/x-www-form-urlencoded", Body: []byte(pending)})
			c, err := ppro.NewClient(testCreds, ppro.WithBaseURL(s.URL+"/api"), ppro.WithHTTPClient(s.Client(transport.NewHTTPTransport())))
			require.NoError(t, err)

			resp, err := c.Transaction(t.Context(), transactionRequest())
			assert.Nil(t, resp)
			require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
			assert.Equal(t, 1, s.Requests(), "PPRO received the TRANSACTION once")
			text := errorChainText(err)
			assert.NotContains(t, text, testCode)
			assert.NotContains(t, text, testPassword)
		})
	}
}
