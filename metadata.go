package instore

import (
	"bytes"
	"encoding/json"
)

// Metadata is the metadata of an object as Omise returns it. The SDK sends
// metadata as strings (ChargeParams.Metadata is a map[string]string), but an
// object created elsewhere (the dashboard, another SDK sending JSON) may hold
// numbers, booleans or nested objects, and an empty metadata has been seen
// serialised as [] by some APIs. So each value is kept as the raw JSON it
// was, and decoding never fails: anything that is not a JSON object decodes
// as an empty Metadata. Use String to read a value as text.
type Metadata map[string]json.RawMessage

// UnmarshalJSON keeps the members of a JSON object and ignores any other
// JSON value, so that a charge never fails to decode because of its
// metadata.
func (m *Metadata) UnmarshalJSON(b []byte) error {
	*m = nil
	if b = bytes.TrimSpace(b); len(b) == 0 || b[0] != '{' {
		return nil
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(b, &raw) == nil {
		*m = raw
	}
	return nil
}

// String returns the value of key as text: a JSON string unquoted, a JSON
// null as "", any other value as its compact JSON text ("42", "true",
// `{"tier":"gold"}`). ok is false when key is absent.
func (m Metadata) String(key string) (value string, ok bool) {
	raw, ok := m[key]
	if !ok {
		return "", false
	}
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0, string(raw) == "null":
		return "", true
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s, true
		}
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String(), true
	}
	return string(raw), true
}

// Decimal is a decimal number as Omise sent it, kept as its text ("1.65") so
// that no precision is lost; it is never a float. Omise sends some rates as
// JSON strings ("fee_rate": "1.65") and others as numbers, so both decode,
// and so does anything else, as its JSON text: a rate never makes a charge
// fail to decode. Empty means absent or null.
type Decimal string

// UnmarshalJSON accepts a JSON string, a number or null, and keeps any other
// value as its JSON text.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*d = ""
	case b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) != nil {
			s = string(b)
		}
		*d = Decimal(s)
	default:
		*d = Decimal(b)
	}
	return nil
}

// MarshalJSON writes d as a JSON string, or null when it is empty.
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(d))
}
