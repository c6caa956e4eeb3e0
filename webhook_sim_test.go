package instore_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// simulatorWithEndpoint starts an Omise simulator that delivers its events,
// signed with testWebhookSecret by its own signer, in process to the
// handler endpoint returns: the handler needs the simulator's client, and
// the simulator its receiver, so it is given a forwarder first.
func simulatorWithEndpoint(t *testing.T, endpoint func(client *instore.Client) http.Handler) (*instoretest.Omise, *instore.Client) {
	t.Helper()
	var h http.Handler
	sim := instoretest.NewOmiseT(t,
		instoretest.WithWebhookSecret(testWebhookSecret),
		instoretest.WithWebhookURL("https://pos.example/webhooks/omise"),
		instoretest.WithDeliveryRetries(3, time.Second),
		instoretest.WithWebhookClient(instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r)
		}))))
	client, err := sim.Client()
	require.NoError(t, err)
	h = endpoint(client)
	return sim, client
}

// The simulator's deliveries pass the handler's verification, fetch
// verification finds them through the API, and a delivery the function
// failed is retried and handled.
func TestWebhookHandlerWithOmiseSimulator(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var (
			mu        sync.Mutex
			handled   []string // event keys, in order
			completes int
		)
		sim, client := simulatorWithEndpoint(t, func(client *instore.Client) http.Handler {
			return instore.WebhookHandler([]string{testWebhookSecret}, func(_ context.Context, e *instore.Event) error {
				mu.Lock()
				defer mu.Unlock()
				if e.Key == instore.EventChargeComplete {
					if completes++; completes == 1 {
						return errors.New("the first charge.complete fails")
					}
				}
				// The function runs on the simulator's delivery goroutine,
				// where t.FailNow must not be called.
				var err error
				if e.Key == instore.EventRefundCreate {
					_, err = e.Refund()
				} else {
					_, err = e.Charge()
				}
				if err != nil {
					t.Errorf("%s: %v", e.Key, err)
				}
				handled = append(handled, e.Key)
				return nil
			}, instore.WithFetchVerification(client))
		})

		charge, err := client.Charges.Create(t.Context(), &instore.ChargeParams{
			Amount: 400000, Currency: instore.THB,
			Source: &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: instoretest.AlipayCode(instoretest.ConfirmAfter(10*time.Second), 1)},
		})
		require.NoError(t, err)
		time.Sleep(10 * time.Second) // the customer approves
		synctest.Wait()
		time.Sleep(time.Second) // the failed delivery is retried
		synctest.Wait()
		_, err = client.Refunds.Create(t.Context(), charge.ID, &instore.RefundParams{Amount: 100000})
		require.NoError(t, err)
		synctest.Wait()

		mu.Lock()
		assert.Equal(t, []string{"charge.create", "charge.complete", "refund.create"}, handled)
		assert.Equal(t, 2, completes)
		mu.Unlock()
		type attempt struct {
			key    string
			n      int
			status int
		}
		var got []attempt
		for _, d := range sim.Deliveries() {
			got = append(got, attempt{d.Key, d.Attempt, d.Status})
		}
		assert.Equal(t, []attempt{
			{"charge.create", 1, http.StatusOK},
			{"charge.complete", 1, http.StatusInternalServerError},
			{"charge.complete", 2, http.StatusOK},
			{"refund.create", 1, http.StatusOK},
		}, got)
	})
}
