package alipayplus

import (
	"context"

	"github.com/instorepay/instore"
)

var _ instore.Presenter = (*Acquirer)(nil)

// Present creates a merchant-presented payment: a pay request in the
// OrderCode scenario, with the sale's RequestID as the paymentRequestId
// and no payment code, whose answer carries the order code the customer
// scans. The code's text is the QR code's Content, a picture of it (when
// the gateway gives an https address) its ImageURI, and its expireTime the
// expiry.
//
// The pay's result is about creating the order, not about the payment: an
// F is a refusal (a failed payment; a *RefusedError when the reason is on
// the merchant's side, as for Pay), and an S or a U with an order code is
// a payment waiting for the customer, which Inquire follows. Reading S as
// "pending" is the safe side of an undocumented point: if S meant paid, the
// first inquiry says so. A U without a code is returned pending with no
// code, which instore.Checkout cancels; an error matching
// instore.ErrOutcomeUnknown means the order may exist.
func (a *Acquirer) Present(ctx context.Context, req *instore.PayRequest) (*instore.Payment, *instore.QRCode, error) {
	if req == nil {
		return nil, nil, &ValidationError{Op: "pay", Field: "request", Reason: "nil"}
	}
	pr := a.payRequest(req)
	pr.PaymentCode, pr.Scenario, pr.ExpiryTime = "", ScenarioOrderCode, req.ExpiresAt
	if err := checkSale(pr); err != nil {
		return nil, nil, err
	}
	resp, err := a.client.Pay(ctx, pr)
	if err != nil {
		return nil, nil, err
	}
	if err := refusal("pay", resp.Result); err != nil {
		return nil, nil, err
	}
	p := a.payment(resp.PaymentRequestID, resp.PaymentAmount)
	p.Method = instore.MethodAlipayPlusOrderCode
	p.ID = resp.PaymentID
	p.CreatedAt = resp.PaymentCreateTime
	if resp.Result.FinalFailure() {
		failed(p, resp.Result)
		return p, nil, nil
	}
	p.Status = instore.StatusPending
	form := resp.OrderCodeForm
	content := form.QRCodeValue()
	if content == "" {
		return p, nil, nil
	}
	return p, &instore.QRCode{Content: content, ImageURI: form.ImageURL(), ExpiresAt: form.ExpireTime}, nil
}
