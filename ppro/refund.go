package ppro

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/instorepay/instore"
)

// RefundRequest is a REFUND of a SUCCEEDED transaction, in full or in part
// (Alipay in-store allows several partial refunds within 360 days).
type RefundRequest struct {
	// TxID is PPRO's id of the transaction to refund.
	TxID string
	// Amount in the transaction's currency and minor units, positive.
	Amount instore.Money
	// MerchantRefundID is the merchant's id for the refund: required here
	// (PPRO makes it optional), at most 40 letters, digits, '.', ',', '-'
	// and '_'. PPRO does not deduplicate it: it is what finds the refund
	// when the answer is lost.
	MerchantRefundID string
	// DynamicDescriptor is optional text for the customer's statement.
	DynamicDescriptor string
}

// RefundResponse is the answer to a REFUND, and the refund part of the
// answer to the refund status calls.
type RefundResponse struct {
	// Status is SUCCEEDED or FAILED.
	Status Status
	// RefundID is PPRO's id for the refund; empty when none was created
	// (REFUNDID=0).
	RefundID         string
	MerchantRefundID string
	// FailReason is set when Status is FAILED: UNKNOWN, QUOTA,
	// LOCAL_ERROR, REMOTE_ERROR, LOCAL_DECLINE, REMOTE_DECLINE, and in
	// PPRO's own example INPUT_DATA.
	FailReason FailReason
	// ErrMsg is PPRO's free text, with long digit runs masked.
	ErrMsg  string
	SpecOut map[string]string
	Other   map[string]string
}

// RefundStatusResponse is the answer to GETREFUNDSTATUS and
// GETREFUNDSTATUSBYMERCHANTREFUNDID. A failed call is a *RequestError
// instead, so RequestStatus is always SUCCEEDED.
type RefundStatusResponse struct {
	RefundResponse
	RequestStatus     Status
	RequestFailReason RequestFailReason
}

// Refund sends a REFUND. Like Transaction it is sent at most once, since
// PPRO does not deduplicate merchantrefundid: an error matching
// instore.ErrOutcomeUnknown means the refund may exist, so look it up with
// RefundStatusByMerchantRefundID before refunding again. A FAILED answer is
// a response with a nil error; PPRO refunds only transactions whose funds
// were received (or expect none).
func (c *Client) Refund(ctx context.Context, req *RefundRequest) (*RefundResponse, error) {
	form, err := c.refundForm(req)
	if err != nil {
		return nil, err
	}
	f, err := c.post(ctx, opRefund, form, req.MerchantRefundID, true, true)
	if err != nil {
		return nil, err
	}
	r := reader{f}
	if !r.has("STATUS") {
		return nil, c.malformed(ctx, opRefund, req.MerchantRefundID, "no STATUS", true)
	}
	resp := decodeRefund(r)
	switch {
	case resp.Status != StatusFailed && resp.RefundID == "":
		return nil, c.malformed(ctx, opRefund, req.MerchantRefundID, "no REFUNDID", true)
	case resp.MerchantRefundID != "" && !strings.EqualFold(resp.MerchantRefundID, req.MerchantRefundID):
		return nil, &Error{Op: opRefund, StatusCode: 200, OutcomeUnknown: true, Err: ErrMismatchedResponse}
	}
	return resp, nil
}

func (c *Client) refundForm(req *RefundRequest) (url.Values, error) {
	bad := func(field, reason string) error { return &ValidationError{Op: opRefund, Field: field, Reason: reason} }
	switch {
	case req == nil:
		return nil, bad("request", "nil")
	case req.TxID == "" || req.TxID == "0" || len(req.TxID) > maxIDLen || !allChars(req.TxID, ".,-_"):
		return nil, bad("TxID", "must be a TXID PPRO returned")
	case req.Amount.Amount <= 0 || req.Amount.Amount > maxAmount:
		return nil, bad("Amount.Amount", "must be positive and fit PPRO's 32-bit amount")
	case req.Amount.Currency != instore.CHF && req.Amount.Currency != instore.GBP:
		return nil, bad("Amount.Currency", "must be CHF or GBP, the transaction's")
	}
	if err := checkMerchantID(opRefund, "MerchantRefundID", req.MerchantRefundID); err != nil {
		return nil, err
	}
	if err := checkText(opRefund, "DynamicDescriptor", req.DynamicDescriptor, false); err != nil {
		return nil, err
	}
	form := c.form(opRefund)
	form.Set("txid", req.TxID)
	form.Set("currency", string(req.Amount.Currency))
	form.Set("amount", strconv.FormatInt(req.Amount.Amount, 10))
	form.Set("merchantrefundid", req.MerchantRefundID)
	setIf(form, "specin.dynamicdescriptor", req.DynamicDescriptor)
	return form, nil
}

func decodeRefund(r reader) *RefundResponse {
	resp := &RefundResponse{
		Status:           parseStatus(r.take("STATUS")),
		RefundID:         txID(r.take("REFUNDID")),
		MerchantRefundID: r.take("MERCHANTREFUNDID"),
		FailReason:       parseFailReason(r.take("FAILREASON")),
		ErrMsg:           scrub(r.take("ERRMSG"), ""),
	}
	resp.SpecOut, resp.Other = r.rest()
	return resp
}

// RefundStatus asks where a refund stands (GETREFUNDSTATUS), by PPRO's
// refund id. It changes nothing; its errors never match
// instore.ErrOutcomeUnknown.
func (c *Client) RefundStatus(ctx context.Context, refundID string) (*RefundStatusResponse, error) {
	if refundID == "" || refundID == "0" || len(refundID) > maxIDLen || !allChars(refundID, ".,-_") {
		return nil, &ValidationError{Op: opRefundStatus, Field: "refundID", Reason: "must be a REFUNDID PPRO returned"}
	}
	form := c.form(opRefundStatus)
	form.Set("refundid", refundID)
	return c.refundStatus(ctx, opRefundStatus, form, refundID, refundID, "")
}

// RefundStatusByMerchantRefundID finds a refund by the merchant's refund id,
// after a REFUND whose answer was lost. Not found (ErrRefundNotFound) means
// it has not arrived; ErrRefundNotUnique means the id was used twice. The
// txtype's name is unconfirmed (see the package documentation).
func (c *Client) RefundStatusByMerchantRefundID(ctx context.Context, merchantRefundID string) (*RefundStatusResponse, error) {
	if err := checkMerchantID(opRefundByMerchantID, "merchantRefundID", merchantRefundID); err != nil {
		return nil, err
	}
	form := c.form(opRefundByMerchantID)
	form.Set("merchantrefundid", merchantRefundID)
	return c.refundStatus(ctx, opRefundByMerchantID, form, merchantRefundID, "", merchantRefundID)
}

func (c *Client) refundStatus(ctx context.Context, op string, form url.Values, logID, wantRefundID, wantMerchantID string) (*RefundStatusResponse, error) {
	f, err := c.post(ctx, op, form, logID, false, false)
	if err != nil {
		return nil, err
	}
	r := reader{f}
	if !r.has("REQUESTSTATUS") {
		return nil, c.malformed(ctx, op, logID, "no REQUESTSTATUS", false)
	}
	resp := &RefundStatusResponse{
		RequestStatus:     parseStatus(r.take("REQUESTSTATUS")),
		RequestFailReason: parseRequestFailReason(r.take("REQUESTFAILREASON")),
	}
	hasStatus := r.has("STATUS")
	resp.RefundResponse = *decodeRefund(r)
	if resp.RequestStatus != StatusSucceeded {
		return nil, &RequestError{Op: op, Reason: resp.RequestFailReason, Message: resp.ErrMsg, Refund: resp}
	}
	switch {
	case !hasStatus || resp.RefundID == "":
		return nil, c.malformed(ctx, op, logID, "no STATUS or REFUNDID", false)
	case wantRefundID != "" && resp.RefundID != wantRefundID,
		wantMerchantID != "" && resp.MerchantRefundID != "" && !strings.EqualFold(resp.MerchantRefundID, wantMerchantID):
		return nil, &Error{Op: op, StatusCode: 200, Err: ErrMismatchedResponse}
	}
	return resp, nil
}
