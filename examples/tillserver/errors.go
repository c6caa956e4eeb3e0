package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/instorepay/instore"
)

// statusOf maps an error to the HTTP status the till gets and a stable
// code it can switch on. It is the only place errors become statuses, and
// it knows only package instore's sentinels: errors from the alipayplus and
// ppro packages match them too, so a server routing to any acquirer
// classifies their errors without importing them. The handlers wrap what
// they refuse themselves (a body that does not decode, a missing refund
// id) in instore.ErrInvalidRequest.
//
// The order matters where an error matches several: an unresolved sale or
// an unknown outcome first, since they are the ones where money may have
// moved; then what the till should retry or wait for; then faults of the
// server's own setup; then what is wrong with the request.
func statusOf(err error) (status int, code string) {
	switch {
	case errors.Is(err, instore.ErrPaymentUnresolved):
		// Not a failure of the request: the outcome is not known yet.
		// GET /sales/{id} later; never charge again meanwhile.
		return http.StatusAccepted, "payment_unresolved"
	case errors.Is(err, instore.ErrOutcomeUnknown):
		// A refund that may have been made: retry with the same refund id.
		return http.StatusServiceUnavailable, "outcome_unknown"
	case errors.Is(err, instore.ErrRequestInProgress):
		return http.StatusConflict, "request_in_progress"
	case errors.Is(err, instore.ErrRequestIDReused):
		return http.StatusConflict, "request_id_reused"
	case errors.Is(err, instore.ErrRateLimited):
		return http.StatusServiceUnavailable, "rate_limited"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "unavailable"
	case errors.Is(err, instore.ErrAuthentication):
		// The server's keys, not the till's request.
		return http.StatusBadGateway, "acquirer_authentication"
	case errors.Is(err, instore.ErrInvalidConfig):
		return http.StatusInternalServerError, "invalid_configuration"
	case errors.Is(err, instore.ErrNotPresented):
		return http.StatusUnprocessableEntity, "not_presented"
	case errors.Is(err, instore.ErrSaleNotFound), errors.Is(err, instore.ErrNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, instore.ErrNoQRImage):
		return http.StatusNotFound, "no_qr_image"
	case errors.Is(err, instore.ErrInvalidPaymentCode):
		return http.StatusUnprocessableEntity, "invalid_payment_code"
	case errors.Is(err, instore.ErrUnknownWallet):
		return http.StatusUnprocessableEntity, "unknown_wallet"
	case errors.Is(err, instore.ErrNoRoute):
		return http.StatusUnprocessableEntity, "no_route"
	case errors.Is(err, instore.ErrAmountTooSmall), errors.Is(err, instore.ErrAmountTooLarge):
		return http.StatusUnprocessableEntity, "amount_out_of_range"
	case errors.Is(err, instore.ErrCurrencyNotSupported), errors.Is(err, instore.ErrUnknownCurrency),
		errors.Is(err, instore.ErrCurrencyMismatch):
		return http.StatusUnprocessableEntity, "currency_not_supported"
	case errors.Is(err, instore.ErrInvalidAmount):
		return http.StatusBadRequest, "invalid_amount"
	case errors.Is(err, instore.ErrInvalidRequest):
		return http.StatusBadRequest, "invalid_request"
	}
	return http.StatusInternalServerError, "internal"
}

// paymentIn returns the payment an error carries, if any: an unresolved
// sale's, or that of a QR code that was not presented.
func paymentIn(err error) *instore.Payment {
	var unresolved *instore.UnresolvedError
	if errors.As(err, &unresolved) {
		return unresolved.Payment
	}
	var notPresented *instore.PresentError
	if errors.As(err, &notPresented) {
		return notPresented.Payment
	}
	return nil
}
