package ppro

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/instorepay/instore/internal/redact"
)

// How the package's values print. The password travels in every request
// body, the scanned code in a TRANSACTION, and a redirect secret may come
// back in an answer: every value that holds one, or points at one, prints
// through a Format method (fmt, every verb), a LogValue method (slog) and,
// where encoding it makes sense, a MarshalJSON method, each showing a copy
// with the secret masked or replaced. Credentials keep their String,
// GoString and LogValue. TestNothingPrintsASecret, in the root package,
// holds every exported type to this.

// clientPrint is what a Client prints: where it posts and as whom, never
// the password.
type clientPrint struct {
	URL         string
	Credentials Credentials
}

// Format prints the client's URL and credentials without the password.
func (c Client) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "ppro.Client", c.print())
}

// LogValue logs what Format prints.
func (c Client) LogValue() slog.Value { return slog.AnyValue(c.print()) }

func (c *Client) print() clientPrint { return clientPrint{URL: c.url, Credentials: c.cred} }

// MarshalJSON encodes the credentials without the password, as String
// shows them.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ Login, ContractID, Channel, Password string }{c.Login, c.ContractID, c.Channel, redact.Secret(c.Password)})
}

// acquirerPrint is what an Acquirer prints.
type acquirerPrint struct {
	Client   clientPrint
	Config   AcquirerConfig
	Schedule string
}

// Format prints the acquirer's client as Client does, and its settings.
func (a Acquirer) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "ppro.Acquirer", a.print())
}

// LogValue logs what Format prints.
func (a Acquirer) LogValue() slog.Value { return slog.AnyValue(a.print()) }

func (a *Acquirer) print() acquirerPrint {
	p := acquirerPrint{Config: a.cfg, Schedule: fmt.Sprint(a.schedule.Inquiry, a.schedule.Cancel)}
	if a.client != nil {
		p.Client = a.client.print()
	}
	return p
}

type transactionRequestPrint TransactionRequest

// Format prints the request with BuyerIdentityCode masked.
func (r TransactionRequest) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "ppro.TransactionRequest", r.masked())
}

// LogValue logs the request with BuyerIdentityCode masked.
func (r TransactionRequest) LogValue() slog.Value { return slog.AnyValue(r.masked()) }

// MarshalJSON encodes the request with BuyerIdentityCode masked: a code is
// spent within minutes and must not be stored or forwarded.
func (r TransactionRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.masked()) }

func (r *TransactionRequest) masked() transactionRequestPrint {
	m := transactionRequestPrint(*r)
	m.BuyerIdentityCode = redact.Code(m.BuyerIdentityCode)
	return m
}

type transactionResponsePrint TransactionResponse

// Format prints the answer with RedirectSecret redacted.
func (r TransactionResponse) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "ppro.TransactionResponse", r.masked())
}

// LogValue logs the answer with RedirectSecret redacted.
func (r TransactionResponse) LogValue() slog.Value { return slog.AnyValue(r.masked()) }

// MarshalJSON encodes the answer with RedirectSecret redacted.
func (r TransactionResponse) MarshalJSON() ([]byte, error) { return json.Marshal(r.masked()) }

func (r *TransactionResponse) masked() transactionResponsePrint {
	m := transactionResponsePrint(*r)
	m.RedirectSecret = redact.Secret(m.RedirectSecret)
	return m
}

// statusResponsePrint is a StatusResponse with the transaction's fields
// masked. It embeds the transaction as a type without methods: embedding
// TransactionResponse itself would lend it that type's Format and
// MarshalJSON, which print only the transaction part. The methods below are
// declared on StatusResponse for the same reason.
type statusResponsePrint struct {
	transactionResponsePrint
	RequestStatus     Status
	RequestFailReason RequestFailReason
}

// Format prints the answer with RedirectSecret redacted.
func (r StatusResponse) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "ppro.StatusResponse", r.masked())
}

// LogValue logs the answer with RedirectSecret redacted.
func (r StatusResponse) LogValue() slog.Value { return slog.AnyValue(r.masked()) }

// MarshalJSON encodes the answer, flat as encoding/json would, with
// RedirectSecret redacted.
func (r StatusResponse) MarshalJSON() ([]byte, error) { return json.Marshal(r.masked()) }

func (r *StatusResponse) masked() statusResponsePrint {
	return statusResponsePrint{r.TransactionResponse.masked(), r.RequestStatus, r.RequestFailReason}
}

type notificationPrint Notification

// Format prints the notification without following Transaction, which
// prints masked on its own.
func (n Notification) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "ppro.Notification", notificationPrint(n))
}

type requestErrorPrint RequestError

// Format prints the error's message for %v, %s and %q, as for any error,
// and for %#v its fields without following Transaction or Refund.
func (e RequestError) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		redact.Format(f, verb, "ppro.RequestError", requestErrorPrint(e))
		return
	}
	formatError(f, verb, e.Error())
}

// formatError prints an error's message as fmt prints an error.
func formatError(f fmt.State, verb rune, msg string) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", msg)
	case 'x', 'X':
		fmt.Fprintf(f, "%"+string(verb), msg)
	default:
		fmt.Fprint(f, msg)
	}
}

// notificationHandlerPrint is what the handler NotificationHandler returns
// prints.
type notificationHandlerPrint struct {
	Client  clientPrint
	Secrets int
	Timeout time.Duration
}

// Format prints how the handler is configured, never its secrets.
func (h *notificationHandler) Format(f fmt.State, verb rune) {
	p := notificationHandlerPrint{}
	if h != nil {
		p = notificationHandlerPrint{Secrets: len(h.secrets), Timeout: h.cfg.timeout}
		if h.c != nil {
			p.Client = h.c.print()
		}
	}
	redact.Format(f, verb, "ppro.notificationHandler", p)
}
