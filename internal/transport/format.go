package transport

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/instorepay/instore/internal/redact"
)

// A Request carries the Authorization header, the payment code and the
// PPRO password to the wire, and a Response may echo them: both print with
// their bodies as a length and their secret headers redacted.

// requestPrint is what a Request prints.
type requestPrint struct {
	Method     string
	URL        string
	Header     http.Header
	Body       string
	Idempotent bool
	RequestID  string
	LogPath    string
}

// Format prints the request without its body or a secret header.
func (r Request) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "transport.Request", r.print())
}

// LogValue logs what Format prints.
func (r Request) LogValue() slog.Value { return slog.AnyValue(r.print()) }

// MarshalJSON encodes what Format prints.
func (r Request) MarshalJSON() ([]byte, error) { return json.Marshal(r.print()) }

func (r *Request) print() requestPrint {
	return requestPrint{
		Method: r.Method, URL: r.URL, Header: redact.Header(r.Header), Body: redact.Body(r.Body),
		Idempotent: r.Idempotent, RequestID: r.RequestID, LogPath: r.LogPath,
	}
}

// responsePrint is what a Response prints.
type responsePrint struct {
	StatusCode int
	Header     http.Header
	Body       string
	Attempts   int
}

// Format prints the response without its body or a secret header.
func (r Response) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "transport.Response", r.print())
}

// LogValue logs what Format prints.
func (r Response) LogValue() slog.Value { return slog.AnyValue(r.print()) }

// MarshalJSON encodes what Format prints.
func (r Response) MarshalJSON() ([]byte, error) { return json.Marshal(r.print()) }

func (r *Response) print() responsePrint {
	return responsePrint{StatusCode: r.StatusCode, Header: redact.Header(r.Header), Body: redact.Body(r.Body), Attempts: r.Attempts}
}
