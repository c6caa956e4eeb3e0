package instore

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
)

// encodeForm encodes a params struct (tagged `url:"..."`) as
// application/x-www-form-urlencoded: nested structs become source[type]=...,
// zero fields tagged omitempty are left out, and keys are sorted, so the
// same params always give the same bytes. It is also the query string of a
// GET.
func encodeForm(v any) ([]byte, error) {
	vals, err := query.Values(v)
	if err != nil {
		return nil, invalidParams("cannot encode params")
	}
	return appendValues(nil, vals), nil
}

// appendValues appends vals to dst in the form url.Values.Encode produces,
// without its intermediate strings: one buffer for the whole body.
func appendValues(dst []byte, vals url.Values) []byte {
	var keyBuf [16]string
	keys := keyBuf[:0]
	n := 0
	for k, vs := range vals {
		keys = append(keys, k)
		for _, v := range vs {
			n += len(k) + len(v) + 2
		}
	}
	slices.Sort(keys)
	// Brackets and a few other bytes grow to three; a quarter more is
	// enough for the usual body without a second allocation.
	dst = slices.Grow(dst, n+n/4)
	first := true
	for _, k := range keys {
		for _, v := range vals[k] {
			if !first {
				dst = append(dst, '&')
			}
			first = false
			dst = appendQueryEscape(dst, k)
			dst = append(dst, '=')
			dst = appendQueryEscape(dst, v)
		}
	}
	return dst
}

// appendQueryEscape appends s escaped as url.QueryEscape does: letters,
// digits and "-_.~" as they are, a space as '+', every other byte as %XX.
func appendQueryEscape[S ~string | ~[]byte](dst []byte, s S) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}

// formMetadata encodes metadata as metadata[key]=value, the form Omise
// reads; go-querystring has no encoding of its own for maps.
type formMetadata map[string]string

// EncodeValues implements query.Encoder.
func (m formMetadata) EncodeValues(key string, v *url.Values) error {
	for k, val := range m {
		v.Set(key+"["+k+"]", val)
	}
	return nil
}

// validMetadata rejects keys that would not survive the bracketed form.
func validMetadata(m map[string]string) error {
	for k := range m {
		if k == "" || strings.ContainsAny(k, "[]") {
			return invalidParams("metadata keys must be non-empty and free of brackets")
		}
	}
	return nil
}

// escapeID escapes an object id as one path segment. An id that is empty or
// a dot segment is refused: it would address another resource than the
// caller meant.
func escapeID(id string) (string, error) {
	if id == "" || id == "." || id == ".." {
		return "", invalidParams("empty or invalid id")
	}
	return url.PathEscape(id), nil
}

// A charge, sent on every sale, is encoded by hand, straight into one
// buffer: go-querystring walks the params by reflection, splitting each tag
// and boxing each value, which costs about fifty allocations a charge, more
// than the rest of the call adds to a hand-written net/http request, and
// would put Charges.Create over its benchmark budget. The url tags and
// encodeForm stay the definition of the wire form: FuzzChargeForm holds
// this encoder byte-for-byte equal to go-querystring's encoding of the same
// params.

// formWriter appends key=value pairs in url.Values.Encode's form. Keys are
// written in sorted order by the callers, as Encode would sort them.
type formWriter struct {
	b []byte
}

func (w *formWriter) key(prefix, name string) {
	if len(w.b) > 0 {
		w.b = append(w.b, '&')
	}
	if prefix == "" {
		w.b = append(w.b, name...)
	} else {
		w.b = appendQueryEscape(w.b, prefix)
		w.b = append(w.b, "%5B"...)
		w.b = append(w.b, name...)
		w.b = append(w.b, "%5D"...)
	}
	w.b = append(w.b, '=')
}

// str writes a non-empty string value; name must need no escaping.
func (w *formWriter) str(prefix, name, v string) {
	if v != "" {
		w.key(prefix, name)
		w.b = appendQueryEscape(w.b, v)
	}
}

func (w *formWriter) int(prefix, name string, v int64) {
	if v != 0 {
		w.key(prefix, name)
		w.b = strconv.AppendInt(w.b, v, 10)
	}
}

// metadata writes metadata[key]=value pairs sorted as Encode sorts their
// whole keys.
func (w *formWriter) metadata(m map[string]string) {
	if len(m) == 0 {
		return
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareBracketed)
	for _, k := range keys {
		if len(w.b) > 0 {
			w.b = append(w.b, '&')
		}
		w.b = append(w.b, "metadata%5B"...)
		w.b = appendQueryEscape(w.b, k)
		w.b = append(w.b, "%5D="...)
		w.b = appendQueryEscape(w.b, m[k])
	}
}

// compareBracketed orders a and b as a+"]" and b+"]" compare, which is how
// the keys "metadata[a]" and "metadata[b]" sort.
func compareBracketed(a, b string) int {
	n := min(len(a), len(b))
	if c := strings.Compare(a[:n], b[:n]); c != 0 {
		return c
	}
	switch {
	case len(a) == len(b):
		return 0
	case len(a) < len(b):
		if b[n] >= ']' {
			return -1
		}
		return 1
	default:
		if a[n] >= ']' {
			return 1
		}
		return -1
	}
}

// appendForm appends the form of p: the bytes encodeForm gives for p with
// its metadata as formMetadata and ExpiresAt in UTC RFC 3339.
func (p *ChargeParams) appendForm(dst []byte) []byte {
	w := formWriter{b: dst}
	w.int("", "amount", p.Amount)
	if p.Capture != nil {
		w.key("", "capture")
		w.b = strconv.AppendBool(w.b, *p.Capture)
	}
	w.str("", "currency", string(p.Currency))
	w.str("", "description", p.Description)
	if p.ExpiresAt != nil {
		var tb [64]byte
		w.key("", "expires_at")
		w.b = appendQueryEscape(w.b, p.ExpiresAt.UTC().AppendFormat(tb[:0], time.RFC3339))
	}
	w.metadata(p.Metadata)
	w.str("", "return_uri", p.ReturnURI)
	w.str("", "source", p.SourceID)
	if p.Source != nil {
		w.b = p.Source.appendForm(w.b, "source")
	}
	return w.b
}

// appendForm appends the fields of p, as prefix[name]=value pairs when
// prefix is set (an inline source).
func (p *SourceParams) appendForm(dst []byte, prefix string) []byte {
	w := formWriter{b: dst}
	w.int(prefix, "amount", p.Amount)
	w.str(prefix, "barcode", p.Barcode)
	w.str(prefix, "currency", string(p.Currency))
	w.str(prefix, "store_id", p.StoreID)
	w.str(prefix, "store_name", p.StoreName)
	w.str(prefix, "terminal_id", p.TerminalID)
	w.str(prefix, "type", string(p.Type))
	return w.b
}

// chargeFormSize is a starting capacity for a charge's form: enough for an
// inline source and a few metadata pairs without a second allocation.
const chargeFormSize = 512
