package instore

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"strings"
	"time"
)

// ChargeStatus is the status of an Omise charge. Values the SDK has no
// constant for are kept as they come, and are not final.
type ChargeStatus string

// Charge statuses. An in-store charge starts pending and ends successful,
// failed or expired.
const (
	ChargePending    ChargeStatus = "pending"
	ChargeSuccessful ChargeStatus = "successful"
	ChargeFailed     ChargeStatus = "failed"
	ChargeExpired    ChargeStatus = "expired"
	ChargeReversed   ChargeStatus = "reversed"
	// ChargeUnknown is a source's charge_status before it has a charge.
	ChargeUnknown ChargeStatus = "unknown"
)

// Final reports whether s can no longer change by itself: successful,
// failed, expired or reversed. Pending, unknown and any status the SDK does
// not know are not final, so a caller keeps following such a charge rather
// than taking a guess for an answer.
func (s ChargeStatus) Final() bool {
	switch s {
	case ChargeSuccessful, ChargeFailed, ChargeExpired, ChargeReversed:
		return true
	}
	return false
}

// FailureCode says why a charge failed. Codes the SDK has no constant for
// are kept as they come.
type FailureCode string

// Failure codes documented for the in-store wallet methods.
const (
	FailurePaymentCancelled    FailureCode = "payment_cancelled"    // the payer cancelled
	FailureFailedProcessing    FailureCode = "failed_processing"    // a general processing failure
	FailureInsufficientBalance FailureCode = "insufficient_balance" // no funds, or a wallet limit reached
	FailureInsufficientFund    FailureCode = "insufficient_fund"    // the same, as Alipay+ MPM names it
	FailurePaymentRejected     FailureCode = "payment_rejected"     // the issuer refused
	FailurePaymentExpired      FailureCode = "payment_expired"      // the payment expired
	FailureTimeout             FailureCode = "timeout"              // the payer did not act before expiry
)

// Charge is an Omise charge. Amounts are in minor units of Currency (satang
// for THB). Fields Omise sends as null are zero, except timestamps, which
// are nil.
type Charge struct {
	Object    string    `json:"object"`
	ID        string    `json:"id"`
	Livemode  bool      `json:"livemode"`
	Location  string    `json:"location"`
	CreatedAt time.Time `json:"created_at"`

	Amount   int64    `json:"amount"`
	Currency Currency `json:"currency"`
	// FundingAmount and FundingCurrency are what the merchant is settled.
	FundingAmount   int64    `json:"funding_amount"`
	FundingCurrency Currency `json:"funding_currency"`
	Fee             int64    `json:"fee"`
	FeeVAT          int64    `json:"fee_vat"`
	Interest        int64    `json:"interest"`
	InterestVAT     int64    `json:"interest_vat"`
	// Net is what the merchant receives: the funding amount less fees and
	// VAT.
	Net             int64            `json:"net"`
	RefundedAmount  int64            `json:"refunded_amount"`
	TransactionFees *TransactionFees `json:"transaction_fees"`
	PlatformFee     *PlatformFee     `json:"platform_fee"`

	Description string   `json:"description"`
	Metadata    Metadata `json:"metadata"`

	Status ChargeStatus `json:"status"`
	// FailureCode and FailureMessage are set when Status is failed.
	FailureCode    FailureCode `json:"failure_code"`
	FailureMessage string      `json:"failure_message"`
	Capture        bool        `json:"capture"`
	Authorized     bool        `json:"authorized"`
	Paid           bool        `json:"paid"`
	PaidAt         *time.Time  `json:"paid_at"`
	Reversed       bool        `json:"reversed"`
	ReversedAt     *time.Time  `json:"reversed_at"`
	Expired        bool        `json:"expired"`
	// ExpiredAt is when the charge expired; ExpiresAt when it will if it
	// is still pending then.
	ExpiredAt   *time.Time `json:"expired_at"`
	ExpiresAt   *time.Time `json:"expires_at"`
	Voided      bool       `json:"voided"`
	Transaction string     `json:"transaction"`

	Refunds    *List[Refund] `json:"refunds"`
	Source     *Source       `json:"source"`
	Refundable bool          `json:"refundable"`
	Reversible bool          `json:"reversible"`
	Capturable bool          `json:"capturable"`
	Disputable bool          `json:"disputable"`

	ReturnURI                string `json:"return_uri"`
	AuthorizeURI             string `json:"authorize_uri"`
	IP                       string `json:"ip"`
	ZeroInterestInstallments bool   `json:"zero_interest_installments"`

	// Card, Customer, Dispute, Link, Schedule, Branch, Terminal and Device
	// are kept as raw JSON (null when absent): in-store charges leave them
	// null, and our sources document no shape for them.
	Card     json.RawMessage `json:"card"`
	Customer json.RawMessage `json:"customer"`
	Dispute  json.RawMessage `json:"dispute"`
	Link     json.RawMessage `json:"link"`
	Schedule json.RawMessage `json:"schedule"`
	Branch   json.RawMessage `json:"branch"`
	Terminal json.RawMessage `json:"terminal"`
	Device   json.RawMessage `json:"device"`
}

func (c *Charge) check() error {
	if c.ID == "" {
		return errors.New("instore: response has no charge id")
	}
	if c.Object != "" && c.Object != "charge" {
		return errors.New("instore: response is not a charge")
	}
	return nil
}

// TransactionFees are the rates a charge's fee was computed with.
type TransactionFees struct {
	FeeFlat Decimal `json:"fee_flat"`
	FeeRate Decimal `json:"fee_rate"` // percent
	VATRate Decimal `json:"vat_rate"` // percent
}

// PlatformFee is a platform's (marketplace's) share of a charge.
type PlatformFee struct {
	Fixed      int64   `json:"fixed"`
	Amount     int64   `json:"amount"`
	Percentage Decimal `json:"percentage"`
}

// ChargeParams creates a charge. Give either SourceID (a source created
// before) or Source (an inline source, the usual in-store case). Zero fields
// are not sent. The url tags define the wire form (go-querystring's
// encoding, with Metadata as metadata[key] and ExpiresAt in UTC); the SDK
// writes that form by hand, without reflection, since every sale sends one.
type ChargeParams struct {
	// Amount is in minor units of Currency.
	Amount   int64    `url:"amount,omitempty"`
	Currency Currency `url:"currency,omitempty"`
	// SourceID is an existing source, sent as source=src_....
	SourceID string `url:"source,omitempty"`
	// Source is an inline source, sent as source[type]=...,
	// source[barcode]=....
	Source      *SourceParams `url:"source,omitempty"`
	Description string        `url:"description,omitempty"`
	// Metadata is sent as metadata[key]=value. Store your own sale or
	// request id here: it is how a charge whose creation ended with
	// ErrOutcomeUnknown is found again.
	Metadata  map[string]string `url:"-"`
	ReturnURI string            `url:"return_uri,omitempty"`
	// ExpiresAt asks Omise to expire the charge at this time if it is still
	// pending; it is sent in UTC, in RFC 3339.
	ExpiresAt *time.Time `url:"-"`
	// Capture false authorises without capturing; nil takes Omise's default
	// (capture).
	Capture *bool `url:"capture,omitempty"`
}

func (p *ChargeParams) validate() error {
	switch {
	case p.Amount <= 0:
		return invalidParams("amount must be positive")
	case p.Currency == "":
		return invalidParams("currency is required")
	case p.SourceID == "" && p.Source == nil:
		return invalidParams("a source id or an inline source is required")
	case p.SourceID != "" && p.Source != nil:
		return invalidParams("give a source id or an inline source, not both")
	case p.ExpiresAt != nil && p.ExpiresAt.IsZero():
		return invalidParams("expires_at is the zero time")
	}
	if s := p.Source; s != nil {
		if err := s.validate(true); err != nil {
			return err
		}
		// Omise requires a source's amount and currency to be the charge's;
		// a mismatch is a bug in the caller, caught before money moves.
		if s.Amount != 0 && s.Amount != p.Amount {
			return invalidParams("source amount differs from the charge amount")
		}
		if s.Currency != "" && !strings.EqualFold(string(s.Currency), string(p.Currency)) {
			return invalidParams("source currency differs from the charge currency")
		}
	}
	return validMetadata(p.Metadata)
}

// ChargeService creates, retrieves, lists and expires charges.
type ChargeService service

// Create creates a charge with the secret key. It is sent once: if the
// request may have reached Omise but no trustworthy answer came back (the
// connection dropped after it was written, a timeout, a 5xx, an unreadable
// 2xx), the error matches ErrOutcomeUnknown, and the charge must be looked
// up (by the id in your metadata, with List or your webhooks), never
// created again.
func (s *ChargeService) Create(ctx context.Context, p *ChargeParams, opts ...RequestOption) (*Charge, error) {
	if p == nil {
		return nil, invalidParams("nil charge params")
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	c := &call{method: http.MethodPost, path: [4]string{"/charges"}, body: p.appendForm(make([]byte, 0, chargeFormSize))}
	if p.Source != nil {
		c.code = p.Source.Barcode
	}
	return send[Charge](ctx, s.client, c, opts)
}

// Get retrieves a charge by id. It is retried on network errors, 429 and
// 5xx. Re-fetch a charge this way before acting on a webhook.
func (s *ChargeService) Get(ctx context.Context, id string, opts ...RequestOption) (*Charge, error) {
	id, err := escapeID(id)
	if err != nil {
		return nil, err
	}
	return send[Charge](ctx, s.client, &call{method: http.MethodGet, path: [4]string{"/charges/", id}}, opts)
}

// List retrieves one page of charges.
func (s *ChargeService) List(ctx context.Context, p *ListParams, opts ...RequestOption) (*List[Charge], error) {
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return send[List[Charge]](ctx, s.client, &call{method: http.MethodGet, path: [4]string{"/charges"}, query: q}, opts)
}

// All iterates over every charge from p on (nil means from the first),
// fetching pages with List as it goes. p is copied, never modified. The
// context is checked before each page; an error is yielded once, and then
// the iteration stops.
func (s *ChargeService) All(ctx context.Context, p *ListParams, opts ...RequestOption) iter.Seq2[*Charge, error] {
	return all(ctx, p, func(ctx context.Context, q *ListParams) (*List[Charge], error) {
		return s.List(ctx, q, opts...)
	})
}

// Expire expires a pending charge at once, which cancels it. Omise refuses
// (code failed_expire) a charge that is no longer pending; re-fetch it to
// learn its final status. A failure after the request was sent matches
// ErrOutcomeUnknown: the charge may or may not be expired.
func (s *ChargeService) Expire(ctx context.Context, id string, opts ...RequestOption) (*Charge, error) {
	return s.action(ctx, id, "/expire", opts)
}

// MarkAsPaid marks a pending charge successful. It works in test mode only,
// to play the customer's part in tests.
func (s *ChargeService) MarkAsPaid(ctx context.Context, id string, opts ...RequestOption) (*Charge, error) {
	return s.action(ctx, id, "/mark_as_paid", opts)
}

// MarkAsFailed marks a pending charge failed. It works in test mode only.
func (s *ChargeService) MarkAsFailed(ctx context.Context, id string, opts ...RequestOption) (*Charge, error) {
	return s.action(ctx, id, "/mark_as_failed", opts)
}

func (s *ChargeService) action(ctx context.Context, id, suffix string, opts []RequestOption) (*Charge, error) {
	id, err := escapeID(id)
	if err != nil {
		return nil, err
	}
	return send[Charge](ctx, s.client, &call{method: http.MethodPost, path: [4]string{"/charges/", id, suffix}}, opts)
}
