package instoretest

import (
	"net/http"
	"net/url"
)

// "Not found" that lies (FaultNotFound): a lagging replica answers that a
// payment does not exist though it does. Each simulator answers with its
// endpoint's documented not-found, after checking the request as usual; an
// endpoint that cannot say "not found" serves the request normally.

// omiseNotFound is Omise's 404 not_found for an endpoint with an object id in its
// path.
func omiseNotFound(rt *omiseRoute) (reply, bool) {
	what := "charge"
	switch rt.endpoint {
	case OmiseGetRefund:
		what = "refund"
	case OmiseGetSource:
		what = "source"
	case OmiseGetEvent:
		what = "event"
	case OmiseDownloadDocument:
		what = "document"
	}
	for _, seg := range rt.segments {
		if seg == "*" {
			return omiseError(http.StatusNotFound, "not_found", what+" was not found"), true
		}
	}
	return reply{}, false
}

// notFoundLocked is PPRO's not-found for the call: TX_NOT_FOUND on the
// calls that name a transaction, REFUND_NOT_FOUND on the refund lookups,
// and REFUND's "Transaction not found" (its own documented example). A
// TRANSACTION names nothing that could be missing. p.mu is held.
func (p *PPRO) notFoundLocked(ep Endpoint, form url.Values) (reply, bool) {
	switch ep {
	case PPROStatus, PPROStatusByMerchantTxID, PPROCancel:
		return p.answerLocked(failure(string(ep), "", "TX_NOT_FOUND", "Transaction not found")), true
	case PPRORefundStatus, PPRORefundStatusByMerchantRefundID:
		return p.answerLocked(failure(string(ep), "", "REFUND_NOT_FOUND", "Refund not found")), true
	case PPRORefund:
		a := failure(string(ep), "INPUT_DATA", "", "Transaction not found")
		if id := form.Get("merchantrefundid"); id != "" {
			a = append(a, pproField{"MERCHANTREFUNDID", id})
		}
		return p.answerLocked(a), true
	}
	return reply{}, false
}
