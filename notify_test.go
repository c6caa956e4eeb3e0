package instore_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

func TestEventPaymentIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"charge with the request id", `{"object":"charge","id":"chrg_1","status":"successful","metadata":{"instore_request_id":"sale-1"}}`, []string{"chrg_1", "sale-1"}},
		{"charge made elsewhere", `{"object":"charge","id":"chrg_2","status":"pending"}`, []string{"chrg_2"}},
		{"refund", `{"object":"refund","id":"rfnd_1","charge":"chrg_1"}`, nil},
		{"no data", `null`, nil},
		{"not an object", `"chrg_1"`, nil},
	}
	for _, tt := range tests {
		e := &instore.Event{Object: "event", ID: "evnt_1", Key: instore.EventChargeComplete, Data: json.RawMessage(tt.data)}
		assert.Equal(t, tt.want, e.PaymentIDs(), tt.name)
	}
	var nilEvent *instore.Event
	assert.Nil(t, nilEvent.PaymentIDs())
}

func TestChargeStatusPaymentStatus(t *testing.T) {
	t.Parallel()
	want := map[instore.ChargeStatus]instore.PaymentStatus{
		instore.ChargePending:    instore.StatusPending,
		instore.ChargeSuccessful: instore.StatusSucceeded,
		instore.ChargeFailed:     instore.StatusFailed,
		instore.ChargeExpired:    instore.StatusCancelled,
		instore.ChargeReversed:   instore.StatusCancelled,
		instore.ChargeUnknown:    instore.StatusUnknown,
		"":                       instore.StatusUnknown,
		"refunded-someday":       instore.StatusUnknown,
	}
	for cs, ps := range want {
		assert.Equal(t, ps, cs.PaymentStatus(), string(cs))
	}
}

// A webhook handler wakes a Collect waiting on the sale: it is answered
// when the charge completes, not at the next inquiry. The handler may name
// the sale by the charge's id, or by Event.PaymentIDs, which also finds a
// sale whose pay answer was lost and which therefore does not know its
// charge id yet: by the request id in the charge's metadata.
func TestWebhookWakesCollect(t *testing.T) {
	t.Parallel()
	byChargeID := func(e *instore.Event) ([]string, error) {
		ch, err := e.Charge()
		if err != nil {
			return nil, err
		}
		return []string{ch.ID}, nil
	}
	byPaymentIDs := func(e *instore.Event) ([]string, error) { return e.PaymentIDs(), nil }
	tests := []struct {
		name          string
		ids           func(*instore.Event) ([]string, error)
		payAnswerLost bool
	}{
		{"by the charge id", byChargeID, false},
		{"by the event's payment ids", byPaymentIDs, false},
		{"by the request id: the pay answer was lost", byPaymentIDs, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var checkout *instore.Checkout
				woken := make(chan bool, 1)
				sim, _ := simulatorWithEndpoint(t, func(*instore.Client) http.Handler {
					return instore.WebhookHandler([]string{testWebhookSecret}, func(_ context.Context, e *instore.Event) error {
						if e.Key != instore.EventChargeComplete {
							return nil
						}
						ids, err := tt.ids(e)
						if err != nil {
							return err
						}
						woken <- checkout.Notify(ids...)
						return nil
					})
				})
				checkout = omiseCheckout(t, sim)
				if tt.payAnswerLost {
					sim.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})
				}
				start := time.Now()

				p, err := checkout.Collect(t.Context(), &instore.CollectRequest{
					Code: instoretest.AlipayCode(instoretest.ConfirmAfter(time.Second), 1), Amount: thb(12_500), RequestID: "sale-1",
				})
				require.NoError(t, err)
				assert.Equal(t, instore.StatusSucceeded, p.Status)
				assert.True(t, <-woken, "the webhook found the waiting Collect")
				assert.Equal(t, time.Second, time.Since(start), "answered when the webhook came, not at the 2 s inquiry")
				assert.False(t, checkout.Notify("sale-1", "", p.ID), "nothing waits once Collect returned")
				assert.False(t, checkout.Notify(), "no ids, nothing to wake")
			})
		})
	}
}
