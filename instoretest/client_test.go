package instoretest_test

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The smoke tests drive each simulator through our own clients: a sale, an
// inquiry and a refund, in process and over the loopback socket.

func TestOmiseThroughClient(t *testing.T) {
	t.Parallel()
	o := instoretest.NewOmiseT(t)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	for name, extra := range map[string][]instore.Option{
		"inprocess": nil,
		"socket":    {instore.WithBaseURL(o.URL()), instore.WithHTTPClient(&http.Client{Transport: tr})},
	} {
		c, err := o.Client(extra...)
		require.NoError(t, err, name)
		code := instoretest.AlipayCode(instoretest.ConfirmOnInquiry(2), 1)
		ch, err := c.Charges.Create(t.Context(), &instore.ChargeParams{
			Amount:   10000,
			Currency: instore.THB,
			Source: &instore.SourceParams{
				Type: instore.SourceAlipayPlusUPM, Barcode: code, StoreID: "BKK-01", StoreName: "Sukhumvit", TerminalID: "POS-1",
			},
			Metadata: map[string]string{instoretest.OmiseRequestIDKey: "smoke-" + name},
		})
		require.NoError(t, err, name)
		assert.Equal(t, instore.ChargePending, ch.Status, name)
		for range 2 {
			ch, err = c.Charges.Get(t.Context(), ch.ID)
			require.NoError(t, err, name)
		}
		assert.Equal(t, instore.ChargeSuccessful, ch.Status, name)
		r, err := c.Refunds.Create(t.Context(), ch.ID, &instore.RefundParams{Amount: 4000})
		require.NoError(t, err, name)
		assert.Equal(t, int64(4000), r.Amount, name)
		e := o.Payments("smoke-" + name)
		require.Len(t, e, 1, name)
		assert.Equal(t, instoretest.StateSucceeded, e[0].State, name)
		assert.Equal(t, int64(4000), e[0].Refunded, name)

		declined, err := c.Charges.Create(t.Context(), &instore.ChargeParams{
			Amount: 10000, Currency: instore.THB,
			Source: &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: instoretest.AlipayCode(instoretest.DeclineInsufficientBalance, 2)},
		})
		require.NoError(t, err, name)
		assert.Equal(t, instore.ChargeFailed, declined.Status, name)

		pending, err := c.Charges.Create(t.Context(), &instore.ChargeParams{
			Amount: 10000, Currency: instore.THB,
			Source: &instore.SourceParams{Type: instore.SourceWeChatPayUPM, Barcode: instoretest.WeChatCode(instoretest.NeverCompletes, 3)},
		})
		require.NoError(t, err, name)
		expired, err := c.Charges.Expire(t.Context(), pending.ID)
		require.NoError(t, err, name)
		assert.Equal(t, instore.ChargeExpired, expired.Status, name)
		_, err = c.Charges.Expire(t.Context(), ch.ID)
		var apiErr *instore.APIError
		require.ErrorAs(t, err, &apiErr, name)
		assert.Equal(t, "failed_expire", apiErr.Code, name)
	}
}

func TestOmiseClientOutcomeUnknown(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		o := instoretest.NewOmiseT(t)
		c, err := o.Client()
		require.NoError(t, err)
		o.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})
		_, err = c.Charges.Create(t.Context(), &instore.ChargeParams{
			Amount: 10000, Currency: instore.THB,
			Source:   &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: instoretest.AlipayCode(instoretest.Succeed, 1)},
			Metadata: map[string]string{instoretest.OmiseRequestIDKey: "lost"},
		})
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
		assert.Equal(t, 1, instoretest.Captures(o.Payments("lost")), "the charge was made once")

		o.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultDropBefore})
		ch, err := c.Charges.Create(t.Context(), &instore.ChargeParams{
			Amount: 10000, Currency: instore.THB,
			Source:   &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: instoretest.AlipayCode(instoretest.Succeed, 2)},
			Metadata: map[string]string{instoretest.OmiseRequestIDKey: "retried"},
		})
		require.NoError(t, err, "a request never written is sent again")
		assert.Equal(t, instore.ChargeSuccessful, ch.Status)
		assert.Len(t, o.Payments("retried"), 1)
	})
}

func TestAlipayPlusThroughClient(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	for _, mode := range []struct {
		name  string
		extra []alipayplus.Option
	}{
		{"inprocess antom", nil},
		{"inprocess acqp", []alipayplus.Option{alipayplus.WithFlavor(alipayplus.FlavorACQP)}},
		{"socket antom", []alipayplus.Option{alipayplus.WithBaseURL(a.URL()), alipayplus.WithHTTPClient(&http.Client{Transport: tr})}},
		{"socket acqp", []alipayplus.Option{alipayplus.WithFlavor(alipayplus.FlavorACQP), alipayplus.WithBaseURL(a.URL()), alipayplus.WithHTTPClient(&http.Client{Transport: tr})}},
	} {
		name := mode.name
		c, err := a.Client(mode.extra...)
		require.NoError(t, err, name)
		id := "smoke-" + name
		pay, err := c.Pay(t.Context(), &alipayplus.PayRequest{
			PaymentRequestID: id,
			PaymentCode:      instoretest.AlipayCode(instoretest.ConfirmOnInquiry(1), uint64(len(name))),
			Amount:           instore.Money{Amount: 1250, Currency: instore.SGD},
			Order: alipayplus.Order{
				Description: "coffee",
				Merchant: alipayplus.Merchant{
					ReferenceMerchantID: "M1", Name: "Cafe", MCC: "5812",
					Store: alipayplus.Store{ReferenceStoreID: "S1", Name: "Cafe Orchard", MCC: "5812"},
				},
			},
			TerminalID: "T1",
		})
		require.NoError(t, err, name)
		assert.True(t, pay.Result.ShouldInquire(), "%s: %+v", name, pay.Result)
		inq, err := c.InquiryPayment(t.Context(), &alipayplus.InquiryRequest{PaymentRequestID: id})
		require.NoError(t, err, name)
		assert.Equal(t, alipayplus.ResultStatus("S"), inq.PaymentResult.ResultStatus, name)
		ref, err := c.Refund(t.Context(), &alipayplus.RefundRequest{
			RefundRequestID: id + "-r1", PaymentID: inq.PaymentID, Amount: instore.Money{Amount: 250, Currency: instore.SGD},
		})
		require.NoError(t, err, name)
		assert.True(t, ref.Result.Succeeded(), "%s: %+v", name, ref.Result)
		e := a.Payments(id)
		require.Len(t, e, 1, name)
		assert.Equal(t, instoretest.StateSucceeded, e[0].State, name)
		assert.Equal(t, int64(250), e[0].Refunded, name)

		cancel, err := c.Cancel(t.Context(), &alipayplus.CancelRequest{PaymentRequestID: id})
		require.NoError(t, err, name)
		assert.True(t, cancel.Result.Succeeded(), "%s: %+v", name, cancel.Result)
		assert.Equal(t, instoretest.StateCancelled, a.Payments(id)[0].State, name)
	}
}

func TestAlipayPlusClientFaults(t *testing.T) {
	t.Parallel()
	k := keys(t)
	synctest.Test(t, func(t *testing.T) {
		a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(k))
		c, err := a.Client(alipayplus.WithFlavor(alipayplus.FlavorACQP))
		require.NoError(t, err)
		a.InjectFault(instoretest.AlipayPlusPay, 1, instoretest.Fault{Kind: instoretest.FaultUnsigned})
		req := &alipayplus.PayRequest{
			PaymentRequestID: "unsigned",
			PaymentCode:      instoretest.AlipayCode(instoretest.Succeed, 1),
			Amount:           instore.Money{Amount: 100, Currency: instore.SGD},
			Order: alipayplus.Order{Description: "tea", Merchant: alipayplus.Merchant{
				ReferenceMerchantID: "M1", Name: "Cafe", MCC: "5812",
				Store: alipayplus.Store{ReferenceStoreID: "S1", Name: "Cafe", MCC: "5812"},
			}},
			TerminalID:          "T1",
			TerminalRequestTime: time.Now(),
		}
		_, err = c.Pay(t.Context(), req)
		require.Error(t, err, "an unsigned S is never trusted")
		assert.Len(t, a.Payments("unsigned"), 1, "yet the payment happened")
		again, err := c.Pay(t.Context(), req)
		require.NoError(t, err)
		assert.True(t, again.Result.Succeeded(), "the idempotent repeat tells the truth")
	})
}
