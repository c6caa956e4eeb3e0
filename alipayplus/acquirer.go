package alipayplus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/instorepay/instore"
)

// AcquirerName is the name an Acquirer gives its payments
// (instore.Payment.Acquirer).
const AcquirerName = "alipayplus"

// defaultOrderDescription is sent when a sale has no description: Alipay+
// requires one, and the wallet shows it to the customer.
const defaultOrderDescription = "In-store purchase"

// AcquirerConfig is what an Acquirer adds to every pay request.
//
// NewAcquirer refuses, with an error matching ErrInvalidConfig, what would
// make every pay fail: a merchant without an id, a name or a four-digit
// MCC, and any field that is set but malformed. The store and the terminal
// may be left to the sales (instore.Store), as a fleet of tills sharing one
// Acquirer does: a sale that names neither, where the configuration gives
// none, is refused before sending with an error matching
// instore.ErrInvalidRequest, and no payment is made.
type AcquirerConfig struct {
	// Merchant is the merchant and its default store. A sale's
	// instore.Store replaces the store's id, name and MCC where it sets
	// them. The merchant's id, name and MCC are required; the store's
	// fields are required of every sale that does not set them.
	Merchant Merchant
	// TerminalID is used when a sale's Store.TerminalID is empty. Alipay+
	// requires a terminal on every pay: leave it empty only if every sale
	// names its till.
	TerminalID string
	// NotifyURL is where the gateway posts results (paymentNotifyUrl);
	// mount Client.NotifyHandler there and call Checkout.Notify from it.
	NotifyURL string
	// SettlementCurrency is sent when set.
	SettlementCurrency instore.Currency
}

// Acquirer is the Alipay+ / Antom client as an instore.Acquirer, for
// instore.Checkout: Pay is pay, with the sale's RequestID as the
// paymentRequestId; Inquire is inquiryPayment by paymentRequestId; Cancel is
// cancel, turned into a full refund when the cancel window has closed;
// Refund is refund. It is safe for concurrent use.
type Acquirer struct {
	client *Client
	cfg    AcquirerConfig
}

var _ instore.Acquirer = (*Acquirer)(nil)

// NewAcquirer returns an Acquirer paying through c for the merchant in cfg.
// Its errors match ErrInvalidConfig (see AcquirerConfig).
func NewAcquirer(c *Client, cfg AcquirerConfig) (*Acquirer, error) {
	if c == nil {
		return nil, invalidConfig(errors.New("alipayplus: nil client"))
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return &Acquirer{client: c, cfg: cfg}, nil
}

// check refuses a configuration that would make every pay fail, with the
// rules the pay request is checked by.
func (cfg *AcquirerConfig) check() error {
	m := &cfg.Merchant
	if m.ReferenceMerchantID == "" || m.Name == "" || m.MCC == "" {
		return invalidConfig(errors.New("alipayplus: acquirer: the merchant's id, name and MCC are required"))
	}
	checks := []error{
		checkText(opAcquirer, "Merchant.ReferenceMerchantID", m.ReferenceMerchantID, maxDescriptionLen, true),
		checkText(opAcquirer, "Merchant.Name", m.Name, maxDescriptionLen, true),
		checkMCC(opAcquirer, "Merchant.MCC", m.MCC),
		checkText(opAcquirer, "Merchant.Store.ReferenceStoreID", m.Store.ReferenceStoreID, maxDescriptionLen, false),
		checkText(opAcquirer, "Merchant.Store.Name", m.Store.Name, maxDescriptionLen, false),
		checkText(opAcquirer, "TerminalID", cfg.TerminalID, maxDescriptionLen, false),
	}
	if m.Store.MCC != "" {
		checks = append(checks, checkMCC(opAcquirer, "Merchant.Store.MCC", m.Store.MCC))
	}
	if cfg.NotifyURL != "" && !absoluteHTTPURL(cfg.NotifyURL) {
		checks = append(checks, &ValidationError{Op: opAcquirer, Field: "NotifyURL", Reason: "not an absolute http(s) URL"})
	}
	if cfg.SettlementCurrency != "" && !isCurrencyCode(cfg.SettlementCurrency) {
		checks = append(checks, &ValidationError{Op: opAcquirer, Field: "SettlementCurrency", Reason: "not a three-letter ISO 4217 code"})
	}
	for _, err := range checks {
		var ve *ValidationError
		if errors.As(err, &ve) {
			// A configuration error, not a request refused: it matches
			// ErrInvalidConfig alone.
			return invalidConfig(errors.New("alipayplus: acquirer: " + ve.Field + ": " + ve.Reason))
		}
	}
	return nil
}

// opAcquirer names NewAcquirer's checks.
const opAcquirer = "acquirer"

// checkSale refuses, before sending, a pay request whose store or terminal
// neither the sale nor the configuration supplies, saying where to set it.
func checkSale(pr *PayRequest) error {
	st := &pr.Order.Merchant.Store
	for _, f := range []struct{ field, v, where string }{
		{"Order.Merchant.Store.ReferenceStoreID", st.ReferenceStoreID, "the sale's Store.ID or AcquirerConfig.Merchant.Store.ReferenceStoreID"},
		{"Order.Merchant.Store.Name", st.Name, "the sale's Store.Name or AcquirerConfig.Merchant.Store.Name"},
		{"Order.Merchant.Store.MCC", st.MCC, "the sale's Store.MCC or AcquirerConfig.Merchant.Store.MCC"},
		{"TerminalID", pr.TerminalID, "the sale's Store.TerminalID or AcquirerConfig.TerminalID"},
	} {
		if f.v == "" {
			return &ValidationError{Op: "pay", Field: f.field, Reason: "required: set " + f.where}
		}
	}
	return nil
}

// Name returns AcquirerName.
func (a *Acquirer) Name() string { return AcquirerName }

// Pay sends the sale as a pay request. A declined payment is a failed
// Payment with the gateway's result code; an unknown one (U, or a code
// that means "inquire") is pending; an error matching
// instore.ErrOutcomeUnknown leaves the payment to be inquired about. A
// sale without a store or terminal is refused before sending (a
// *ValidationError, matching instore.ErrInvalidRequest), and a request the
// gateway refuses for a reason on the merchant's side is a *RefusedError,
// never a failed payment.
func (a *Acquirer) Pay(ctx context.Context, req *instore.PayRequest) (*instore.Payment, error) {
	if req == nil {
		return nil, &ValidationError{Op: "pay", Field: "request", Reason: "nil"}
	}
	pr := a.payRequest(req)
	if err := checkSale(pr); err != nil {
		return nil, err
	}
	resp, err := a.client.Pay(ctx, pr)
	if err != nil {
		return nil, err
	}
	if err := refusal("pay", resp.Result); err != nil {
		return nil, err
	}
	p := a.payment(resp.PaymentRequestID, resp.PaymentAmount)
	p.ID = resp.PaymentID
	p.CreatedAt = firstTime(resp.PaymentCreateTime, resp.PaymentTime)
	settle(p, resp.Result)
	return p, nil
}

// payRequest is the pay request of a sale: the configured merchant, with
// the sale's store and terminal where it names them.
func (a *Acquirer) payRequest(req *instore.PayRequest) *PayRequest {
	merchant := a.cfg.Merchant
	if req.Store.ID != "" {
		merchant.Store.ReferenceStoreID = req.Store.ID
	}
	if req.Store.Name != "" {
		merchant.Store.Name = req.Store.Name
	}
	if req.Store.MCC != "" {
		merchant.Store.MCC = req.Store.MCC
	}
	description := req.Description
	if description == "" {
		description = defaultOrderDescription
	}
	terminal := req.Store.TerminalID
	if terminal == "" {
		terminal = a.cfg.TerminalID
	}
	return &PayRequest{
		PaymentRequestID:    req.RequestID,
		PaymentCode:         req.Code.Digits,
		Amount:              req.Amount,
		Order:               Order{Description: description, Merchant: merchant},
		TerminalID:          terminal,
		TerminalRequestTime: time.Now(),
		NotifyURL:           a.cfg.NotifyURL,
		SettlementCurrency:  a.cfg.SettlementCurrency,
	}
}

// Inquire asks where the payment stands. A payment the gateway does not
// know (ORDER_NOT_EXIST) is pending: the pay may not have landed yet.
func (a *Acquirer) Inquire(ctx context.Context, p *instore.Payment) (*instore.Payment, error) {
	// By the sale's request id alone: a payment id learned from an answer
	// that was about another payment would otherwise point every later
	// call at that payment.
	resp, err := a.client.InquiryPayment(ctx, &InquiryRequest{PaymentRequestID: p.RequestID})
	if err != nil {
		return nil, err
	}
	if !resp.Result.Succeeded() {
		// ORDER_NOT_EXIST and friends: not landed yet, as far as we know.
		out := a.payment("", instore.Money{})
		out.Status = instore.StatusPending
		return out, nil
	}
	out := a.payment(resp.PaymentRequestID, resp.PaymentAmount)
	out.ID = resp.PaymentID
	switch resp.PaymentStatus {
	case PaymentSuccess:
		out.Status = instore.StatusSucceeded
	case PaymentFail:
		failed(out, resp.PaymentResult)
	case PaymentCancelled:
		out.Status = instore.StatusCancelled
		out.FailureCode, out.FailureMessage = string(resp.PaymentResult.ResultCode), resp.PaymentResult.ResultMessage
	default:
		out.Status = instore.StatusPending
	}
	return out, nil
}

// Cancel cancels the payment in full, paid or not. An S answer closes the
// paymentRequestId (Antom: a pay arriving later is refused or refunded),
// so it is a cancel even when the gateway had no payment yet. When the
// cancel window has closed (CANCEL_WINDOW_EXCEED) it refunds the whole
// amount instead, under a refund request id derived from the RequestID so
// that a repeated cancel never refunds twice. ORDER_NOT_EXIST is a
// *instore.PaymentNotFoundError: it closes nothing. A cancel refused for
// another reason is settled by an inquiry: a payment the gateway reports
// paid is then succeeded, as the contract allows.
func (a *Acquirer) Cancel(ctx context.Context, p *instore.Payment) (*instore.Payment, error) {
	// By the sale's request id alone, as Inquire: what the cancel closes is
	// the request id.
	resp, err := a.client.Cancel(ctx, &CancelRequest{PaymentRequestID: p.RequestID})
	if err != nil {
		return nil, err
	}
	out := a.payment(resp.PaymentRequestID, instore.Money{})
	out.ID = resp.PaymentID
	switch {
	case resp.Result.Succeeded():
		out.Status = instore.StatusCancelled
		return out, nil
	case resp.Result.CancelWindowExceeded():
		return a.refundInFull(ctx, p)
	case resp.Result.OrderNotExist():
		return nil, &instore.PaymentNotFoundError{Code: string(resp.Result.ResultCode), Message: resp.Result.ResultMessage}
	case resp.Result.FinalFailure():
		return a.Inquire(ctx, p)
	default:
		out.Status = instore.StatusPending // U: cancel again
		return out, nil
	}
}

// refundInFull returns a paid payment's money when it can no longer be
// cancelled. It refunds only a payment the gateway shows to be p's own:
// its request id and amount, where the inquiry gives them.
func (a *Acquirer) refundInFull(ctx context.Context, p *instore.Payment) (*instore.Payment, error) {
	now, err := a.Inquire(ctx, p)
	if err != nil {
		return nil, err
	}
	if now.Status != instore.StatusSucceeded {
		return now, nil // failed or cancelled already; pending is cancelled again
	}
	if err := confirmed(now, p); err != nil {
		return nil, err
	}
	r, err := a.refund(ctx, now.ID, p, p.Amount, cancelRefundID(p.RequestID))
	if err != nil {
		return nil, err
	}
	out := *now
	switch r.Status {
	case instore.StatusSucceeded:
		out.Status = instore.StatusCancelled
		out.FailureCode = string(CodeCancelWindowExceed)
		out.FailureMessage = "cancel window closed; refunded in full"
	default:
		out.Status = instore.StatusPending // the refund is retried with the next cancel
	}
	return &out, nil
}

// cancelRefundID is the refund request id a cancel-turned-refund uses: the
// same for every attempt on one payment, and within the 64 characters
// Alipay+ allows whatever the RequestID's length.
func cancelRefundID(requestID string) string {
	sum := sha256.Sum256([]byte(requestID))
	return "cancel-" + hex.EncodeToString(sum[:16])
}

// Refund refunds amount of the payment under refundRequestID. The answer is
// the refund as a Payment: its refund id, request id, amount and status.
//
// The payment refunded is the one the gateway holds under the sale's
// request id, paid, for the sale's amount, as an inquiry confirms first:
// never a payment id from elsewhere, which might name another sale's
// payment.
func (a *Acquirer) Refund(ctx context.Context, p *instore.Payment, amount instore.Money, refundRequestID string) (*instore.Payment, error) {
	now, err := a.Inquire(ctx, p)
	if err != nil {
		return nil, err
	}
	if now.Status != instore.StatusSucceeded {
		return nil, fmt.Errorf("alipayplus: refund: %w: the gateway holds no paid payment under request id %s", instore.ErrInvalidRequest, p.RequestID)
	}
	if err := confirmed(now, p); err != nil {
		return nil, err
	}
	return a.refund(ctx, now.ID, p, amount, refundRequestID)
}

// confirmed checks that now, the gateway's answer about p's request id, is
// p's payment: its request id and amount, where the answer gives them.
func confirmed(now, p *instore.Payment) error {
	if now.RequestID != "" && now.RequestID != p.RequestID || now.Amount != (instore.Money{}) && now.Amount != p.Amount {
		return errors.New("alipayplus: the payment under this request id is not this sale's; nothing refunded")
	}
	return nil
}

// refund refunds amount of the payment paymentID, the sale p's.
func (a *Acquirer) refund(ctx context.Context, paymentID string, p *instore.Payment, amount instore.Money, refundRequestID string) (*instore.Payment, error) {
	resp, err := a.client.Refund(ctx, &RefundRequest{
		RefundRequestID:  refundRequestID,
		PaymentID:        paymentID,
		PaymentRequestID: p.RequestID,
		Amount:           amount,
	})
	if err != nil {
		return nil, err
	}
	if resp.Result.RequestIDReused() {
		return nil, reusedError("refund", resp.Result)
	}
	out := a.payment(resp.RefundRequestID, resp.RefundAmount)
	out.ID = resp.RefundID
	out.CreatedAt = resp.RefundTime
	out.Wallet, out.Method = p.Wallet, p.Method
	settle(out, resp.Result)
	return out, nil
}

// refusal is the error for a pay answer that refuses the request itself:
// its id held for another request (instore.ErrRequestIDReused), or a
// reason on the merchant's side (*RefusedError); nil for any other answer.
func refusal(op string, r Result) error {
	switch {
	case r.RequestIDReused():
		return reusedError(op, r)
	case r.ResultStatus == ResultFailure && refusedCode(r.ResultCode):
		return &RefusedError{Op: op, Result: r}
	}
	return nil
}

// reusedError is the refusal of a request whose id the gateway holds for
// another request.
func reusedError(op string, r Result) error {
	return fmt.Errorf("alipayplus: %s: %w (%s)", op, instore.ErrRequestIDReused, r.ResultCode)
}

// payment is a Payment as the gateway described it: requestID and amount
// are what its answer stated, empty where it stated nothing.
func (a *Acquirer) payment(requestID string, amount instore.Money) *instore.Payment {
	return &instore.Payment{
		Acquirer:  AcquirerName,
		RequestID: requestID,
		Amount:    amount,
		Method:    instore.MethodAlipayPlusCPM,
		Status:    instore.StatusUnknown,
	}
}

// settle sets p's status from the result of a pay or a refund, whose
// answer is about the money itself: S is succeeded, a final F is failed
// with the gateway's code, and anything else (U, or an F that means
// "inquire") is pending.
func settle(p *instore.Payment, r Result) {
	switch {
	case r.Succeeded():
		p.Status = instore.StatusSucceeded
	case r.FinalFailure():
		failed(p, r)
	default:
		p.Status = instore.StatusPending
	}
}

func failed(p *instore.Payment, r Result) {
	p.Status = instore.StatusFailed
	p.FailureCode, p.FailureMessage = string(r.ResultCode), r.ResultMessage
}

func firstTime(a, b time.Time) time.Time {
	if !a.IsZero() {
		return a
	}
	return b
}
