package instore_test

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
)

// bareAlipayCheckout routes Alipay codes and QR sales to the Alipay+
// simulator through an acquirer configured with the merchant alone: every
// sale must name its store and terminal.
func bareAlipayCheckout(t *testing.T, sim *instoretest.AlipayPlus) *instore.Checkout {
	t.Helper()
	client, err := sim.Client()
	require.NoError(t, err)
	merchant := testMerchant
	merchant.Store = alipayplus.Store{}
	acq, err := alipayplus.NewAcquirer(client, alipayplus.AcquirerConfig{Merchant: merchant})
	require.NoError(t, err, "the store and the terminal may come from the sales")
	c, err := instore.NewCheckout(
		instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusCPM),
		instore.WithPresentRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusOrderCode),
	)
	require.NoError(t, err)
	return c
}

// What only a sale can supply, missing from the sale, is an invalid
// request with no payment, from Collect as from Present: never a failed
// payment, never ErrNotPresented. The request id stays free for the sale
// once it names its till.
func TestRefusedByTheAcquirerAdapterBeforeSending(t *testing.T) {
	t.Parallel()
	store := instore.Store{ID: "BKK-01", Name: "Sukhumvit", MCC: "5812"}
	t.Run("collect", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			sim := instoretest.NewAlipayPlusT(t, alipayKeys(t))
			c := bareAlipayCheckout(t, sim)
			req := &instore.CollectRequest{Code: instoretest.AlipayCode(instoretest.Succeed, 1), Amount: thb(12_500), RequestID: "sale-1", Store: store}
			p, err := c.Collect(t.Context(), req)
			assert.Nil(t, p, "no payment: nothing was asked of the acquirer")
			require.ErrorIs(t, err, instore.ErrInvalidRequest)
			require.ErrorIs(t, err, instore.ErrInvalidParams)
			require.NotErrorIs(t, err, instore.ErrPaymentUnresolved)
			assert.Contains(t, err.Error(), "TerminalID")
			assert.Empty(t, sim.Requests(), "nothing was sent")

			req.Store.TerminalID = "T-01"
			p, err = c.Collect(t.Context(), req)
			require.NoError(t, err, "the same request id, now with its till")
			assert.Equal(t, instore.StatusSucceeded, p.Status)
			assert.Len(t, sim.Payments("sale-1"), 1)
		})
	})
	t.Run("present", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			sim := instoretest.NewAlipayPlusT(t, alipayKeys(t))
			c := bareAlipayCheckout(t, sim)
			req := &instore.PresentRequest{Wallet: instore.WalletAlipay, Amount: thb(12_500), RequestID: "qr-1", Store: store}
			pm, err := c.Present(t.Context(), req)
			assert.Nil(t, pm)
			require.ErrorIs(t, err, instore.ErrInvalidRequest)
			require.NotErrorIs(t, err, instore.ErrNotPresented, "not a payment that failed: a request to fix")
			var pe *instore.PresentError
			assert.NotErrorAs(t, err, &pe)
			assert.Empty(t, sim.Requests(), "nothing was sent")

			req.Store.TerminalID = "T-01"
			pm, err = c.Present(t.Context(), req)
			require.NoError(t, err, "the same request id, now with its till")
			assert.NotEmpty(t, pm.QR.Content)
		})
	})
}

// A request with several faults gets its request id's first, whatever
// else is wrong: the most specific answer for a till that sent a bad id.
func TestRequestIDCheckedFirst(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewAlipayPlusT(t, alipayKeys(t))
		c := bareAlipayCheckout(t, sim)
		bad := "sale 1" // a space
		collects := map[string]*instore.CollectRequest{
			"and a code that is no code": {Code: "not a code", Amount: thb(12_500), RequestID: bad},
			"and a wallet with no route": {Code: instoretest.WeChatCode(instoretest.Succeed, 1), Amount: thb(12_500), RequestID: bad},
			"and an amount over the max": {Code: instoretest.AlipayCode(instoretest.Succeed, 1), Amount: thb(1 << 40), RequestID: bad},
		}
		for name, req := range collects {
			p, err := c.Collect(t.Context(), req)
			assert.Nil(t, p, name)
			require.ErrorIs(t, err, instore.ErrInvalidRequest, name)
			assert.Contains(t, err.Error(), "request id", name)
		}
		presents := map[string]*instore.PresentRequest{
			"and a wallet with no route": {Wallet: instore.WalletWeChatPay, Amount: thb(12_500), RequestID: bad},
			"and an amount over the max": {Wallet: instore.WalletAlipay, Amount: thb(1 << 40), RequestID: bad},
		}
		for name, req := range presents {
			pm, err := c.Present(t.Context(), req)
			assert.Nil(t, pm, name)
			require.ErrorIs(t, err, instore.ErrInvalidRequest, name)
			assert.Contains(t, err.Error(), "request id", name)
		}
		assert.Empty(t, sim.Requests())
	})
}
