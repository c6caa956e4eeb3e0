package instore_test

import (
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// Alipay+ answers in +08:00 and Omise in UTC; every Payment a Checkout
// returns has CreatedAt in UTC, from Collect, Lookup and Refund alike.
func TestPaymentCreatedAtIsUTC(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := instoretest.NewAlipayPlusT(t, alipayKeys(t))
		c := alipayCheckout(t, sim)
		p, err := c.Collect(t.Context(), &instore.CollectRequest{Code: instoretest.AlipayCode(instoretest.Succeed, 1), Amount: thb(40_000), RequestID: "sale-1"})
		require.NoError(t, err)
		require.False(t, p.CreatedAt.IsZero())
		assert.Equal(t, "UTC", p.CreatedAt.Location().String(), "collect")

		r, err := c.Refund(t.Context(), p, thb(10_000))
		require.NoError(t, err)
		assert.Equal(t, "UTC", r.CreatedAt.Location().String(), "refund")

		got, err := c.Lookup(t.Context(), "sale-1")
		require.NoError(t, err)
		assert.Equal(t, "UTC", got.CreatedAt.Location().String(), "lookup")
		assert.True(t, got.CreatedAt.Equal(p.CreatedAt))
		require.Len(t, got.Refunds, 1)
		assert.Equal(t, "UTC", got.Refunds[0].CreatedAt.Location().String(), "lookup's refunds")
	})
}
