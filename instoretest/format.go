package instoretest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/instorepay/instore/internal/redact"
)

// How the package's values print. The simulators hold the keys, the
// passwords and every code they were paid with, a Request holds what the
// client sent (the Authorization header, the code, the PPRO password) and a
// LedgerEntry the code a payment was made with: a test that logs one must
// not put a secret in its output, which CI keeps. Each prints through a
// Format method (fmt, every verb) and a LogValue method (slog) and, where
// encoding it makes sense, a MarshalJSON method, with the secret masked or
// left out. TestNothingPrintsASecret, in the root package, holds every
// exported type to this.

// simulatorPrint is what a simulator prints: which one, and as whom it
// answers, never a key or a secret.
type simulatorPrint struct {
	ClientID string `json:",omitempty"`
	Login    string `json:",omitempty"`
	Keys     string
}

// Format prints the simulator without its keys or webhook secret.
func (o Omise) Format(f fmt.State, verb rune) {
	p := simulatorPrint{Keys: redact.Secret(o.secretKey + o.publicKey + o.webhookSecret)}
	redact.Format(f, verb, "instoretest.Omise", p)
}

// Format prints the simulator with its login, never its password or
// notification secret.
func (p PPRO) Format(f fmt.State, verb rune) {
	out := simulatorPrint{Login: p.cred.Login, Keys: redact.Secret(p.cred.Password + p.secret)}
	redact.Format(f, verb, "instoretest.PPRO", out)
}

// Format prints the simulator with its client id, never its keys or a
// payment's code.
func (a AlipayPlus) Format(f fmt.State, verb rune) {
	p := simulatorPrint{ClientID: a.clientID, Keys: redact.Redacted}
	redact.Format(f, verb, "instoretest.AlipayPlus", p)
}

// keysPrint is what AlipayPlusKeys print: the sizes, never a key.
type keysPrint struct {
	MerchantBits, AlipayBits int
}

// Format prints the key sizes only.
func (k AlipayPlusKeys) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instoretest.AlipayPlusKeys", k.print())
}

// LogValue logs the key sizes only.
func (k AlipayPlusKeys) LogValue() slog.Value { return slog.AnyValue(k.print()) }

// MarshalJSON encodes the key sizes only: encoding/json would write the
// private exponents.
func (k AlipayPlusKeys) MarshalJSON() ([]byte, error) { return json.Marshal(k.print()) }

func (k *AlipayPlusKeys) print() keysPrint {
	var p keysPrint
	if k.Merchant != nil && k.Merchant.N != nil {
		p.MerchantBits = k.Merchant.N.BitLen()
	}
	if k.Alipay != nil && k.Alipay.N != nil {
		p.AlipayBits = k.Alipay.N.BitLen()
	}
	return p
}

// requestPrint is what a Request prints: the body as its length and the
// secret headers redacted.
type requestPrint struct {
	Endpoint Endpoint
	Method   string
	Path     string
	Query    string
	Header   http.Header
	Body     string
	Key      string
	Fault    Fault
	At       time.Time
}

// Format prints the request without its body or a secret header.
func (r Request) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instoretest.Request", r.print())
}

// LogValue logs what Format prints.
func (r Request) LogValue() slog.Value { return slog.AnyValue(r.print()) }

// MarshalJSON encodes what Format prints.
func (r Request) MarshalJSON() ([]byte, error) { return json.Marshal(r.print()) }

func (r *Request) print() requestPrint {
	return requestPrint{
		Endpoint: r.Endpoint, Method: r.Method, Path: r.Path, Query: r.Query, Header: redact.Header(r.Header),
		Body: redact.Body(r.Body), Key: r.Key, Fault: r.Fault, At: r.At,
	}
}

type ledgerEntryPrint LedgerEntry

// Format prints the entry with Code masked.
func (e LedgerEntry) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, "instoretest.LedgerEntry", e.masked())
}

// LogValue logs the entry with Code masked.
func (e LedgerEntry) LogValue() slog.Value { return slog.AnyValue(e.masked()) }

// MarshalJSON encodes the entry with Code masked.
func (e LedgerEntry) MarshalJSON() ([]byte, error) { return json.Marshal(e.masked()) }

func (e *LedgerEntry) masked() ledgerEntryPrint {
	m := ledgerEntryPrint(*e)
	m.Code = redact.Code(m.Code)
	return m
}
