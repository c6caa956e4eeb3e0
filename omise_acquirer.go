package instore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Metadata keys the Omise acquirer writes on the objects it creates. The
// sale's RequestID on the charge is what finds a charge whose creation had
// an unknown outcome: Omise has no idempotency it documents.
const (
	RequestIDMetadataKey       = "instore_request_id"
	RefundRequestIDMetadataKey = "instore_refund_request_id"
)

// OmiseAcquirerName is the name an OmiseAcquirer gives its payments.
const OmiseAcquirerName = "omise"

// DefaultLookupWindow is how far either side of a payment's creation time
// (on our clock) the Omise acquirer looks for its charge: it absorbs the
// difference between our clock and Omise's, and the time the create request
// spent in flight, while keeping the list it pages through short.
const DefaultLookupWindow = 2 * time.Minute

// OmiseAcquirerConfig configures an OmiseAcquirer.
type OmiseAcquirerConfig struct {
	// LookupWindow: see DefaultLookupWindow. Zero means the default; widen
	// it if the POS clock may be off by more.
	LookupWindow time.Duration
}

// OmiseAcquirer is the Omise Client as an Acquirer, for Checkout. Pay
// creates a charge with an inline source of the route's method
// (alipayplus_upm, barcode_alipay, wechat_pay_upm or barcode_wechat), the
// store and terminal, and the RequestID in the charge's metadata; Inquire
// gets the charge, or finds it by that metadata when its creation had an
// unknown outcome; Cancel expires it; Refund creates a refund.
type OmiseAcquirer struct {
	client *Client
	window time.Duration
}

var _ Acquirer = (*OmiseAcquirer)(nil)

// NewOmiseAcquirer returns an OmiseAcquirer charging through c.
func NewOmiseAcquirer(c *Client, cfg OmiseAcquirerConfig) (*OmiseAcquirer, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: nil client", ErrInvalidConfig)
	}
	if cfg.LookupWindow < 0 {
		return nil, fmt.Errorf("%w: negative lookup window", ErrInvalidConfig)
	}
	a := &OmiseAcquirer{client: c, window: cfg.LookupWindow}
	if a.window == 0 {
		a.window = DefaultLookupWindow
	}
	return a, nil
}

// Name returns OmiseAcquirerName.
func (a *OmiseAcquirer) Name() string { return OmiseAcquirerName }

// scanned reports the source types of a code the cashier scans.
func scanned(st SourceType) bool {
	switch st {
	case SourceAlipayPlusUPM, SourceBarcodeAlipay, SourceWeChatPayUPM, SourceBarcodeWeChat:
		return true
	}
	return false
}

// sourceType picks the Omise source type for a sale: the route's method,
// or by wallet when the acquirer is used without a route.
func sourceType(req *PayRequest) (SourceType, error) {
	st := SourceType(req.Method)
	if st == "" {
		switch req.Code.Wallet {
		case WalletAlipay:
			st = SourceAlipayPlusUPM
		case WalletWeChatPay:
			st = SourceWeChatPayUPM
		}
	}
	if !scanned(st) {
		return "", invalidParams("method " + string(req.Method) + " is not a scanned-code source type")
	}
	return st, nil
}

// Pay creates the charge. Its error follows the Client's: an error matching
// ErrOutcomeUnknown means the charge may exist.
func (a *OmiseAcquirer) Pay(ctx context.Context, req *PayRequest) (*Payment, error) {
	if req == nil {
		return nil, invalidParams("nil pay request")
	}
	st, err := sourceType(req)
	if err != nil {
		return nil, err
	}
	metadata := make(map[string]string, len(req.Metadata)+1)
	for k, v := range req.Metadata {
		metadata[k] = v
	}
	metadata[RequestIDMetadataKey] = req.RequestID
	ch, err := a.client.Charges.Create(ctx, &ChargeParams{
		Amount:   req.Amount.Amount,
		Currency: req.Amount.Currency,
		Source: &SourceParams{
			Type:       st,
			Barcode:    req.Code.Digits,
			StoreID:    req.Store.ID,
			StoreName:  req.Store.Name,
			TerminalID: req.Store.TerminalID,
		},
		Description: req.Description,
		Metadata:    metadata,
	})
	if err != nil {
		return nil, err
	}
	return a.fromCharge(ch, req.RequestID), nil
}

// Inquire gets the charge. Without a charge id, it looks for the charge by
// the RequestID in its metadata; none found yet is pending.
func (a *OmiseAcquirer) Inquire(ctx context.Context, p *Payment) (*Payment, error) {
	if p.ID == "" {
		return a.find(ctx, p)
	}
	ch, err := a.client.Charges.Get(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	return a.fromCharge(ch, p.RequestID), nil
}

// find looks for the charge created for p by its RequestID.
func (a *OmiseAcquirer) find(ctx context.Context, p *Payment) (*Payment, error) {
	since := p.CreatedAt
	if since.IsZero() {
		since = time.Now()
	}
	// The acquirer never sends a charge twice, so the first match is the
	// charge; newest first, since the list is searched while the sale runs.
	var found *Charge
	params := &ListParams{From: since.Add(-a.window), To: since.Add(a.window), Order: OrderReverseChronological, Limit: 100}
	for ch, err := range a.client.Charges.All(ctx, params) {
		if err != nil {
			return nil, err
		}
		if id, _ := ch.Metadata.String(RequestIDMetadataKey); id == p.RequestID {
			found = ch
			break
		}
	}
	if found == nil {
		out := a.payment(p.RequestID)
		out.Status = StatusPending
		return out, nil
	}
	return a.fromCharge(found, p.RequestID), nil
}

// Cancel expires the charge. When Omise refuses (the charge completed or
// failed first), the charge itself is the answer: a successful charge is
// reported succeeded. A charge that cannot be found after the whole inquiry
// window was never created, so there is nothing to cancel.
func (a *OmiseAcquirer) Cancel(ctx context.Context, p *Payment) (*Payment, error) {
	id := p.ID
	if id == "" {
		found, err := a.find(ctx, p)
		if err != nil {
			return nil, err
		}
		if found.ID == "" {
			found.Status = StatusCancelled
			found.FailureCode = "charge_not_found"
			found.FailureMessage = "no charge was created for this request"
			return found, nil
		}
		if found.Status.Final() {
			return found, nil
		}
		id = found.ID
	}
	ch, err := a.client.Charges.Expire(ctx, id)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode < 500 && apiErr.StatusCode != 429 {
		// failed_expire, expired_charge and friends: see what the charge is.
		ch, err = a.client.Charges.Get(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	return a.fromCharge(ch, p.RequestID), nil
}

// Refund refunds amount of the charge, with refundRequestID in the refund's
// metadata.
func (a *OmiseAcquirer) Refund(ctx context.Context, p *Payment, amount Money, refundRequestID string) (*Payment, error) {
	if amount.Currency != p.Amount.Currency {
		return nil, invalidParams("refund currency differs from the payment's")
	}
	id := p.ID
	if id == "" {
		found, err := a.find(ctx, p)
		if err != nil {
			return nil, err
		}
		if found.ID == "" {
			return nil, fmt.Errorf("%w: no charge for request %s", ErrNotFound, p.RequestID)
		}
		id = found.ID
	}
	r, err := a.client.Refunds.Create(ctx, id, &RefundParams{
		Amount:   amount.Amount,
		Metadata: map[string]string{RefundRequestIDMetadataKey: refundRequestID},
	})
	if err != nil {
		return nil, err
	}
	out := a.payment(refundRequestID)
	out.ID = r.ID
	out.Amount = Money{Amount: r.Amount, Currency: amount.Currency}
	out.Wallet, out.Method = p.Wallet, p.Method
	out.CreatedAt = r.CreatedAt
	switch r.Status {
	case RefundClosed:
		out.Status = StatusSucceeded
	case "pending":
		out.Status = StatusPending
	case "failed":
		out.Status = StatusFailed
	}
	return out, nil
}

func (a *OmiseAcquirer) payment(requestID string) *Payment {
	return &Payment{Acquirer: OmiseAcquirerName, RequestID: requestID, Status: StatusUnknown}
}

// fromCharge maps a charge onto a Payment.
func (a *OmiseAcquirer) fromCharge(ch *Charge, requestID string) *Payment {
	p := a.payment(requestID)
	p.ID = ch.ID
	p.Amount = Money{Amount: ch.Amount, Currency: ch.Currency}
	p.CreatedAt = ch.CreatedAt
	if ch.Source != nil {
		p.Method = PaymentMethod(ch.Source.Type)
	}
	p.FailureCode, p.FailureMessage = string(ch.FailureCode), ch.FailureMessage
	switch ch.Status {
	case ChargePending:
		p.Status = StatusPending
	case ChargeSuccessful:
		p.Status = StatusSucceeded
	case ChargeFailed:
		p.Status = StatusFailed
	case ChargeExpired, ChargeReversed:
		p.Status = StatusCancelled
	}
	return p
}
