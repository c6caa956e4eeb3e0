package instore

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// RefundStatus is the status of a refund. Values the SDK has no constant
// for are kept as they come.
type RefundStatus string

// RefundClosed is the only refund status in our sources: the refund is done.
const RefundClosed RefundStatus = "closed"

// Refund is a refund of all or part of a charge. A full refund made before
// the charge settled is a void (Voided is true).
type Refund struct {
	Object          string    `json:"object"`
	ID              string    `json:"id"`
	Livemode        bool      `json:"livemode"`
	Location        string    `json:"location"`
	CreatedAt       time.Time `json:"created_at"`
	Amount          int64     `json:"amount"`
	Currency        Currency  `json:"currency"`
	FundingAmount   int64     `json:"funding_amount"`
	FundingCurrency Currency  `json:"funding_currency"`
	// Charge is the id of the refunded charge.
	Charge      string       `json:"charge"`
	Status      RefundStatus `json:"status"`
	Voided      bool         `json:"voided"`
	Transaction string       `json:"transaction"`
	Metadata    Metadata     `json:"metadata"`

	AcquirerReferenceNumber string `json:"acquirer_reference_number"`
	ApprovalCode            string `json:"approval_code"`
	MerchantName            string `json:"merchant_name"`
	MerchantUID             string `json:"merchant_uid"`
}

func (r *Refund) check() error {
	if r.ID == "" {
		return errors.New("instore: response has no refund id")
	}
	if r.Object != "" && r.Object != "refund" {
		return errors.New("instore: response is not a refund")
	}
	return nil
}

// RefundParams creates a refund.
type RefundParams struct {
	// Amount is in minor units of the charge's currency; it is required,
	// also for a full refund.
	Amount int64 `url:"amount,omitempty"`
	// Metadata is sent as metadata[key]=value; put your refund request id
	// here, to find the refund again after ErrOutcomeUnknown.
	Metadata map[string]string `url:"-"`
	// Void asks for a void rather than a refund where Omise allows one.
	Void bool `url:"void,omitempty"`
}

type refundForm struct {
	*RefundParams
	Metadata formMetadata `url:"metadata,omitempty"`
}

// RefundService creates, retrieves and lists the refunds of a charge.
type RefundService service

// Create refunds amount of a charge. Like ChargeService.Create it is sent
// once: an error that matches ErrOutcomeUnknown means the refund may exist,
// and the charge's refunds must be listed before refunding again.
func (s *RefundService) Create(ctx context.Context, chargeID string, p *RefundParams, opts ...RequestOption) (*Refund, error) {
	if p == nil {
		return nil, invalidParams("nil refund params")
	}
	if p.Amount <= 0 {
		return nil, invalidParams("refund amount must be positive")
	}
	if err := validMetadata(p.Metadata); err != nil {
		return nil, err
	}
	chargeID, err := escapeID(chargeID)
	if err != nil {
		return nil, err
	}
	body, err := encodeForm(&refundForm{RefundParams: p, Metadata: p.Metadata})
	if err != nil {
		return nil, err
	}
	return send[Refund](ctx, s.client, &call{method: http.MethodPost, path: [4]string{"/charges/", chargeID, "/refunds"}, body: body}, opts)
}

// Get retrieves one refund of a charge.
func (s *RefundService) Get(ctx context.Context, chargeID, refundID string, opts ...RequestOption) (*Refund, error) {
	chargeID, err := escapeID(chargeID)
	if err != nil {
		return nil, err
	}
	refundID, err = escapeID(refundID)
	if err != nil {
		return nil, err
	}
	return send[Refund](ctx, s.client, &call{method: http.MethodGet, path: [4]string{"/charges/", chargeID, "/refunds/", refundID}}, opts)
}

// List retrieves one page of the refunds of a charge.
func (s *RefundService) List(ctx context.Context, chargeID string, p *ListParams, opts ...RequestOption) (*List[Refund], error) {
	chargeID, err := escapeID(chargeID)
	if err != nil {
		return nil, err
	}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return send[List[Refund]](ctx, s.client, &call{method: http.MethodGet, path: [4]string{"/charges/", chargeID, "/refunds"}, query: q}, opts)
}
