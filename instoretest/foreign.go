package instoretest

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

// Answers about another payment (FaultForeign). A client that trusts such an
// answer reports a sale succeeded that was never paid, or files a payment
// under the wrong sale: it must check what the answer is about before
// believing it. The falsifying works on the encoded answer, so it is the
// same whatever the endpoint; each simulator says which fields carry the
// amount, the currency, the payment's id and the sale's request id.

// ForeignField is what a FaultForeign answer gets wrong.
type ForeignField int

// Foreign fields. A field the answer does not carry (PPRO answers carry no
// amount; an Alipay+ cancel answer on /aps carries no id) falls back to
// ForeignID, then to ForeignRequestID; an answer with neither passes
// unchanged.
const (
	// ForeignAny draws one of the others, per request, from the seeded
	// source.
	ForeignAny ForeignField = iota
	// ForeignAmount adds 100 minor units to the amount (the refund amount
	// in a refund's answer).
	ForeignAmount
	// ForeignCurrency gives another currency (USD, or EUR for USD).
	ForeignCurrency
	// ForeignID gives another payment id: the charge id (a refund's
	// charge), the paymentId, the TXID (a PPRO refund's REFUNDID).
	ForeignID
	// ForeignRequestID gives another sale's request id: metadata
	// instore_request_id (a refund's instore_refund_request_id), the
	// paymentRequestId (a refund's refundRequestId), the MERCHANTTXID (a
	// refund's MERCHANTREFUNDID).
	ForeignRequestID
	// ForeignNegativeAmount makes the amount negative.
	ForeignNegativeAmount

	// foreignFields is how many concrete fields there are, for draws.
	foreignFields = ForeignNegativeAmount
)

// String returns the field's short name ("request-id").
func (f ForeignField) String() string {
	switch f {
	case ForeignAny:
		return "any"
	case ForeignAmount:
		return "amount"
	case ForeignCurrency:
		return "currency"
	case ForeignID:
		return "id"
	case ForeignRequestID:
		return "request-id"
	case ForeignNegativeAmount:
		return "negative-amount"
	}
	return "foreign(" + strconv.Itoa(int(f)) + ")"
}

// aboutMoney reports whether f falsifies the amount or the currency: a
// made-up answer about another sale has its own id and request id already,
// but takes those from the request.
func (f ForeignField) aboutMoney() bool {
	return f == ForeignAmount || f == ForeignCurrency || f == ForeignNegativeAmount
}

// foreignEdits are the ways one answer can be falsified, nil where the
// answer does not carry the field. Each reports whether it changed
// anything.
type foreignEdits struct {
	amount    func(negate bool) bool
	currency  func() bool
	id        func() bool
	requestID func() bool
}

// apply falsifies what field names, falling back as ForeignField's
// documentation says: each case runs its edit and stops at the first that
// changed something.
func (e foreignEdits) apply(field ForeignField) {
	switch {
	case field == ForeignAmount && e.amount != nil && e.amount(false):
	case field == ForeignNegativeAmount && e.amount != nil && e.amount(true):
	case field == ForeignCurrency && e.currency != nil && e.currency():
	case field != ForeignRequestID && e.id != nil && e.id():
	case e.requestID != nil && e.requestID():
	case e.id != nil:
		e.id()
	}
}

// otherCurrency is a currency that is not c.
func otherCurrency(c string) string {
	if c == "USD" {
		return "EUR"
	}
	return "USD"
}

// otherRequestID is a request id of another sale than id's, within max
// characters (0: no limit).
func otherRequestID(id string, limit int) string {
	if id == "" {
		return "other-sale"
	}
	s := "other-" + id
	if limit > 0 && len(s) > limit {
		s = s[:limit]
	}
	if s == id {
		s = "x" + s[1:]
	}
	return s
}

// otherAmount is amount falsified: 100 minor units more, or negated.
func otherAmount(amount int64, negate bool) int64 {
	if negate {
		if amount == 0 {
			return -100
		}
		return -amount
	}
	return amount + 100
}

// jsonObject decodes an answer that is one JSON object, keeping numbers as
// written.
func jsonObject(body []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// jsonInt edits the integer m[key], reporting whether there was one.
func jsonInt(m map[string]any, key string, edit func(int64) int64) bool {
	n, ok := m[key].(json.Number)
	if !ok {
		return false
	}
	v, err := n.Int64()
	if err != nil {
		return false
	}
	m[key] = json.Number(strconv.FormatInt(edit(v), 10))
	return true
}

// jsonString edits the non-empty string m[key], reporting whether there
// was one.
func jsonString(m map[string]any, key string, edit func(string) string) bool {
	s, ok := m[key].(string)
	if !ok || s == "" {
		return false
	}
	m[key] = edit(s)
	return true
}

// jsonObjectField returns the object m[key].
func jsonObjectField(m map[string]any, key string) (map[string]any, bool) {
	o, ok := m[key].(map[string]any)
	return o, ok
}

// formAnswer is an answer of key=value pairs (PPRO's urlencodeext), kept in
// the order it was written so that falsifying it changes nothing else.
type formAnswer []pproField

func parseFormAnswer(body []byte) formAnswer {
	var a formAnswer
	for pair := range strings.SplitSeq(string(body), "&") {
		k, v, _ := strings.Cut(pair, "=")
		a = append(a, pproField{key: k, value: v})
	}
	return a
}

// get returns the unescaped value of key.
func (a formAnswer) get(key string) (string, bool) {
	for _, f := range a {
		if f.key == key {
			v, err := url.QueryUnescape(f.value)
			return v, err == nil
		}
	}
	return "", false
}

// set replaces the value of key, escaped as PPRO escapes.
func (a formAnswer) set(key, value string) {
	for i := range a {
		if a[i].key == key {
			a[i].value = pproEscape(value)
		}
	}
}

func (a formAnswer) bytes() []byte {
	var b strings.Builder
	for i, f := range a {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(f.key)
		b.WriteByte('=')
		b.WriteString(f.value)
	}
	return []byte(b.String())
}
