// Package rsasig signs and verifies Alipay+ / Antom messages: RSA PKCS#1 v1.5
// signatures with SHA-256 over "<METHOD> <path>\n<Client-Id>.<time>.<body>",
// carried in a "Signature" header.
//
// The wire facts live in the constants below, in one place, so that a
// correction is a one-line change.
package rsasig

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// Header names and the signed-message layout. Sources: the Alipay+ "Message
// signing" and Antom "Digital signature" pages, and genSignContent in
// alipay/global-open-sdk-go (com/alipay/api/tools/SignatureTool.go), which
// agree; see shared/reference/alipayplus.md §2. Header names are
// case-insensitive on the wire; these are the canonical forms.
const (
	HeaderClientID     = "Client-Id"
	HeaderRequestTime  = "Request-Time"
	HeaderResponseTime = "Response-Time"
	HeaderSignature    = "Signature"
	HeaderContentType  = "Content-Type"

	// ContentType is what requests declare (optional per the Alipay+ header
	// table; sent once, unlike the official Go SDK, which sends it twice).
	ContentType = "application/json; charset=UTF-8"

	// Algorithm is the only value of the header's algorithm key.
	Algorithm = "RSA256"

	// The signed message is
	//	<METHOD> SP <path> LF <Client-Id> "." <time> "." <body>
	// where <time> is Request-Time on requests and notifications and
	// Response-Time on responses, and <body> is the exact bytes sent.
	methodPathSep = " "
	pathSep       = "\n"
	fieldSep      = "."

	// Keys of the Signature header: "algorithm=RSA256,keyVersion=1,signature=<v>"
	// where <v> is URL-escaped standard base64. Pairs are separated by
	// commas; the doc samples put a space after each comma.
	keyAlgorithm  = "algorithm"
	keyKeyVersion = "keyVersion"
	keySignature  = "signature"
)

// Limits of ParseHeader. A 4096-bit RSA signature is 512 bytes, 684
// characters of base64 and at most 2052 once URL-escaped; anything beyond is
// not a signature header.
const (
	MaxHeaderLen    = 4096
	MaxSignatureLen = 512
)

// Errors returned by ParseHeader and Verify. They never quote the header,
// the signature or the message.
var (
	ErrMalformedHeader = errors.New("alipayplus: malformed signature header")
	ErrAlgorithm       = errors.New("alipayplus: unsupported signature algorithm")
	ErrVerification    = errors.New("alipayplus: signature verification failed")
)

// Message identifies what is signed, besides the body.
type Message struct {
	Method   string // "POST"
	Path     string // the request URI as sent, query included if any
	ClientID string
	Time     string // Request-Time or Response-Time, exactly as in the header
}

// digest hashes the signed message of m and body.
func (m *Message) digest(body []byte) []byte {
	sum := sha256.Sum256(m.Content(body))
	return sum[:]
}

// Content returns the signed message for m and body.
func (m *Message) Content(body []byte) []byte {
	b := make([]byte, 0, len(m.Method)+len(m.Path)+len(m.ClientID)+len(m.Time)+len(body)+4)
	b = append(b, m.Method...)
	b = append(b, methodPathSep...)
	b = append(b, m.Path...)
	b = append(b, pathSep...)
	b = append(b, m.ClientID...)
	b = append(b, fieldSep...)
	b = append(b, m.Time...)
	b = append(b, fieldSep...)
	return append(b, body...)
}

// Sign returns the raw SHA256withRSA (PKCS#1 v1.5) signature of m and body.
func Sign(key *rsa.PrivateKey, m *Message, body []byte) ([]byte, error) {
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, m.digest(body))
	if err != nil {
		return nil, errors.New("alipayplus: signing failed")
	}
	return sig, nil
}

// Verify checks a raw signature of m and body with key.
func Verify(key *rsa.PublicKey, m *Message, body, sig []byte) error {
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, m.digest(body), sig); err != nil {
		return ErrVerification
	}
	return nil
}

// FormatHeader returns the Signature header value for a raw signature.
func FormatHeader(keyVersion int, sig []byte) string {
	enc := base64.StdEncoding.EncodeToString(sig)
	var b strings.Builder
	b.Grow(len(keyAlgorithm) + len(Algorithm) + len(keyKeyVersion) + len(keySignature) + len(enc) + 16)
	b.WriteString(keyAlgorithm)
	b.WriteByte('=')
	b.WriteString(Algorithm)
	b.WriteByte(',')
	b.WriteString(keyKeyVersion)
	b.WriteByte('=')
	b.WriteString(strconv.Itoa(keyVersion))
	b.WriteByte(',')
	b.WriteString(keySignature)
	b.WriteByte('=')
	b.WriteString(url.QueryEscape(enc))
	return b.String()
}

// Header is a parsed Signature header.
type Header struct {
	Algorithm  string
	KeyVersion string
	// Signature is the raw signature, URL-unescaped and base64-decoded.
	Signature []byte
}

// ParseHeader parses a Signature header tolerantly: pairs in any order,
// spaces around them, unknown keys ignored, key names compared
// case-insensitively. It requires a signature of 1 to MaxSignatureLen bytes
// and, when an algorithm is given, RSA256. It never panics and reads at most
// MaxHeaderLen bytes.
func ParseHeader(s string) (Header, error) {
	var h Header
	if len(s) > MaxHeaderLen {
		return h, ErrMalformedHeader
	}
	var sig string
	var haveSig bool
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, ",")
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, "=")
		if !ok {
			return Header{}, ErrMalformedHeader
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case strings.EqualFold(k, keyAlgorithm):
			h.Algorithm = v
		case strings.EqualFold(k, keyKeyVersion):
			h.KeyVersion = v
		case strings.EqualFold(k, keySignature):
			if haveSig {
				// Two signatures leave it unclear which one to check.
				return Header{}, ErrMalformedHeader
			}
			sig, haveSig = v, true
		}
	}
	if h.Algorithm != "" && !strings.EqualFold(h.Algorithm, Algorithm) {
		return Header{}, ErrAlgorithm
	}
	if !haveSig || sig == "" {
		return Header{}, ErrMalformedHeader
	}
	raw, err := decodeSignature(sig)
	if err != nil || len(raw) == 0 || len(raw) > MaxSignatureLen {
		// base64 skips line breaks, so "%0A" decodes to nothing.
		return Header{}, ErrMalformedHeader
	}
	h.Signature = raw
	return h, nil
}

// decodeSignature URL-unescapes and base64-decodes a signature value. A value
// that is already unescaped decodes too: QueryUnescape leaves base64's
// alphabet alone except '+', which it turns into a space, so spaces are put
// back as '+'.
func decodeSignature(v string) ([]byte, error) {
	if strings.IndexByte(v, '%') >= 0 || strings.IndexByte(v, '+') >= 0 {
		u, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		v = strings.ReplaceAll(u, " ", "+")
	}
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		// Tolerate senders that drop the padding.
		raw, err = base64.RawStdEncoding.DecodeString(v)
	}
	return raw, err
}
