package ppro

import (
	"context"
	"net/url"
	"strings"
)

// StatusResponse is the answer to GETTXSTATUS, GETTXSTATUSBYMERCHANTTXID and
// CANCELTX: the transaction as PPRO now has it, and whether the call itself
// worked (RequestStatus). A call that did not work comes back as a
// *RequestError instead, so a StatusResponse always has RequestStatus
// SUCCEEDED.
type StatusResponse struct {
	TransactionResponse
	RequestStatus Status
	// RequestFailReason is set only on a failed call, which is returned as
	// a *RequestError; it is kept here for completeness.
	RequestFailReason RequestFailReason
}

// cannotCancelReason is the refusal PPRO's Alipay in-store guide names when
// a completed payment is cancelled. Where it appears (REQUESTFAILREASON or
// ERRMSG) is not documented; only the field is read, compared without
// regard to case, underscores or spaces.
const cannotCancelReason = "CANNOTCANCEL"

// Status asks where a transaction stands (GETTXSTATUS), by PPRO's txid. Use
// it after a notification, and to follow a PENDING transaction. It changes
// nothing and is retried freely; its errors never match
// instore.ErrOutcomeUnknown. An unknown txid is a *RequestError matching
// ErrTxNotFound.
func (c *Client) Status(ctx context.Context, txID string) (*StatusResponse, error) {
	if txID == "" || txID == "0" || len(txID) > maxIDLen || !allChars(txID, ".,-_") {
		return nil, &ValidationError{Op: opStatus, Field: "txID", Reason: "must be a TXID PPRO returned"}
	}
	form := c.form(opStatus)
	form.Set("txid", txID)
	return c.status(ctx, opStatus, form, txID, txID, "", false)
}

// StatusByMerchantTxID asks where the transaction sent with merchantTxID
// stands (GETTXSTATUSBYMERCHANTTXID). PPRO recommends it only for a
// TRANSACTION whose answer was lost, and counts it hard in the test system
// (50 calls per 12 hours). Not found (ErrTxNotFound) means the transaction
// has not arrived, or never will; several under the id (ErrTxNotUnique)
// means the id was reused, and each must be looked up by txid. Errors never
// match instore.ErrOutcomeUnknown.
func (c *Client) StatusByMerchantTxID(ctx context.Context, merchantTxID string) (*StatusResponse, error) {
	if err := checkMerchantID(opStatusByMerchantTxID, "merchantTxID", merchantTxID); err != nil {
		return nil, err
	}
	form := c.form(opStatusByMerchantTxID)
	form.Set("merchanttxid", merchantTxID)
	return c.status(ctx, opStatusByMerchantTxID, form, merchantTxID, "", merchantTxID, false)
}

// Cancel cancels a PENDING transaction (CANCELTX). A cancelled transaction
// is FAILED with FailReason CANCELED; PPRO cancels only pending
// transactions, of methods that allow it. A refusal is a *RequestError;
// it matches ErrCannotCancel when the answer shows the transaction
// SUCCEEDED (or names the refusal CannotCancel): the payment completed and
// must be refunded instead. Errors match instore.ErrOutcomeUnknown when
// the cancel may have taken effect without an answer; sending it again is
// harmless.
func (c *Client) Cancel(ctx context.Context, txID string) (*StatusResponse, error) {
	if txID == "" || txID == "0" || len(txID) > maxIDLen || !allChars(txID, ".,-_") {
		return nil, &ValidationError{Op: opCancel, Field: "txID", Reason: "must be a TXID PPRO returned"}
	}
	form := c.form(opCancel)
	form.Set("txid", txID)
	return c.status(ctx, opCancel, form, txID, txID, "", true)
}

// maxIDLen caps a TXID or REFUNDID: at most 20 of [a-zA-Z0-9.,-_]
// (reference ppro.md §3.2, §2.5).
const maxIDLen = 20

func (c *Client) status(ctx context.Context, op string, form url.Values, logID, wantTxID, wantMerchantTxID string, changesState bool) (*StatusResponse, error) {
	f, err := c.post(ctx, op, form, logID, false, changesState)
	if err != nil {
		return nil, err
	}
	r := reader{f}
	if !r.has("REQUESTSTATUS") {
		return nil, c.malformed(ctx, op, logID, "no REQUESTSTATUS", changesState)
	}
	reqStatus := parseStatus(r.take("REQUESTSTATUS"))
	reqFail := parseRequestFailReason(r.take("REQUESTFAILREASON"))
	hasStatus := r.has("STATUS")
	resp := &StatusResponse{RequestStatus: reqStatus, RequestFailReason: reqFail}
	resp.TransactionResponse = *decodeTransaction(r)

	if reqStatus != StatusSucceeded {
		// FAILED, or a value we do not know: the call did not report on
		// the transaction.
		re := &RequestError{Op: op, Reason: reqFail, Message: resp.ErrMsg, Transaction: resp}
		if op == opCancel && (resp.Status == StatusSucceeded || isCannotCancel(string(reqFail))) {
			re.cannotCancel = true
		}
		return nil, re
	}
	switch {
	case !hasStatus || !resp.Created():
		return nil, c.malformed(ctx, op, logID, "no STATUS or TXID", changesState)
	case wantTxID != "" && resp.TxID != wantTxID:
		return nil, &Error{Op: op, StatusCode: 200, OutcomeUnknown: changesState, Err: ErrMismatchedResponse}
	case wantMerchantTxID != "" && resp.MerchantTxID != "" && !strings.EqualFold(resp.MerchantTxID, wantMerchantTxID):
		return nil, &Error{Op: op, StatusCode: 200, Err: ErrMismatchedResponse}
	}
	return resp, nil
}

func isCannotCancel(reason string) bool {
	r := strings.NewReplacer("_", "", " ", "", "-", "").Replace(strings.ToUpper(reason))
	return r == cannotCancelReason
}
