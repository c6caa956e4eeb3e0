package instore

import (
	"net/url"
	"slices"
	"strings"

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
func appendQueryEscape(dst []byte, s string) []byte {
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
