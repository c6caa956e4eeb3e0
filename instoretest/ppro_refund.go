package instoretest

import (
	"net/url"
	"strings"
	"time"
)

// pproRefund is a refund as the simulator keeps it.
type pproRefund struct {
	refundID, merchantRefundID string
	tx                         *pproTx
	amount                     int64
	currency                   string
	createdAt                  time.Time
}

func (r *pproRefund) fields() pproAnswer {
	return pproAnswer{
		{"STATUS", pproSucceeded},
		{"REFUNDID", r.refundID},
		{"MERCHANTREFUNDID", r.merchantRefundID},
		{"ERRMSG", ""},
		{"SPECOUT.DSTCURRENCY", "CNY"},
	}
}

// refundLocked refunds part or all of a SUCCEEDED transaction, in its
// currency, within what is left of it. merchantrefundid is not
// deduplicated: each REFUND that passes the checks moves money.
func (p *PPRO) refundLocked(form url.Values) reply {
	merchantRefundID := form.Get("merchantrefundid")
	refuse := func(msg string) reply {
		a := failure(string(PPRORefund), "INPUT_DATA", "", msg)
		if merchantRefundID != "" {
			a = append(a, pproField{"MERCHANTREFUNDID", merchantRefundID})
		}
		return p.answerLocked(a)
	}
	amount, ok := pproAmount(form.Get("amount"))
	switch {
	case !ok:
		return refuse("Invalid amount")
	case merchantRefundID != "" && !pproMerchantID(merchantRefundID):
		return refuse("Invalid merchantrefundid")
	}
	tx, found := p.txs[form.Get("txid")]
	if !found {
		// PPRO's own example of a failed refund (reference ppro.md §2.5).
		return refuse("Transaction not found")
	}
	p.settleLocked(tx)
	switch {
	case form.Get("currency") != tx.currency:
		return refuse("Currency does not match the transaction")
	case tx.state != pproSucceeded:
		return refuse("Transaction cannot be refunded")
	case amount > tx.amount-tx.refunded:
		return refuse("Amount exceeds the refundable amount")
	}
	r := &pproRefund{refundID: p.newIDLocked(true), merchantRefundID: merchantRefundID, tx: tx, amount: amount, currency: tx.currency, createdAt: p.now()}
	p.refunds[r.refundID] = r
	p.refundL = append(p.refundL, r)
	if merchantRefundID != "" {
		lower := strings.ToLower(merchantRefundID)
		p.refundsByMine[lower] = append(p.refundsByMine[lower], r)
	}
	tx.refunded += amount
	tx.refunds++
	return p.answerLocked(r.fields())
}

func (p *PPRO) refundStatusLocked(refundID string) reply {
	r, ok := p.refunds[refundID]
	if !ok {
		return p.answerLocked(failure(string(PPRORefundStatus), "", "REFUND_NOT_FOUND", "Refund not found"))
	}
	return p.answerLocked(append(r.fields(), pproField{"REQUESTSTATUS", pproSucceeded}))
}

// refundByMerchantIDLocked finds a refund by merchantrefundid, compared
// without regard to case; several under one id are REFUND_NOT_UNIQUE.
func (p *PPRO) refundByMerchantIDLocked(id string) reply {
	ep := string(PPRORefundStatusByMerchantRefundID)
	if !pproMerchantID(id) {
		return p.answerLocked(failure(ep, "", "UNKNOWN", "Invalid merchantrefundid"))
	}
	switch list := p.refundsByMine[strings.ToLower(id)]; len(list) {
	case 0:
		return p.answerLocked(failure(ep, "", "REFUND_NOT_FOUND", "Refund not found"))
	case 1:
		return p.answerLocked(append(list[0].fields(), pproField{"REQUESTSTATUS", pproSucceeded}))
	}
	return p.answerLocked(failure(ep, "", "REFUND_NOT_UNIQUE", "Ambiguous MerchantRefundId"))
}
