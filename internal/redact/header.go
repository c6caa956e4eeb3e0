package redact

import (
	"net/http"
	"strconv"
)

// publicHeader reports the headers whose values carry nothing secret: the
// ones the clients and the simulators send and read, other than credentials
// and signatures.
func publicHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Accept", "Content-Type", "Content-Length", "Content-Encoding", "Date", "Retry-After",
		"User-Agent", "Omise-Version", "Client-Id", "Request-Time", "Response-Time", "X-Request-Id",
		"Omise-Signature-Timestamp", "Location", "Allow":
		return true
	}
	return false
}

// Header returns a copy of h for printing: the values of the headers listed
// in publicHeader as they are, every other value (Authorization, Signature,
// Omise-Signature, Cookie, a header nobody reviewed) as [Redacted].
func Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, values := range h {
		if publicHeader(name) {
			out[name] = values
			continue
		}
		out[name] = []string{Redacted}
	}
	return out
}

// Body is what a request or response body prints as: its length only. A
// body holds the code, the password or the keys, in a form no mask can
// find.
func Body(b []byte) string {
	if b == nil {
		return ""
	}
	return "[" + strconv.Itoa(len(b)) + " bytes]"
}
