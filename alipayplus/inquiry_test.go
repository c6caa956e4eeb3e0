package alipayplus_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
)

func TestInquiryPaymentStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		flavor      alipayplus.Flavor
		fixture     string
		wantStatus  alipayplus.PaymentStatus
		wantFinal   bool
		wantPayCode alipayplus.ResultCode
		wantPayStat alipayplus.ResultStatus
	}{
		{"antom success", alipayplus.FlavorAntom, "inquiry_antom_success.json", alipayplus.PaymentSuccess, true, alipayplus.CodeSuccess, alipayplus.ResultSuccess},
		{"antom processing", alipayplus.FlavorAntom, "inquiry_antom_processing.json", alipayplus.PaymentProcessing, false, alipayplus.CodePaymentInProcess, alipayplus.ResultUnknown},
		{"antom fail", alipayplus.FlavorAntom, "inquiry_antom_fail.json", alipayplus.PaymentFail, true, alipayplus.CodeUserBalanceNotEnough, alipayplus.ResultFailure},
		{"antom cancelled", alipayplus.FlavorAntom, "inquiry_antom_cancelled.json", alipayplus.PaymentCancelled, true, "", alipayplus.ResultFailure},
		{"antom mixed case", alipayplus.FlavorAntom, "inquiry_antom_mixedcase.json", alipayplus.PaymentSuccess, true, "", alipayplus.ResultSuccess},
		{"acqp S", alipayplus.FlavorACQP, "inquiry_acqp_success.json", alipayplus.PaymentSuccess, true, alipayplus.CodeSuccess, alipayplus.ResultSuccess},
		{"acqp U", alipayplus.FlavorACQP, "inquiry_acqp_processing.json", alipayplus.PaymentProcessing, false, alipayplus.CodePaymentInProcess, alipayplus.ResultUnknown},
		{"acqp F closed", alipayplus.FlavorACQP, "inquiry_acqp_fail.json", alipayplus.PaymentFail, true, alipayplus.CodeOrderIsClosed, alipayplus.ResultFailure},
		{"acqp F cancelled", alipayplus.FlavorACQP, "inquiry_acqp_cancelled.json", alipayplus.PaymentCancelled, true, alipayplus.CodeOrderIsCanceled, alipayplus.ResultFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, fixed(reply{Body: fixture(t, tt.fixture)}))
			c := newTestClient(t, g, alipayplus.WithFlavor(tt.flavor))
			resp, err := c.InquiryPayment(t.Context(), &alipayplus.InquiryRequest{PaymentRequestID: testPaymentRequestID})
			require.NoError(t, err)
			assert.True(t, resp.Result.Succeeded())
			assert.Equal(t, tt.wantStatus, resp.PaymentStatus)
			assert.Equal(t, tt.wantFinal, resp.PaymentStatus.Final())
			assert.Equal(t, tt.wantPayCode, resp.PaymentResult.ResultCode)
			assert.Equal(t, tt.wantPayStat, resp.PaymentResult.ResultStatus)
			assert.Equal(t, instore.Money{Amount: 1000, Currency: instore.JPY}, resp.PaymentAmount)
			assert.Equal(t, "20240612194010800100188820200001234", resp.PaymentID)

			reqs := g.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, map[string]any{"paymentRequestId": testPaymentRequestID}, reqs[0].JSON)
		})
	}
}

func TestInquiryOrderNotExist(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "inquiry_order_not_exist.json")}))
	c := newTestClient(t, g)
	resp, err := c.InquiryPayment(t.Context(), &alipayplus.InquiryRequest{PaymentID: "2024061219401080010018882020000"})
	require.NoError(t, err)
	assert.True(t, resp.Result.OrderNotExist())
	assert.Equal(t, alipayplus.ResultFailure, resp.Result.ResultStatus)
	assert.Empty(t, resp.PaymentStatus, "a failed inquiry says nothing about the payment")
	assert.False(t, resp.PaymentStatus.Final())
	assert.Equal(t, map[string]any{"paymentId": "2024061219401080010018882020000"}, g.requests()[0].JSON)
}

// TestInquiryErrorsAreNotOutcomeUnknown: inquiry changes nothing, so no
// inquiry error claims the request may have had an effect.
func TestInquiryErrorsAreNotOutcomeUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		reply   reply
		wantErr error
	}{
		{"unsigned F", reply{Body: fixture(t, "inquiry_order_not_exist.json"), Unsigned: true}, alipayplus.ErrUnsignedResponse},
		{"unsigned S", reply{Body: fixture(t, "inquiry_antom_success.json"), Unsigned: true}, alipayplus.ErrUnsignedResponse},
		{"forged", reply{Body: fixture(t, "inquiry_antom_success.json"), SignWith: forgerKey()}, alipayplus.ErrInvalidSignature},
		{"no payment status", reply{Body: fixture(t, "inquiry_no_status.json")}, alipayplus.ErrMalformedResponse},
		{"acqp bad payment result", reply{Body: `{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentResult":{"resultStatus":"?"}}`}, alipayplus.ErrMalformedResponse},
		{"502", reply{Status: 502, Body: "bad gateway", Unsigned: true}, alipayplus.ErrUnexpectedStatus},
		{"hang-up", reply{Hangup: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, fixed(tt.reply))
			c := newTestClient(t, g)
			resp, err := c.InquiryPayment(t.Context(), &alipayplus.InquiryRequest{PaymentRequestID: testPaymentRequestID})
			assert.Nil(t, resp)
			require.Error(t, err)
			require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			}
			var ue *alipayplus.UnverifiedResultError
			if errors.As(err, &ue) {
				assert.False(t, ue.OutcomeUnknown)
			}
		})
	}
}

func TestInquiryValidation(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "inquiry_antom_success.json")}))
	c := newTestClient(t, g)
	for _, req := range []*alipayplus.InquiryRequest{nil, {}, {PaymentRequestID: string(make([]byte, 65))}, {PaymentID: "x\x00"}} {
		_, err := c.InquiryPayment(t.Context(), req)
		require.ErrorIs(t, err, alipayplus.ErrInvalidRequest)
	}
	assert.Empty(t, g.requests())
}

func TestCancel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		flavor      alipayplus.Flavor
		fixture     string
		req         alipayplus.CancelRequest
		wantBody    map[string]any
		succeeded   bool
		windowShut  bool
		finalFailed bool
	}{
		{"antom by request id", alipayplus.FlavorAntom, "cancel_success.json", alipayplus.CancelRequest{PaymentRequestID: testPaymentRequestID}, map[string]any{"paymentRequestId": testPaymentRequestID}, true, false, false},
		{"acqp by payment id", alipayplus.FlavorACQP, "cancel_success.json", alipayplus.CancelRequest{PaymentID: "P1"}, map[string]any{"paymentId": "P1"}, true, false, false},
		{"window exceeded", alipayplus.FlavorAntom, "cancel_window_exceed.json", alipayplus.CancelRequest{PaymentRequestID: testPaymentRequestID, PaymentID: "P1"}, map[string]any{"paymentRequestId": testPaymentRequestID, "paymentId": "P1"}, false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, fixed(reply{Body: fixture(t, tt.fixture)}))
			c := newTestClient(t, g, alipayplus.WithFlavor(tt.flavor))
			resp, err := c.Cancel(t.Context(), &tt.req)
			require.NoError(t, err)
			assert.Equal(t, tt.succeeded, resp.Result.Succeeded())
			assert.Equal(t, tt.windowShut, resp.Result.CancelWindowExceeded())
			assert.Equal(t, tt.finalFailed, resp.Result.FinalFailure())
			if tt.succeeded {
				assert.False(t, resp.CancelTime.IsZero())
			}
			assert.Equal(t, tt.wantBody, g.requests()[0].JSON)
		})
	}
}

func TestCancelUntrustedIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, flavor := range []alipayplus.Flavor{alipayplus.FlavorAntom, alipayplus.FlavorACQP} {
		t.Run(string(flavor), func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, fixed(reply{Body: fixture(t, "error_unknown_exception.json"), Unsigned: true}))
			c := newTestClient(t, g, alipayplus.WithFlavor(flavor))
			_, err := c.Cancel(t.Context(), &alipayplus.CancelRequest{PaymentRequestID: testPaymentRequestID})
			require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
			var ue *alipayplus.UnverifiedResultError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, alipayplus.CodeUnknownException, ue.Result.ResultCode)
		})
	}
}

func TestRefund(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		flavor   alipayplus.Flavor
		req      alipayplus.RefundRequest
		wantBody map[string]any
	}{
		{
			"antom", alipayplus.FlavorAntom,
			alipayplus.RefundRequest{RefundRequestID: "RF-20240613-0001", PaymentID: "P1", PaymentRequestID: testPaymentRequestID, Amount: instore.Money{Amount: 400, Currency: instore.JPY}, Reason: "returned cake"},
			map[string]any{"refundRequestId": "RF-20240613-0001", "paymentId": "P1", "refundAmount": map[string]any{"currency": "JPY", "value": "400"}, "refundReason": "returned cake"},
		},
		{
			"acqp by request id", alipayplus.FlavorACQP,
			alipayplus.RefundRequest{RefundRequestID: "RF-20240613-0001", PaymentRequestID: testPaymentRequestID, Amount: instore.Money{Amount: 400, Currency: instore.JPY}},
			map[string]any{"refundRequestId": "RF-20240613-0001", "paymentRequestId": testPaymentRequestID, "refundAmount": map[string]any{"currency": "JPY", "value": "400"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, fixed(reply{Body: fixture(t, "refund_success.json")}))
			c := newTestClient(t, g, alipayplus.WithFlavor(tt.flavor))
			resp, err := c.Refund(t.Context(), &tt.req)
			require.NoError(t, err)
			assert.True(t, resp.Result.Succeeded())
			assert.Equal(t, "20240613194010800100188820200005678", resp.RefundID)
			assert.Equal(t, instore.Money{Amount: 400, Currency: instore.JPY}, resp.RefundAmount)
			assert.False(t, resp.RefundTime.IsZero())
			assert.Equal(t, tt.wantBody, g.requests()[0].JSON)
		})
	}
}

func TestRefundValidation(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "refund_success.json")}))
	antom := newTestClient(t, g)
	acqp := newTestClient(t, g, alipayplus.WithFlavor(alipayplus.FlavorACQP))
	ok := alipayplus.RefundRequest{RefundRequestID: "RF-1", PaymentID: "P1", Amount: instore.Money{Amount: 400, Currency: instore.JPY}}
	tests := []struct {
		name   string
		client *alipayplus.Client
		edit   func(*alipayplus.RefundRequest)
		field  string
	}{
		{"no refund id", antom, func(r *alipayplus.RefundRequest) { r.RefundRequestID = "" }, "RefundRequestID"},
		{"antom needs payment id", antom, func(r *alipayplus.RefundRequest) { r.PaymentID, r.PaymentRequestID = "", "PR-1" }, "PaymentID"},
		{"acqp needs one id", acqp, func(r *alipayplus.RefundRequest) { r.PaymentID = "" }, "PaymentID"},
		{"zero amount", antom, func(r *alipayplus.RefundRequest) { r.Amount.Amount = 0 }, "Amount.Amount"},
		{"unknown currency", antom, func(r *alipayplus.RefundRequest) { r.Amount.Currency = "ABC" }, "Amount.Currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ok
			tt.edit(&req)
			_, err := tt.client.Refund(t.Context(), &req)
			var ve *alipayplus.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
		})
	}
	_, err := antom.Refund(t.Context(), nil)
	require.ErrorIs(t, err, alipayplus.ErrInvalidRequest)
	assert.Empty(t, g.requests())
}
