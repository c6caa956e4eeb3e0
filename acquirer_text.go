package instore

import "github.com/instorepay/instore/internal/redact"

// textCleaner is a decoded Omise object that holds free text from the
// server. Its text is run through sanitize as it is decoded, so that every
// user of the client, the Omise acquirer and the Payment it builds, errors
// and logs included, gets text without control or bidi characters, without
// anything shaped like a payment code or a key, and of bounded length.
type textCleaner interface {
	cleanText(secrets []string)
}

// cleanText sanitises the failure code and message: a decline message may
// echo the payment code, or carry bidi controls that make a receipt or a
// log line read differently from what it holds.
func (c *Charge) cleanText(secrets []string) {
	c.FailureCode = FailureCode(sanitize(string(c.FailureCode), redact.MaxCode, secrets))
	c.FailureMessage = sanitize(c.FailureMessage, redact.MaxMessage, secrets)
	if c.Refunds != nil {
		c.Refunds.cleanText(secrets)
	}
}

// cleanText sanitises the merchant name, the one field of a refund that is
// the acquirer's free text.
func (r *Refund) cleanText(secrets []string) {
	r.MerchantName = sanitize(r.MerchantName, redact.MaxMessage, secrets)
}

// cleanText cleans each item of the page that holds free text.
func (l *List[T]) cleanText(secrets []string) {
	for _, item := range l.Data {
		if c, ok := any(item).(textCleaner); ok {
			c.cleanText(secrets)
		}
	}
}
