package instore

// PaymentIDs returns the ids a Checkout may know the payment of a charge
// event by, for Checkout.Notify: the charge's id and the request id the
// Omise acquirer wrote in its metadata (RequestIDMetadataKey), which finds
// a sale whose pay answer was lost and which therefore does not know its
// charge id yet. It returns nil for an event that is not about a charge.
// The ids are the event's snapshot; Notify only brings an inquiry forward,
// so a stale or replayed event costs one inquiry at most.
func (e *Event) PaymentIDs() []string {
	ch, err := e.Charge()
	if err != nil {
		return nil
	}
	requestID, _ := ch.Metadata.String(RequestIDMetadataKey)
	return nonEmpty(ch.ID, requestID)
}

// PaymentStatus is the status a Checkout gives a payment whose Omise charge
// has status s: pending is pending, successful succeeded, failed failed,
// expired and reversed cancelled, anything else unknown. A webhook handler
// may show it; the Checkout itself takes a status from the API only.
func (s ChargeStatus) PaymentStatus() PaymentStatus {
	switch s {
	case ChargePending:
		return StatusPending
	case ChargeSuccessful:
		return StatusSucceeded
	case ChargeFailed:
		return StatusFailed
	case ChargeExpired, ChargeReversed:
		return StatusCancelled
	}
	return StatusUnknown
}

// nonEmpty returns the ids that are not empty, nil when none is.
func nonEmpty(ids ...string) []string {
	var out []string
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}
