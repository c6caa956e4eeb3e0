package instore

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/instorepay/instore/internal/redact"
)

// How the package's values print. A value that holds a key or a payment
// code, or that points at one that does, prints through a Format method
// (fmt.Formatter, every verb), a LogValue method (slog, every handler) and,
// where encoding it makes sense, a MarshalJSON method, each showing a copy
// with the secret masked (a code: its first and last four digits) or
// replaced ([redacted]). A pointer-free copy of the same fields is what is
// printed, through a local type without these methods.
//
// Format is needed even on a value with no secret field of its own when it
// points at one: fmt prints a pointer field it cannot print with the verb
// (%s, %q, %d) by following it and printing the target's fields raw,
// without the target's own methods.
//
// TestNothingPrintsASecret holds every exported type of the module to this.

// clientPrint is what a Client prints: where it sends, never its keys.
type clientPrint struct {
	BaseURL    string
	APIVersion string
	Keys       string
}

// Format prints the client's base URL and API version; its keys and their
// Basic-auth forms never print.
func (c Client) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instore.Client", c.print())
}

// LogValue logs what Format prints.
func (c Client) LogValue() slog.Value { return slog.AnyValue(c.print()) }

func (c *Client) print() clientPrint {
	return clientPrint{BaseURL: c.baseURL, APIVersion: c.apiVersion, Keys: redact.Secret(firstOf(c.secrets))}
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// omiseAcquirerPrint is what an OmiseAcquirer prints.
type omiseAcquirerPrint struct {
	Client clientPrint
	Window string
}

// Format prints the acquirer's client as Client does, never its keys.
func (a OmiseAcquirer) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instore.OmiseAcquirer", a.print())
}

// LogValue logs what Format prints.
func (a OmiseAcquirer) LogValue() slog.Value { return slog.AnyValue(a.print()) }

func (a *OmiseAcquirer) print() omiseAcquirerPrint {
	p := omiseAcquirerPrint{Window: a.window.String()}
	if a.client != nil {
		p.Client = a.client.print()
	}
	return p
}

type collectRequestPrint CollectRequest

// Format prints the request with Code masked.
func (r CollectRequest) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instore.CollectRequest", r.masked())
}

// LogValue logs the request with Code masked.
func (r CollectRequest) LogValue() slog.Value { return slog.AnyValue(r.masked()) }

// MarshalJSON encodes the request with Code masked: a code is spent within
// minutes, and a request encoded for a log, a queue or a report must not
// carry it.
func (r CollectRequest) MarshalJSON() ([]byte, error) { return json.Marshal(r.masked()) }

func (r *CollectRequest) masked() collectRequestPrint {
	m := collectRequestPrint(*r)
	m.Code = redact.Code(m.Code)
	return m
}

type sourceParamsPrint SourceParams

// Format prints the params with Barcode masked.
func (p SourceParams) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instore.SourceParams", p.masked())
}

// LogValue logs the params with Barcode masked.
func (p SourceParams) LogValue() slog.Value { return slog.AnyValue(p.masked()) }

// MarshalJSON encodes the params with Barcode masked, as CollectRequest
// does its Code. The wire form is the url-encoded body, not this.
func (p SourceParams) MarshalJSON() ([]byte, error) { return json.Marshal(p.masked()) }

func (p *SourceParams) masked() sourceParamsPrint {
	m := sourceParamsPrint(*p)
	m.Barcode = redact.Code(m.Barcode)
	return m
}

type chargeParamsPrint ChargeParams

// Format prints the params without following Source, which prints masked
// on its own.
func (p ChargeParams) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instore.ChargeParams", chargeParamsPrint(p))
}

type sourcePrint Source

// Format prints the source with Barcode masked. Omise echoes the scanned
// code back in a merchant-scanned source.
func (s Source) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instore.Source", s.masked())
}

// LogValue logs the source with Barcode masked.
func (s Source) LogValue() slog.Value { return slog.AnyValue(s.masked()) }

// MarshalJSON encodes the source as Omise does, with Barcode masked, so that
// a charge stored or forwarded as JSON does not carry the code.
func (s Source) MarshalJSON() ([]byte, error) { return json.Marshal(s.masked()) }

func (s *Source) masked() sourcePrint {
	m := sourcePrint(*s)
	m.Barcode = redact.Code(m.Barcode)
	return m
}

type referencesPrint References

// Format prints the references with Barcode and PaymentCode masked.
func (r References) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instore.References", r.masked())
}

// LogValue logs the references with the codes masked.
func (r References) LogValue() slog.Value { return slog.AnyValue(r.masked()) }

// MarshalJSON encodes the references with the codes masked.
func (r References) MarshalJSON() ([]byte, error) { return json.Marshal(r.masked()) }

func (r *References) masked() referencesPrint {
	m := referencesPrint(*r)
	m.Barcode = redact.Code(m.Barcode)
	m.PaymentCode = redact.Code(m.PaymentCode)
	return m
}

type chargePrint Charge

// Format prints the charge without following Source, which prints masked on
// its own.
func (c Charge) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instore.Charge", chargePrint(c))
}

type eventPrint Event

// Format prints the event with every long digit run and key shape in the
// strings of Data masked: Data is the charge as Omise serialised it, with
// the code it was paid with.
func (e Event) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instore.Event", e.masked())
}

// LogValue logs the event with Data masked.
func (e Event) LogValue() slog.Value { return slog.AnyValue(e.masked()) }

// MarshalJSON encodes the event as Omise does, with Data masked.
func (e Event) MarshalJSON() ([]byte, error) { return json.Marshal(e.masked()) }

func (e *Event) masked() eventPrint {
	m := eventPrint(*e)
	m.Data = redact.JSON(m.Data)
	return m
}

type webhookDeliveryPrint WebhookDelivery

// Format prints the delivery with Payload masked as Event masks Data.
func (d WebhookDelivery) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instore.WebhookDelivery", d.masked())
}

// LogValue logs the delivery with Payload masked.
func (d WebhookDelivery) LogValue() slog.Value { return slog.AnyValue(d.masked()) }

// MarshalJSON encodes the delivery with Payload masked.
func (d WebhookDelivery) MarshalJSON() ([]byte, error) { return json.Marshal(d.masked()) }

func (d *WebhookDelivery) masked() webhookDeliveryPrint {
	m := webhookDeliveryPrint(*d)
	m.Payload = redact.JSON(m.Payload)
	return m
}

type listPrint[T any] List[T]

// Format prints the page without following its items, which print masked
// on their own.
func (l List[T]) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, fmt.Sprintf("%T", l), listPrint[T](l))
}

// webhookHandlerPrint is what the handler WebhookHandler returns prints.
type webhookHandlerPrint struct {
	Secrets   int
	Tolerance string
	Fetch     bool
	Err       error
}

// Format prints how the handler is configured, never its secrets.
func (h *webhookHandler) Format(f fmt.State, verb rune) {
	p := webhookHandlerPrint{}
	if h != nil {
		p = webhookHandlerPrint{Secrets: len(h.keys), Tolerance: h.tolerance.String(), Fetch: h.client != nil, Err: h.err}
	}
	redact.Format(f, verb, "instore.webhookHandler", p)
}

// serviceFormat prints a service as its client prints.
func serviceFormat(f fmt.State, verb rune, name string, c *Client) {
	type servicePrint struct{ Client clientPrint }
	var p servicePrint
	if c != nil {
		p.Client = c.print()
	}
	redact.Format(f, verb, name, p)
}

// Format prints the service's client as Client does.
func (s SourceService) Format(f fmt.State, verb rune) {
	serviceFormat(f, verb, "instore.SourceService", s.client)
}

// Format prints the service's client as Client does.
func (s ChargeService) Format(f fmt.State, verb rune) {
	serviceFormat(f, verb, "instore.ChargeService", s.client)
}

// Format prints the service's client as Client does.
func (s RefundService) Format(f fmt.State, verb rune) {
	serviceFormat(f, verb, "instore.RefundService", s.client)
}

// Format prints the service's client as Client does.
func (s EventService) Format(f fmt.State, verb rune) {
	serviceFormat(f, verb, "instore.EventService", s.client)
}

// Format prints the service's client as Client does.
func (s DocumentService) Format(f fmt.State, verb rune) {
	serviceFormat(f, verb, "instore.DocumentService", s.client)
}
