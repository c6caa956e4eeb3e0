package alipayplus

import (
	"context"
	"time"

	"github.com/instorepay/instore"
)

// RefundRequest refunds all or part of a successful payment, within a year
// of it. Several partial refunds are allowed, each with its own
// RefundRequestID.
type RefundRequest struct {
	// RefundRequestID is the merchant's id for this refund, at most 64
	// characters; the gateway deduplicates by it. Required.
	RefundRequestID string
	// PaymentID is the gateway's id of the payment. Required for Antom;
	// Alipay+ accepts PaymentRequestID instead.
	PaymentID        string
	PaymentRequestID string
	// Amount is the amount to refund, in the payment's currency. Positive.
	Amount instore.Money
	// Reason is an optional note (refundReason).
	Reason string
}

// RefundResponse is the answer to Refund. S means refunded, F means not
// (ResultCode says why), U or an error means send the same refund again.
type RefundResponse struct {
	Result          Result
	RefundRequestID string
	RefundID        string
	PaymentID       string
	RefundAmount    instore.Money
	RefundTime      time.Time
	PSPID           string // Alipay+
	AcquirerID      string // Alipay+
}

type refundRequestJSON struct {
	RefundRequestID  string     `json:"refundRequestId"`
	PaymentRequestID string     `json:"paymentRequestId,omitempty"`
	PaymentID        string     `json:"paymentId,omitempty"`
	RefundAmount     amountJSON `json:"refundAmount"`
	RefundReason     string     `json:"refundReason,omitempty"`
}

type refundResponseJSON struct {
	Result          resultJSON `json:"result"`
	RefundRequestID string     `json:"refundRequestId"`
	RefundID        string     `json:"refundId"`
	PaymentID       string     `json:"paymentId"`
	RefundAmount    respAmount `json:"refundAmount"`
	RefundTime      string     `json:"refundTime"`
	PSPID           string     `json:"pspId"`
	AcquirerID      string     `json:"acquirerId"`
}

// Refund refunds a payment. An error matching [instore.ErrOutcomeUnknown]
// means the refund may have been made; send the same request (same
// RefundRequestID) again, never a new one.
func (c *Client) Refund(ctx context.Context, req *RefundRequest) (*RefundResponse, error) {
	body, err := c.refundBody(req)
	if err != nil {
		return nil, err
	}
	var out *RefundResponse
	err = c.call(ctx, &c.ops[opRefund], req.RefundRequestID, req.RefundRequestID, body, func(b []byte) (*Result, string, error) {
		r, err := decodeRefundResponse(b)
		if err != nil {
			return nil, "", err
		}
		out = r
		return &r.Result, r.RefundRequestID, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) refundBody(req *RefundRequest) ([]byte, error) {
	const op = "refund"
	if req == nil {
		return nil, &ValidationError{Op: op, Field: "request", Reason: "nil"}
	}
	if err := checkID(op, "RefundRequestID", req.RefundRequestID, true); err != nil {
		return nil, err
	}
	if c.flavor == FlavorAntom && req.PaymentID == "" {
		return nil, &ValidationError{Op: op, Field: "PaymentID", Reason: "required"}
	}
	if req.PaymentID == "" && req.PaymentRequestID == "" {
		return nil, &ValidationError{Op: op, Field: "PaymentID", Reason: "PaymentID or PaymentRequestID required"}
	}
	if err := checkID(op, "PaymentID", req.PaymentID, false); err != nil {
		return nil, err
	}
	if err := checkID(op, "PaymentRequestID", req.PaymentRequestID, false); err != nil {
		return nil, err
	}
	if err := checkAmount(op, "Amount", req.Amount); err != nil {
		return nil, err
	}
	if err := checkText(op, "Reason", req.Reason, maxDescriptionLen, false); err != nil {
		return nil, err
	}
	b := refundRequestJSON{
		RefundRequestID: req.RefundRequestID,
		PaymentID:       req.PaymentID,
		RefundAmount:    toAmount(req.Amount),
		RefundReason:    req.Reason,
	}
	if c.flavor == FlavorACQP {
		// Antom's refund takes paymentId alone; Alipay+ takes either.
		b.PaymentRequestID = req.PaymentRequestID
	}
	return marshalBody(op, &b)
}

func decodeRefundResponse(body []byte) (*RefundResponse, error) {
	var w refundResponseJSON
	if err := unmarshalEnvelope(body, &w); err != nil {
		return nil, err
	}
	res, err := w.Result.result()
	if err != nil {
		return nil, err
	}
	return &RefundResponse{
		Result:          res,
		RefundRequestID: w.RefundRequestID,
		RefundID:        w.RefundID,
		PaymentID:       w.PaymentID,
		RefundAmount:    w.RefundAmount.money(),
		RefundTime:      parseTime(w.RefundTime),
		PSPID:           w.PSPID,
		AcquirerID:      w.AcquirerID,
	}, nil
}
