package ppro

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/instorepay/instore/internal/redact"
)

// Caps on an answer. A real one is about a kilobyte with a dozen keys; the
// caps only stop a broken or hostile peer from making the client hold a lot.
const (
	// maxResponseBytes caps a response body (the transport's body cap).
	maxResponseBytes = 64 << 10
	// maxFields caps the keys in one answer.
	maxFields = 256
	// maxKeyLen caps one key ("SPECOUT.ALIPAYMERCHANTNAME" is 26).
	maxKeyLen = 64
)

// specOutPrefix starts the method-specific output keys (SPECOUT.CNYAMOUNT).
const specOutPrefix = "SPECOUT."

// parseFields reads a urlencodeext body: key=value pairs joined by '&'. It
// reads by key name, never by position, since PPRO puts an opaque
// RAND<digits> key anywhere among them. It is tolerant where a real answer
// may vary and strict where only garbage would differ:
//
//   - line breaks separate pairs like '&' (PPRO's examples are printed with
//     them), blank pairs are skipped, and spaces around a pair are ignored;
//   - keys are compared without regard to case and returned upper-cased;
//   - a value is decoded as a form value ('+' is a space); one whose
//     escapes are broken is kept as sent, and invalid UTF-8 is replaced;
//   - a key that is empty, too long or not made of letters, digits, '.',
//     '_' and '-', a key sent twice with two values, more than maxFields
//     pairs, or no pair at all makes the whole body malformed: that is an
//     HTML page or a cut or mangled answer, not PPRO's.
//
// Errors wrap ErrMalformedResponse and never quote the body.
func parseFields(body []byte) (map[string]string, error) {
	if len(body) > maxResponseBytes {
		return nil, fmt.Errorf("%w: body over %d bytes", ErrMalformedResponse, maxResponseBytes)
	}
	// One copy of the body; keys and values are slices of it unless they
	// need decoding.
	rest := string(body)
	out := make(map[string]string, 16)
	for rest != "" {
		var pair string
		if i := nextSeparator(rest); i >= 0 {
			pair, rest = rest[:i], rest[i+1:]
		} else {
			pair, rest = rest, ""
		}
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil || !validKey(key) {
			return nil, fmt.Errorf("%w: a key is not a PPRO key", ErrMalformedResponse)
		}
		key = strings.ToUpper(key)
		value := decodeValue(rawValue)
		if prev, dup := out[key]; dup {
			if prev != value {
				return nil, fmt.Errorf("%w: key %s sent twice with different values", ErrMalformedResponse, key)
			}
			continue
		}
		if len(out) == maxFields {
			return nil, fmt.Errorf("%w: more than %d keys", ErrMalformedResponse, maxFields)
		}
		out[key] = value
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no key=value pair", ErrMalformedResponse)
	}
	return out, nil
}

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// nextSeparator is the index of the first '&', CR or LF in s, or -1.
func nextSeparator(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '&' || c == '\r' || c == '\n' {
			return i
		}
	}
	return -1
}

func validKey(k string) bool {
	if k == "" || len(k) > maxKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func decodeValue(raw string) string {
	v, err := url.QueryUnescape(raw)
	if err != nil {
		v = raw // a broken escape in free text is not worth failing an answer over
	}
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	return v
}

// reader takes the keys a response type knows out of a parsed answer; what
// is left over is kept for the caller.
type reader struct {
	f map[string]string
}

// take returns the value of key and removes it.
func (r reader) take(key string) string {
	v := r.f[key]
	delete(r.f, key)
	return v
}

// has reports whether the answer carried key.
func (r reader) has(key string) bool {
	_, ok := r.f[key]
	return ok
}

// rest splits what is left into the SPECOUT.* map (keyed without the
// prefix) and the other keys (RAND<digits>, FLAGS and anything new). Either
// may be nil.
func (r reader) rest() (specOut, other map[string]string) {
	for k, v := range r.f {
		if name, ok := strings.CutPrefix(k, specOutPrefix); ok && name != "" {
			if specOut == nil {
				specOut = make(map[string]string)
			}
			specOut[name] = v
			continue
		}
		if other == nil {
			other = make(map[string]string)
		}
		other[k] = v
	}
	return specOut, other
}

// ErrMalformedResponse reports an answer that is not a urlencodeext body
// PPRO would send, or lacks a key the call requires.
var ErrMalformedResponse = errors.New("ppro: malformed response")

// scrub is how PPRO's free text (ERRMSG) and any value that echoes the
// password are kept: through the SDK's one sanitiser (redact.Text), with the
// secret removed, runs of 12 or more digits masked as a payment code,
// control and bidi characters removed, and at most redact.MaxMessage bytes.
func scrub(s, secret string) string {
	return redact.Text(s, redact.MaxMessage, secret)
}
