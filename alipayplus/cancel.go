package alipayplus

import (
	"context"
	"time"
)

// CancelRequest names the payment to cancel: by PaymentID or by
// PaymentRequestID (at least one; the gateway prefers PaymentID).
type CancelRequest struct {
	PaymentRequestID string
	PaymentID        string
}

// CancelResponse is the answer to Cancel. S means the payment is cancelled
// and any money taken goes back to the customer; F with
// CANCEL_WINDOW_EXCEED means refund instead; U or an error means send the
// same cancel again.
type CancelResponse struct {
	Result           Result
	PaymentRequestID string
	PaymentID        string
	CancelTime       time.Time // Antom
	PSPID            string    // Alipay+
	AcquirerID       string    // Alipay+
}

type cancelResponseJSON struct {
	Result           resultJSON `json:"result"`
	PaymentRequestID string     `json:"paymentRequestId"`
	PaymentID        string     `json:"paymentId"`
	CancelTime       string     `json:"cancelTime"`
	PSPID            string     `json:"pspId"`
	AcquirerID       string     `json:"acquirerId"`
}

// Cancel cancels a payment, paid or not, in full: /ams/.../cancel for Antom,
// /aps/.../cancelPayment for Alipay+. It is allowed until [CancelDeadline].
// Once a cancel has been sent, treat the payment as cancelled-or-pending and
// repeat the cancel until it answers S: a late success notification does
// not undo it.
//
// An error matching [instore.ErrOutcomeUnknown] means the cancel may have
// been processed; send it again.
func (c *Client) Cancel(ctx context.Context, req *CancelRequest) (*CancelResponse, error) {
	op := c.ops[opCancel].name
	if req == nil {
		return nil, &ValidationError{Op: op, Field: "request", Reason: "nil"}
	}
	ir := InquiryRequest(*req)
	if err := checkPaymentRef(op, &ir); err != nil {
		return nil, err
	}
	body, err := marshalBody(op, &idRequestJSON{PaymentRequestID: req.PaymentRequestID, PaymentID: req.PaymentID})
	if err != nil {
		return nil, err
	}
	var out *CancelResponse
	err = c.call(ctx, &c.ops[opCancel], logID(req.PaymentRequestID, req.PaymentID), req.PaymentRequestID, body, func(b []byte) (*Result, string, error) {
		r, err := decodeCancelResponse(b)
		if err != nil {
			return nil, "", err
		}
		out = r
		return &r.Result, r.PaymentRequestID, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func decodeCancelResponse(body []byte) (*CancelResponse, error) {
	var w cancelResponseJSON
	if err := unmarshalEnvelope(body, &w); err != nil {
		return nil, err
	}
	res, err := w.Result.result()
	if err != nil {
		return nil, err
	}
	return &CancelResponse{
		Result:           res,
		PaymentRequestID: w.PaymentRequestID,
		PaymentID:        w.PaymentID,
		CancelTime:       parseTime(w.CancelTime),
		PSPID:            w.PSPID,
		AcquirerID:       w.AcquirerID,
	}, nil
}
