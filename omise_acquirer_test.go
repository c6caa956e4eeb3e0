package instore_test

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// omiseAcquirer is an OmiseAcquirer on the Omise simulator.
func omiseAcquirer(t testing.TB, sim *instoretest.Omise) *instore.OmiseAcquirer {
	t.Helper()
	client, err := sim.Client()
	require.NoError(t, err)
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	require.NoError(t, err)
	return acq
}

// omisePending creates a charge that stays pending under requestID and
// returns it as the sale knows it: without the charge id, as after a create
// whose answer was lost.
func omisePending(t *testing.T, acq *instore.OmiseAcquirer, requestID string, amount instore.Money, serial uint64) *instore.Payment {
	t.Helper()
	p, err := acq.Pay(t.Context(), &instore.PayRequest{
		RequestID: requestID, Code: mustCode(t, instoretest.AlipayCode(instoretest.NeverCompletes, serial)), Amount: amount,
	})
	require.NoError(t, err)
	require.Equal(t, instore.StatusPending, p.Status)
	return &instore.Payment{RequestID: requestID, Amount: amount, CreatedAt: p.CreatedAt}
}

// The lookup by request id takes only a charge of the sale's own amount
// and currency: one under the same id for another is another sale's (a POS
// that reused the id), so it is neither reported nor cancelled.
func TestOmiseAcquirerLookupMatchesAmountAndCurrency(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewOmiseT(t)
		acq := omiseAcquirer(t, sim)
		sale := omisePending(t, acq, "lookup-1", thb(55_000), 1)
		charge := sim.Payments("lookup-1")[0]

		for name, amount := range map[string]instore.Money{
			"another amount":   thb(12_500),
			"another currency": {Amount: 55_000, Currency: instore.JPY},
		} {
			other := *sale
			other.Amount = amount
			got, err := acq.Inquire(t.Context(), &other)
			require.NoError(t, err, name)
			assert.Equal(t, instore.StatusPending, got.Status, "%s: not found yet", name)
			assert.Empty(t, got.ID, "%s: the other sale's charge is not this one's", name)

			_, err = acq.Cancel(t.Context(), &other)
			require.ErrorIs(t, err, instore.ErrPaymentNotFound, name)
			assert.Equal(t, instoretest.StatePending, sim.Payments("lookup-1")[0].State, "%s: the other sale's charge is not cancelled", name)
		}

		got, err := acq.Inquire(t.Context(), sale)
		require.NoError(t, err)
		assert.Equal(t, charge.ID, got.ID, "the sale's own charge is found")
	})
}

// A charge id Omise does not know (taken from an answer about another
// charge) is no proof that the sale has no charge: Inquire and Cancel look
// the charge up by the request id, and only when that finds nothing either
// is the cancel a *PaymentNotFoundError.
func TestOmiseAcquirerUnknownChargeIDFallsBackToTheRequestID(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewOmiseT(t)
		acq := omiseAcquirer(t, sim)
		sale := omisePending(t, acq, "stale-1", thb(10_000), 2)
		charge := sim.Payments("stale-1")[0]
		sale.ID = "chrg_test_unknown"

		got, err := acq.Inquire(t.Context(), sale)
		require.NoError(t, err)
		assert.Equal(t, charge.ID, got.ID)
		assert.Equal(t, instore.StatusPending, got.Status)

		got, err = acq.Cancel(t.Context(), sale)
		require.NoError(t, err)
		assert.Equal(t, charge.ID, got.ID)
		assert.Equal(t, instore.StatusCancelled, got.Status)
		assert.Equal(t, instoretest.StateCancelled, sim.Payments("stale-1")[0].State, "the sale's own charge was expired")

		none := &instore.Payment{ID: "chrg_test_unknown", RequestID: "stale-2", Amount: thb(10_000), CreatedAt: sale.CreatedAt}
		_, err = acq.Cancel(t.Context(), none)
		var nf *instore.PaymentNotFoundError
		require.ErrorAs(t, err, &nf)
		assert.Equal(t, "charge_not_found", nf.Code)
	})
}
