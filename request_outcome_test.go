package instore_test

import (
	"context"
	"net/http"
	"syscall"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/hostile"
)

// answered: the request left and Omise answered.
func answered(status int, body []byte) hostile.Step {
	return hostile.Answered(func(r *http.Request) *http.Response {
		return response(r, status, body)
	})
}

// Once an attempt of a charge or a refund may have reached Omise, the call
// ends in ErrOutcomeUnknown unless Omise answers it with the object: a
// later refused dial, a 429 or another refusal speaks only for its own
// attempt.
func TestChargeAndRefundOutcomeUnknownOnceAnAttemptMayHaveArrived(t *testing.T) {
	t.Parallel()
	calls := []struct {
		name    string
		success string
		call    func(context.Context, *instore.Client) error
	}{
		{"Charges.Create", "charge_pending", func(ctx context.Context, c *instore.Client) error {
			_, err := c.Charges.Create(ctx, barcodeCharge())
			return err
		}},
		{"Refunds.Create", "refund_closed", func(ctx context.Context, c *instore.Client) error {
			_, err := c.Refunds.Create(ctx, "chrg_test_61xq8k2hv0a7mf3nb2d", &instore.RefundParams{Amount: 100000})
			return err
		}},
	}
	limited := answered(http.StatusTooManyRequests, []byte(`{"object":"error","code":"too_many_requests","message":"slow down"}`))
	tests := []struct {
		name        string
		steps       func(success []byte) []hostile.Step
		wantErr     bool
		wantUnknown bool
		wantSent    int
		wantIs      error
	}{
		{"429, then never written", func([]byte) []hostile.Step {
			return []hostile.Step{limited, hostile.NeverWritten}
		}, true, true, 3, syscall.ECONNREFUSED},
		{"429, then 429", func([]byte) []hostile.Step {
			return []hostile.Step{limited}
		}, true, true, 3, instore.ErrRateLimited},
		{"429, then a 400", func([]byte) []hostile.Step {
			return []hostile.Step{limited, answered(http.StatusBadRequest, fixture(t, "error_bad_request"))}
		}, true, true, 2, instore.ErrInvalidRequest},
		{"never written, 429, never written", func([]byte) []hostile.Step {
			return []hostile.Step{hostile.NeverWritten, limited, hostile.NeverWritten}
		}, true, true, 3, syscall.ECONNREFUSED},
		{"500 is not sent again", func([]byte) []hostile.Step {
			return []hostile.Step{answered(http.StatusInternalServerError, nil), hostile.NeverWritten}
		}, true, true, 1, nil},
		{"written then reset is not sent again", func([]byte) []hostile.Step {
			return []hostile.Step{hostile.WrittenThenReset, hostile.NeverWritten}
		}, true, true, 1, syscall.ECONNRESET},
		{"never written, every time", func([]byte) []hostile.Step {
			return []hostile.Step{hostile.NeverWritten}
		}, true, false, 3, syscall.ECONNREFUSED},
		{"429, then the object", func(success []byte) []hostile.Step {
			return []hostile.Step{limited, answered(http.StatusOK, success)}
		}, false, false, 2, nil},
	}
	for _, call := range calls {
		for _, tt := range tests {
			t.Run(call.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					rt := hostile.NewScript(tt.steps(fixture(t, call.success))...)
					c, err := instore.NewClient(testSecretKey, instore.WithHTTPClient(&http.Client{Transport: rt}))
					require.NoError(t, err)

					err = call.call(t.Context(), c)
					assert.Equal(t, tt.wantSent, rt.Attempts(), "attempts")
					if !tt.wantErr {
						require.NoError(t, err)
						return
					}
					require.Error(t, err)
					if tt.wantIs != nil {
						require.ErrorIs(t, err, tt.wantIs)
					}
					if tt.wantUnknown {
						require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
					} else {
						require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
					}
					assert.NotContains(t, err.Error(), barcodeCharge().Source.Barcode)
				})
			})
		}
	}
}
