package instore

import "github.com/instorepay/instore/internal/redact"

// sanitize makes text from a server's answer (an error message, a body
// snippet, a header, a failure message) safe for a Payment, an error string
// and a log line, by the SDK's one set of rules (redact.Text): each secret
// given (the keys of the call, their Basic-auth form, a payment code) and
// anything shaped like an Omise key is replaced, runs of 12 or more digits
// are masked like a payment code, invalid UTF-8 is replaced, control and
// bidi characters are removed, whitespace is collapsed, and the result is
// cut to at most maxLen bytes, plus "..." when something was cut. Secrets
// are removed before cutting, so no prefix of one survives.
func sanitize(s string, maxLen int, secrets []string) string {
	return redact.Text(s, maxLen, secrets...)
}
