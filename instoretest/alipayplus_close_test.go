package instoretest_test

import (
	"context"
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

// Antom's cancel answered S closes the paymentRequestId (reference
// alipayplus.md, last section): a pay that lands after it charges nothing.
func TestAlipayPlusCancelClosesTheRequestID(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	tg := inProcess(a)
	for i, fl := range flavours() {
		sale := fl.name + "-closed"
		ans := apDo(t, tg, a, fl.cancel, map[string]any{"paymentRequestId": sale})
		s, c := ans.result()
		assert.Equal(t, "S", s, "%s: a cancel of an id with no payment succeeds", fl.name)
		assert.Equal(t, "SUCCESS", c)
		assert.True(t, ans.Signed)
		assert.True(t, a.Closed(sale))

		pay := apDo(t, tg, a, fl.pay, payBody(fl.name, sale, instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 100))
		s, c = pay.result()
		assert.Equal(t, "F", s)
		assert.Equal(t, "ORDER_IS_CLOSED", c, "%s: the pay after the cancel is refused", fl.name)
		assert.Empty(t, a.Payments(sale), "nothing charged, nothing in the ledger")
		s, _ = apDo(t, tg, a, fl.cancel, map[string]any{"paymentRequestId": sale}).result()
		assert.Equal(t, "S", s, "cancel again: still S")

		// The old answer, only through FaultNotFound: the id is not
		// closed, and a pay after it goes through.
		open := fl.name + "-not-closed"
		a.InjectFault(instoretest.AlipayPlusCancel, 1, notFound)
		_, c = apDo(t, tg, a, fl.cancel, map[string]any{"paymentRequestId": open}).result()
		assert.Equal(t, "ORDER_NOT_EXIST", c)
		assert.False(t, a.Closed(open))
		s, _ = apDo(t, tg, a, fl.pay, payBody(fl.name, open, instoretest.AlipayCode(instoretest.Succeed, uint64(10+i)), 100)).result()
		assert.Equal(t, "S", s)
		assert.True(t, a.Payments(open)[0].Captured)
	}
}

// The race the rule is for: the pay is stuck in a queue, the cashier gives
// up, inquires (nothing yet) and cancels; the pay lands after the cancel.
func TestAlipayPlusLatePayAfterCancel(t *testing.T) {
	t.Parallel()
	keys(t)
	synctest.Test(t, func(t *testing.T) {
		a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
		tg := inProcess(a)
		fl := flavours()[0]
		a.InjectFault(instoretest.AlipayPlusPay, 1, instoretest.Fault{Kind: instoretest.FaultLate, Delay: 30 * time.Second})
		body, err := json.Marshal(payBody(fl.name, "queued", instoretest.AlipayCode(instoretest.Succeed, 1), 100))
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		_, _, err = apCall(ctx, tg, a.ClientID(), a.MerchantPrivateKey(), fl.pay, body)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		_, c := apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": "queued"}).result()
		assert.Equal(t, "ORDER_NOT_EXIST", c)
		s, _ := apDo(t, tg, a, fl.cancel, map[string]any{"paymentRequestId": "queued"}).result()
		require.Equal(t, "S", s)
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Empty(t, a.Payments("queued"), "the late pay was refused: the cancel's promise holds")
	})
}

func TestAlipayPlusRepeatedPay(t *testing.T) {
	t.Parallel()
	a := instoretest.NewAlipayPlusT(t, instoretest.WithAlipayPlusKeys(keys(t)))
	tg := inProcess(a)
	for i, fl := range flavours() {
		sale := fl.name + "-repeat"
		code := instoretest.AlipayCode(instoretest.ConfirmOnInquiry(2), uint64(i))
		first := apDo(t, tg, a, fl.pay, payBody(fl.name, sale, code, 800))
		s, _ := first.result()
		require.Equal(t, "U", s)
		apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": sale})
		before := a.Payments(sale)[0]

		otherCurrency := payBody(fl.name, sale, code, 800)
		otherCurrency["paymentAmount"] = map[string]any{"currency": "HKD", "value": "800"}
		for name, body := range map[string]map[string]any{
			"amount":   payBody(fl.name, sale, code, 801),
			"currency": otherCurrency,
			"code":     payBody(fl.name, sale, instoretest.AlipayCode(instoretest.ConfirmOnInquiry(2), uint64(100+i)), 800),
		} {
			ans := apDo(t, tg, a, fl.pay, body)
			s, c := ans.result()
			assert.Equal(t, "F", s, name)
			assert.Equal(t, "REPEAT_REQ_INCONSISTENT", c, name)
			assert.True(t, ans.Signed, name)
			assert.Equal(t, []instoretest.LedgerEntry{before}, a.Payments(sale), "%s: the existing payment untouched", name)
		}

		// An identical repeat returns the payment's state: still pending,
		// then, after the second inquiry, succeeded.
		again := apDo(t, tg, a, fl.pay, payBody(fl.name, sale, code, 800))
		assert.Equal(t, first.Body, again.Body)
		apDo(t, tg, a, fl.inquiry, map[string]any{"paymentRequestId": sale})
		done := apDo(t, tg, a, fl.pay, payBody(fl.name, sale, code, 800))
		s, _ = done.result()
		assert.Equal(t, "S", s)
		assert.Equal(t, first.str("paymentId"), done.str("paymentId"))
		assert.Len(t, a.Payments(sale), 1)
		assert.True(t, a.Payments(sale)[0].Captured)
	}
}
