package instoretest

import "time"

// RefundEntry is the truth about one refund a simulated acquirer made. A
// test asserts with them that the refunds of a sale never exceed what was
// asked and that no refund request id was refunded twice. A cancel that
// gives a paid Alipay+ payment's money back is not a refund here (see
// LedgerEntry.Refunded).
type RefundEntry struct {
	// RequestID is the refunded sale's request id, as in LedgerEntry.
	RequestID string
	// RefundRequestID is the refund's own id as the merchant sent it: the
	// refund metadata instore_refund_request_id (Omise), the
	// refundRequestId (Alipay+), the merchantrefundid (PPRO); empty when
	// the request carried none.
	RefundRequestID string
	// ID is the acquirer's refund id: rfnd_…, the refundId, the REFUNDID.
	ID string
	// PaymentID is the acquirer's id of the refunded payment.
	PaymentID string
	Amount    int64
	Currency  string
	// State is StateSucceeded: the simulators' refunds succeed when they
	// are made (a refused refund makes no entry).
	State     State
	CreatedAt time.Time
}

// Refunds returns the refunds of the charges made for requestID (metadata
// instore_request_id), oldest first.
func (o *Omise) Refunds(requestID string) []RefundEntry {
	o.mu.Lock()
	defer o.mu.Unlock()
	return omiseRefundEntries(o.ledger.byRequest[requestID])
}

// AllRefunds returns every refund, by charge, oldest first.
func (o *Omise) AllRefunds() []RefundEntry {
	o.mu.Lock()
	defer o.mu.Unlock()
	return omiseRefundEntries(o.chargeL)
}

func omiseRefundEntries(charges []*omiseCharge) []RefundEntry {
	var out []RefundEntry
	for _, ch := range charges {
		for _, r := range ch.refunds {
			out = append(out, RefundEntry{
				RequestID: ch.requestID, RefundRequestID: r.metadata[OmiseRefundRequestIDKey], ID: r.id, PaymentID: ch.id,
				Amount: r.amount, Currency: r.currency, State: StateSucceeded, CreatedAt: r.createdAt,
			})
		}
	}
	return out
}

// Refunds returns the refunds of the payment made for requestID
// (paymentRequestId), oldest first.
func (a *AlipayPlus) Refunds(requestID string) []RefundEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refundEntriesLocked(requestID, true)
}

// AllRefunds returns every refund, oldest first.
func (a *AlipayPlus) AllRefunds() []RefundEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.refundEntriesLocked("", false)
}

func (a *AlipayPlus) refundEntriesLocked(requestID string, filter bool) []RefundEntry {
	var out []RefundEntry
	for _, r := range a.refundL {
		if filter && r.payment.requestID != requestID {
			continue
		}
		out = append(out, RefundEntry{
			RequestID: r.payment.requestID, RefundRequestID: r.requestID, ID: r.refundID, PaymentID: r.payment.paymentID,
			Amount: r.amount, Currency: r.payment.currency, State: StateSucceeded, CreatedAt: r.at,
		})
	}
	return out
}

// Refunds returns the refunds of the transactions sent with merchanttxid
// requestID (exactly as sent), oldest first.
func (p *PPRO) Refunds(requestID string) []RefundEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refundEntriesLocked(requestID, true)
}

// AllRefunds returns every refund, oldest first.
func (p *PPRO) AllRefunds() []RefundEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refundEntriesLocked("", false)
}

func (p *PPRO) refundEntriesLocked(requestID string, filter bool) []RefundEntry {
	var out []RefundEntry
	for _, r := range p.refundL {
		if filter && r.tx.merchantTxID != requestID {
			continue
		}
		out = append(out, RefundEntry{
			RequestID: r.tx.merchantTxID, RefundRequestID: r.merchantRefundID, ID: r.refundID, PaymentID: r.tx.txID,
			Amount: r.amount, Currency: r.currency, State: StateSucceeded, CreatedAt: r.createdAt,
		})
	}
	return out
}
