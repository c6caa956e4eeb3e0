package alipayplus

import (
	"encoding/json"

	"github.com/instorepay/instore/internal/redact"
)

// How the package's values print. The Client keeps its keys in unexported
// fields behind pointers, which print as addresses; a PayRequest carries the
// scanned code to the wire, and prints it masked through String, GoString
// and LogValue (pay.go) and MarshalJSON below. TestNothingPrintsASecret, in
// the root package, holds every exported type to this.

type payRequestPrint PayRequest

// MarshalJSON encodes the request with PaymentCode masked, as String shows
// it: a code is spent within minutes and must not be stored or forwarded.
// The wire body is built by the client, not by this.
func (r PayRequest) MarshalJSON() ([]byte, error) {
	m := payRequestPrint(r)
	m.PaymentCode = redact.Code(m.PaymentCode)
	return json.Marshal(m)
}
