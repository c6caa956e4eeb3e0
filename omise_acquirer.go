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
	return a.fromCharge(ch), nil
}

// Inquire gets the charge. Without a charge id, or with one Omise does not
// know (an id taken from an answer about another charge), it looks for the
// charge by the RequestID in its metadata; none found yet is pending.
func (a *OmiseAcquirer) Inquire(ctx context.Context, p *Payment) (*Payment, error) {
	if p.ID == "" {
		return a.find(ctx, p)
	}
	ch, err := a.client.Charges.Get(ctx, p.ID)
	if errors.Is(err, ErrNotFound) {
		return a.find(ctx, p)
	}
	if err != nil {
		return nil, err
	}
	return a.fromCharge(ch), nil
}

// find looks for the charge created for p: its RequestID in the metadata,
// and p's amount and currency, within the lookup window of p.CreatedAt. A
// charge under the same request id for another amount belongs to another
// sale (a POS that reused the id) and is never taken for this one.
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
		id, _ := ch.Metadata.String(RequestIDMetadataKey)
		if id == p.RequestID && ch.Amount == p.Amount.Amount && ch.Currency == p.Amount.Currency {
			found = ch
			break
		}
	}
	if found == nil {
		out := a.payment(p.RequestID)
		out.Status = StatusPending
		return out, nil
	}
	return a.fromCharge(found), nil
}

// Cancel expires the charge. When Omise refuses (the charge completed or
// failed first), the charge itself is the answer: a successful charge is
// reported succeeded. A charge that cannot be found is a
// *PaymentNotFoundError, not a cancel: Omise cannot close a request id, so
// a create still in flight may land after it.
func (a *OmiseAcquirer) Cancel(ctx context.Context, p *Payment) (*Payment, error) {
	id := p.ID
	if id == "" {
		found, err := a.find(ctx, p)
		if err != nil {
			return nil, err
		}
		if found.ID == "" {
			return nil, &PaymentNotFoundError{Code: "charge_not_found", Message: "no charge found for this request"}
		}
		if found.Status.Final() {
			return found, nil
		}
		id = found.ID
	}
	ch, err := a.client.Charges.Expire(ctx, id)
	var apiErr *APIError
	switch {
	case errors.Is(err, ErrNotFound) && p.ID != "":
		// Not a charge Omise knows: the id came from an answer about
		// another charge. Find the sale's own by its request id.
		return a.Cancel(ctx, &Payment{RequestID: p.RequestID, Amount: p.Amount, CreatedAt: p.CreatedAt})
	case errors.As(err, &apiErr) && apiErr.StatusCode < 500 && apiErr.StatusCode != 429:
		// failed_expire, expired_charge and friends: see what the charge is.
		ch, err = a.client.Charges.Get(ctx, id)
	}
	if err != nil {
		return nil, err
	}
	return a.fromCharge(ch), nil
}

// Refund refunds amount of the charge, with refundRequestID in the refund's
// metadata. Omise does not deduplicate refunds, so the charge's refunds are
// looked up first: a refund already made under refundRequestID is the
// answer, and none is sent again. When a refund's outcome is unknown and it
// cannot be found either, the error matches ErrOutcomeUnknown: retry with
// the same id later; never refund under a new one.
func (a *OmiseAcquirer) Refund(ctx context.Context, p *Payment, amount Money, refundRequestID string) (*Payment, error) {
	if amount.Currency != p.Amount.Currency {
		return nil, invalidParams("refund currency differs from the payment's")
	}
	id, err := a.chargeID(ctx, p)
	if err != nil {
		return nil, err
	}
	if r, err := a.findRefund(ctx, id, refundRequestID); err != nil || r != nil {
		return a.fromRefund(r, p, amount, refundRequestID, err)
	}
	r, err := a.client.Refunds.Create(ctx, id, &RefundParams{
		Amount:   amount.Amount,
		Metadata: map[string]string{RefundRequestIDMetadataKey: refundRequestID},
	})
	if errors.Is(err, ErrOutcomeUnknown) {
		found, ferr := a.findRefund(ctx, id, refundRequestID)
		if ferr != nil || found == nil {
			return nil, err
		}
		r, err = found, nil
	}
	return a.fromRefund(r, p, amount, refundRequestID, err)
}

// FindRefund looks up the refund made under refundRequestID without
// sending one; none found is ErrRefundNotFound.
func (a *OmiseAcquirer) FindRefund(ctx context.Context, p *Payment, amount Money, refundRequestID string) (*Payment, error) {
	id, err := a.chargeID(ctx, p)
	if err != nil {
		return nil, err
	}
	r, err := a.findRefund(ctx, id, refundRequestID)
	if err == nil && r == nil {
		err = ErrRefundNotFound
	}
	return a.fromRefund(r, p, amount, refundRequestID, err)
}

// chargeID is p's charge id, found by its request id when p has none.
func (a *OmiseAcquirer) chargeID(ctx context.Context, p *Payment) (string, error) {
	if p.ID != "" {
		return p.ID, nil
	}
	found, err := a.find(ctx, p)
	if err != nil {
		return "", err
	}
	if found.ID == "" {
		return "", fmt.Errorf("%w: no charge for request %s", ErrNotFound, p.RequestID)
	}
	return found.ID, nil
}

// findRefund pages through the charge's refunds for the one whose metadata
// carries refundRequestID; nil when there is none.
func (a *OmiseAcquirer) findRefund(ctx context.Context, chargeID, refundRequestID string) (*Refund, error) {
	params := &ListParams{Limit: 100}
	for {
		page, err := a.client.Refunds.List(ctx, chargeID, params)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Data {
			if id, _ := r.Metadata.String(RefundRequestIDMetadataKey); id == refundRequestID {
				return r, nil
			}
		}
		params.Offset += len(page.Data)
		if len(page.Data) == 0 || params.Offset >= page.Total {
			return nil, nil
		}
	}
}

// fromRefund maps a refund onto a Payment, refusing one that is not the
// refund asked for: another amount or currency under the same refund
// request id is another refund, never this one's answer.
func (a *OmiseAcquirer) fromRefund(r *Refund, p *Payment, amount Money, refundRequestID string, err error) (*Payment, error) {
	if err != nil {
		return nil, err
	}
	if r.Amount != amount.Amount || r.Currency != amount.Currency || r.Charge != "" && p.ID != "" && r.Charge != p.ID {
		return nil, fmt.Errorf("%w: refund %s was made for another amount or charge", ErrRequestIDReused, refundRequestID)
	}
	out := a.payment(refundRequestID)
	out.ID = r.ID
	out.Amount = Money{Amount: r.Amount, Currency: r.Currency}
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

// fromCharge maps a charge onto a Payment. The request id is the one the
// charge carries in its metadata, not the one asked about, so that the
// Checkout can tell an answer about another sale from one about its own.
func (a *OmiseAcquirer) fromCharge(ch *Charge) *Payment {
	requestID, _ := ch.Metadata.String(RequestIDMetadataKey)
	p := a.payment(requestID)
	p.ID = ch.ID
	p.Amount = Money{Amount: ch.Amount, Currency: ch.Currency}
	p.CreatedAt = ch.CreatedAt
	if ch.Source != nil {
		p.Method = PaymentMethod(ch.Source.Type)
	}
	p.FailureCode, p.FailureMessage = string(ch.FailureCode), ch.FailureMessage
	p.Status = ch.Status.PaymentStatus()
	return p
}
