package instore

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// paymentJSON is Payment's JSON form: snake_case names, as the Omise API
// and the instore command's --json output write them.
type paymentJSON struct {
	Acquirer       string        `json:"acquirer"`
	ID             string        `json:"id,omitempty"`
	RequestID      string        `json:"request_id"`
	Status         PaymentStatus `json:"status"`
	Amount         Money         `json:"amount"`
	Wallet         Wallet        `json:"wallet,omitempty"`
	Method         PaymentMethod `json:"method,omitempty"`
	FailureCode    string        `json:"failure_code,omitempty"`
	FailureMessage string        `json:"failure_message,omitempty"`
	CreatedAt      time.Time     `json:"created_at,omitzero"`
	Refunds        []*Payment    `json:"refunds,omitempty"`
}

// MarshalJSON encodes p for a service to return or store, in a stable
// shape (fields may be added, never renamed or changed in meaning):
//
//	{
//	  "acquirer": "omise",
//	  "id": "chrg_test_5xuy4w91xqz7d1w9u0t",
//	  "request_id": "0e43062b8b382613d7ad68fe0e7ee607",
//	  "status": "succeeded",
//	  "amount": {"amount": 400000, "currency": "THB", "decimal": "4000.00"},
//	  "wallet": "alipay",
//	  "method": "alipayplus_upm",
//	  "created_at": "2026-03-02T04:05:06Z",
//	  "refunds": [{"acquirer": "omise", "id": "rfnd_test_...", ...}]
//	}
//
// The amount is a Money (see Money.MarshalJSON). created_at is RFC 3339 in
// UTC, with fractional seconds when it has them. id, wallet, method,
// failure_code, failure_message, created_at and refunds are left out when
// empty. A Payment holds no secret: the code a sale was paid with is not
// part of it.
func (p Payment) MarshalJSON() ([]byte, error) {
	return json.Marshal(paymentJSON{
		Acquirer:       p.Acquirer,
		ID:             p.ID,
		RequestID:      p.RequestID,
		Status:         p.Status,
		Amount:         p.Amount,
		Wallet:         p.Wallet,
		Method:         p.Method,
		FailureCode:    p.FailureCode,
		FailureMessage: p.FailureMessage,
		CreatedAt:      p.CreatedAt.UTC(),
		Refunds:        p.Refunds,
	})
}

// UnmarshalJSON reads what MarshalJSON writes, so that a stored payment
// can be handed back to Checkout.Refund. created_at is read in any zone
// and kept in UTC; a status the SDK does not know is kept as it is. An
// amount that does not decode fails the whole payment; p is changed only
// on success.
func (p *Payment) UnmarshalJSON(b []byte) error {
	var v paymentJSON
	if err := json.Unmarshal(b, &v); err != nil {
		if errors.Is(err, ErrInvalidAmount) || errors.Is(err, ErrUnknownCurrency) {
			return err
		}
		return fmt.Errorf("instore: decoding a payment: %w", err)
	}
	*p = Payment{
		Acquirer:       v.Acquirer,
		ID:             v.ID,
		RequestID:      v.RequestID,
		Status:         v.Status,
		Amount:         v.Amount,
		Wallet:         v.Wallet,
		Method:         v.Method,
		FailureCode:    v.FailureCode,
		FailureMessage: v.FailureMessage,
		CreatedAt:      v.CreatedAt.UTC(),
		Refunds:        v.Refunds,
	}
	return nil
}
