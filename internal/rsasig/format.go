package rsasig

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/instorepay/instore/internal/redact"
)

// headerPrint is what a Header prints: the signature is never shown.
type headerPrint struct {
	Algorithm  string
	KeyVersion string
	Signature  string
}

// Format prints the header with the signature redacted.
func (h Header) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "rsasig.Header", h.print())
}

// LogValue logs what Format prints.
func (h Header) LogValue() slog.Value { return slog.AnyValue(h.print()) }

// MarshalJSON encodes what Format prints.
func (h Header) MarshalJSON() ([]byte, error) { return json.Marshal(h.print()) }

func (h *Header) print() headerPrint {
	return headerPrint{Algorithm: h.Algorithm, KeyVersion: h.KeyVersion, Signature: redact.Secret(string(h.Signature))}
}
