package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/instorepay/instore"
)

// What the till sends and gets, as JSON. Amounts and payments use the
// SDK's own JSON forms (instore.Money, instore.Payment), so a till reads
// "amount" in minor units or "decimal", and a payment's status, ids and
// created_at (RFC 3339, UTC) the same way everywhere.

// maxBody caps a request body: a sale is a few hundred bytes.
const maxBody = 64 << 10

// saleRequest is POST /sales. RequestID is the till's id for the sale:
// sending the same request again (after a timeout, a dropped connection)
// returns the same sale, never a second payment. Without one the server
// makes one, and the till cannot safely retry.
type saleRequest struct {
	RequestID   string            `json:"request_id"`
	Code        string            `json:"code"`
	Amount      instore.Money     `json:"amount"`
	Description string            `json:"description"`
	Store       storeJSON         `json:"store"`
	Metadata    map[string]string `json:"metadata"`
}

// storeJSON is the shop and till a sale is taken at.
type storeJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	MCC        string `json:"mcc"`
	TerminalID string `json:"terminal_id"`
}

func (s storeJSON) store() instore.Store {
	return instore.Store{ID: s.ID, Name: s.Name, MCC: s.MCC, TerminalID: s.TerminalID}
}

// qrRequest is POST /qr.
type qrRequest struct {
	RequestID   string        `json:"request_id"`
	Wallet      string        `json:"wallet"`
	Amount      instore.Money `json:"amount"`
	Description string        `json:"description"`
	Store       storeJSON     `json:"store"`
	// ExpiresIn bounds how long the code stays payable, in seconds; zero
	// leaves the acquirer's default.
	ExpiresIn int `json:"expires_in"`
}

// refundRequest is POST /refunds. RefundID is required: a refund retried
// under the same id is made once.
type refundRequest struct {
	RequestID string        `json:"request_id"`
	RefundID  string        `json:"refund_id"`
	Amount    instore.Money `json:"amount"`
}

// paymentResponse answers the sale and QR endpoints. QR is set while a QR
// code is on show.
type paymentResponse struct {
	Payment *instore.Payment `json:"payment"`
	QR      *qrJSON          `json:"qr,omitempty"`
}

// qrJSON is what the till shows: the code's content, or its image, which
// the till fetches from Image (the acquirer's own URI needs the server's
// key).
type qrJSON struct {
	Content   string    `json:"content,omitempty"`
	Image     string    `json:"image,omitempty"`
	ImageType string    `json:"image_type,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// refundResponse answers POST /refunds.
type refundResponse struct {
	Refund *instore.Payment `json:"refund"`
}

// errorResponse is every error answer; Payment is set when the error
// carries one (an unresolved sale, a refused attempt).
type errorResponse struct {
	Error   errorJSON        `json:"error"`
	Payment *instore.Payment `json:"payment,omitempty"`
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// decode reads a JSON body into v, whose amount must be there. What it
// refuses is an invalid request.
func decode(w http.ResponseWriter, r *http.Request, v any, amount *instore.Money) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return fmt.Errorf("%w: body over %d bytes", instore.ErrInvalidRequest, maxBody)
		}
		// An amount the SDK refused keeps its own error (invalid amount,
		// unknown currency); anything else is a body that is not the
		// request's JSON. json's messages name fields and types, never
		// values, so a code typed into the wrong field is not echoed.
		if errors.Is(err, instore.ErrInvalidAmount) || errors.Is(err, instore.ErrUnknownCurrency) {
			return err
		}
		return fmt.Errorf("%w: body: %w", instore.ErrInvalidRequest, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: body: more than one JSON value", instore.ErrInvalidRequest)
	}
	if *amount == (instore.Money{}) {
		return fmt.Errorf("%w: amount is required", instore.ErrInvalidRequest)
	}
	return nil
}

// writeJSON answers with v.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers with err as statusOf maps it, and p, the payment the
// call returned beside it, or the one err carries.
func writeError(w http.ResponseWriter, err error, p *instore.Payment) {
	status, code := statusOf(err)
	if p == nil {
		p = paymentIn(err)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	// SDK errors never hold a code, a key or a signature.
	writeJSON(w, status, errorResponse{Error: errorJSON{Code: code, Message: err.Error()}, Payment: p})
}
