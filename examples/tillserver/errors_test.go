package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/ppro"
)

// statusOf classifies errors from every acquirer package with the root
// sentinels alone.
func TestStatusOf(t *testing.T) {
	t.Parallel()
	paid := &instore.Payment{RequestID: "sale-1", Status: instore.StatusUnknown}
	tests := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"unresolved", &instore.UnresolvedError{Payment: paid}, http.StatusAccepted, "payment_unresolved"},
		{"refund outcome unknown", fmt.Errorf("instore: refund rf-1 was sent: %w", instore.ErrOutcomeUnknown), http.StatusServiceUnavailable, "outcome_unknown"},
		{"in progress", instore.ErrRequestInProgress, http.StatusConflict, "request_in_progress"},
		{"reused, in the journal", fmt.Errorf("%w: sale sale-1 is for 1.00 THB", instore.ErrRequestIDReused), http.StatusConflict, "request_id_reused"},
		{"omise 429", &instore.APIError{StatusCode: 429}, http.StatusServiceUnavailable, "rate_limited"},
		{"ppro 429", &ppro.Error{Op: "GETTXSTATUS", StatusCode: 429, Err: ppro.ErrRateLimited}, http.StatusServiceUnavailable, "rate_limited"},
		{"alipayplus 429", &alipayplus.Error{Op: "inquiryPayment", StatusCode: 429, Err: alipayplus.ErrUnexpectedStatus}, http.StatusServiceUnavailable, "rate_limited"},
		{"omise key", &instore.APIError{StatusCode: 401, Code: "authentication_failure"}, http.StatusBadGateway, "acquirer_authentication"},
		{"ppro credentials", &ppro.RequestError{Op: "GETTXSTATUS", Reason: ppro.RequestFailAuth}, http.StatusBadGateway, "acquirer_authentication"},
		{"alipayplus key", &alipayplus.RefusedError{Op: "pay", Result: alipayplus.Result{ResultStatus: alipayplus.ResultFailure, ResultCode: alipayplus.CodeKeyNotFound}}, http.StatusBadGateway, "acquirer_authentication"},
		{"alipayplus configuration", alipayplus.ErrInvalidConfig, http.StatusInternalServerError, "invalid_configuration"},
		{"not presented", &instore.PresentError{Payment: &instore.Payment{Status: instore.StatusFailed}}, http.StatusUnprocessableEntity, "not_presented"},
		{"no sale", fmt.Errorf("%w: sale-9", instore.ErrSaleNotFound), http.StatusNotFound, "not_found"},
		{"no transaction", &ppro.RequestError{Op: "GETTXSTATUS", Reason: ppro.RequestFailTxNotFound}, http.StatusNotFound, "not_found"},
		{"no image", instore.ErrNoQRImage, http.StatusNotFound, "no_qr_image"},
		{"bad code", instore.ErrInvalidPaymentCode, http.StatusUnprocessableEntity, "invalid_payment_code"},
		{"unknown wallet", instore.ErrUnknownWallet, http.StatusUnprocessableEntity, "unknown_wallet"},
		{"no route", instore.ErrNoRoute, http.StatusUnprocessableEntity, "no_route"},
		{"over the limit", &instore.LimitError{Err: instore.ErrAmountTooLarge}, http.StatusUnprocessableEntity, "amount_out_of_range"},
		{"currency", instore.ErrCurrencyNotSupported, http.StatusUnprocessableEntity, "currency_not_supported"},
		{"amount text", instore.ErrInvalidAmount, http.StatusBadRequest, "invalid_amount"},
		{"omise invalid_amount", &instore.APIError{StatusCode: 400, Code: "invalid_amount"}, http.StatusBadRequest, "invalid_request"},
		{"alipayplus missing terminal", &alipayplus.ValidationError{Op: "pay", Field: "TerminalID", Reason: "required"}, http.StatusBadRequest, "invalid_request"},
		{"ppro missing store", &ppro.ValidationError{Op: "TRANSACTION", Field: "StoreID", Reason: "required"}, http.StatusBadRequest, "invalid_request"},
		{"alipayplus parameter", &alipayplus.RefusedError{Op: "pay", Result: alipayplus.Result{ResultStatus: alipayplus.ResultFailure, ResultCode: alipayplus.CodeParamIllegal}}, http.StatusBadRequest, "invalid_request"},
		{"server stopping", fmt.Errorf("journal: %w", context.Canceled), http.StatusServiceUnavailable, "unavailable"},
		{"anything else", errors.New("disk full"), http.StatusInternalServerError, "internal"},
	}
	for _, tt := range tests {
		status, code := statusOf(tt.err)
		assert.Equal(t, tt.status, status, tt.name)
		assert.Equal(t, tt.code, code, tt.name)
	}
	assert.Same(t, paid, paymentIn(&instore.UnresolvedError{Payment: paid}), "an unresolved sale's payment goes with the answer")
	assert.Nil(t, paymentIn(instore.ErrNoRoute))
}
