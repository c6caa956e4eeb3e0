package alipayplus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
type AcquirerConfig struct {
	// Merchant is the merchant and its default store. A sale's
	// instore.Store replaces the store's id, name and MCC where it sets
	// them. Required, as the pay request requires it.
	Merchant Merchant
	// TerminalID is used when a sale's Store.TerminalID is empty.
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
func NewAcquirer(c *Client, cfg AcquirerConfig) (*Acquirer, error) {
	if c == nil {
		return nil, errors.New("alipayplus: nil client")
	}
	m := cfg.Merchant
	if m.ReferenceMerchantID == "" || m.Name == "" || m.MCC == "" {
		return nil, errors.New("alipayplus: the acquirer needs the merchant's id, name and MCC")
	}
	return &Acquirer{client: c, cfg: cfg}, nil
}

// Name returns AcquirerName.
func (a *Acquirer) Name() string { return AcquirerName }

// Pay sends the sale as a pay request. A declined payment is a failed
// Payment with the gateway's result code; an unknown one (U, or a code
// that means "inquire") is pending; an error matching
// instore.ErrOutcomeUnknown leaves the payment to be inquired about.
func (a *Acquirer) Pay(ctx context.Context, req *instore.PayRequest) (*instore.Payment, error) {
	if req == nil {
		return nil, &ValidationError{Op: "pay", Field: "request", Reason: "nil"}
	}
	resp, err := a.client.Pay(ctx, a.payRequest(req))
	if err != nil {
		return nil, err
	}
	p := a.payment(req.RequestID, req.Amount)
	p.ID = resp.PaymentID
	p.CreatedAt = firstTime(resp.PaymentCreateTime, resp.PaymentTime)
	switch {
	case resp.Result.Succeeded():
		p.Status = instore.StatusSucceeded
	case resp.Result.FinalFailure():
		failed(p, resp.Result)
	default:
		p.Status = instore.StatusPending
	}
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
	resp, err := a.client.InquiryPayment(ctx, &InquiryRequest{PaymentRequestID: p.RequestID, PaymentID: p.ID})
	if err != nil {
		return nil, err
	}
	out := a.payment(p.RequestID, p.Amount)
	out.ID = firstString(resp.PaymentID, p.ID)
	if !resp.Result.Succeeded() {
		out.Status = instore.StatusPending
		return out, nil
	}
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

// Cancel cancels the payment in full, paid or not. When the cancel window
// has closed (CANCEL_WINDOW_EXCEED) it refunds the whole amount instead,
// under a refund request id derived from the RequestID so that a repeated
// cancel never refunds twice. A cancel refused for another reason is
// settled by an inquiry: a payment the gateway reports paid is then
// succeeded, as the contract allows.
func (a *Acquirer) Cancel(ctx context.Context, p *instore.Payment) (*instore.Payment, error) {
	resp, err := a.client.Cancel(ctx, &CancelRequest{PaymentRequestID: p.RequestID, PaymentID: p.ID})
	if err != nil {
		return nil, err
	}
	out := a.payment(p.RequestID, p.Amount)
	out.ID = firstString(resp.PaymentID, p.ID)
	switch {
	case resp.Result.Succeeded():
		out.Status = instore.StatusCancelled
		return out, nil
	case resp.Result.CancelWindowExceeded():
		return a.refundInFull(ctx, out)
	case resp.Result.OrderNotExist():
		// After the whole inquiry window the gateway still has no payment
		// under this id: none was made, and the cancel closes the id.
		out.Status = instore.StatusCancelled
		out.FailureCode, out.FailureMessage = string(resp.Result.ResultCode), resp.Result.ResultMessage
		return out, nil
	case resp.Result.FinalFailure():
		return a.Inquire(ctx, out)
	default:
		out.Status = instore.StatusPending // U: cancel again
		return out, nil
	}
}

// refundInFull returns a paid payment's money when it can no longer be
// cancelled.
func (a *Acquirer) refundInFull(ctx context.Context, p *instore.Payment) (*instore.Payment, error) {
	now, err := a.Inquire(ctx, p)
	if err != nil {
		return nil, err
	}
	if now.Status != instore.StatusSucceeded {
		return now, nil // failed or cancelled already; pending is cancelled again
	}
	r, err := a.Refund(ctx, now, p.Amount, cancelRefundID(p.RequestID))
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
func (a *Acquirer) Refund(ctx context.Context, p *instore.Payment, amount instore.Money, refundRequestID string) (*instore.Payment, error) {
	paymentID := p.ID
	if paymentID == "" && a.client.Flavor() == FlavorAntom {
		// Antom names the payment to refund by paymentId only.
		found, err := a.Inquire(ctx, p)
		if err != nil {
			return nil, err
		}
		paymentID = found.ID
	}
	resp, err := a.client.Refund(ctx, &RefundRequest{
		RefundRequestID:  refundRequestID,
		PaymentID:        paymentID,
		PaymentRequestID: p.RequestID,
		Amount:           amount,
	})
	if err != nil {
		return nil, err
	}
	out := a.payment(refundRequestID, amount)
	out.ID = resp.RefundID
	out.CreatedAt = resp.RefundTime
	out.Wallet, out.Method = p.Wallet, p.Method
	switch {
	case resp.Result.Succeeded():
		out.Status = instore.StatusSucceeded
	case resp.Result.FinalFailure():
		failed(out, resp.Result)
	default:
		out.Status = instore.StatusPending
	}
	return out, nil
}

func (a *Acquirer) payment(requestID string, amount instore.Money) *instore.Payment {
	return &instore.Payment{
		Acquirer:  AcquirerName,
		RequestID: requestID,
		Amount:    amount,
		Method:    instore.MethodAlipayPlusCPM,
		Status:    instore.StatusUnknown,
	}
}

func failed(p *instore.Payment, r Result) {
	p.Status = instore.StatusFailed
	p.FailureCode, p.FailureMessage = string(r.ResultCode), r.ResultMessage
}

func firstString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func firstTime(a, b time.Time) time.Time {
	if !a.IsZero() {
		return a
	}
	return b
}
