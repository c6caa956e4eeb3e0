package instoretest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Alipay+ signature wire facts (reference alipayplus.md, section 2): the
// signed content is "<METHOD> <path>\n<Client-Id>.<Request-Time or
// Response-Time>.<body>", signed with SHA256withRSA (PKCS #1 v1.5); the
// Signature header is "algorithm=RSA256,keyVersion=<n>,signature=<URL-escaped
// standard base64>".
const (
	apClientIDHeader     = "Client-Id"
	apRequestTimeHeader  = "Request-Time"
	apResponseTimeHeader = "Response-Time"
	apSignatureHeader    = "Signature"
	apAlgorithm          = "RSA256"
	apKeyVersion         = "1"
	apTimeLayout         = "2006-01-02T15:04:05-07:00"
)

// AlipayPlusKeys are the two RSA key pairs of an Alipay+ integration.
type AlipayPlusKeys struct {
	// Merchant is the merchant's key pair: the client signs requests with
	// the private key, the simulator verifies them with the public one.
	Merchant *rsa.PrivateKey
	// Alipay is the gateway's key pair: the simulator signs answers and
	// notifications with the private key, the client verifies them with the
	// public one ("the Alipay public key").
	Alipay *rsa.PrivateKey
}

// GenerateAlipayPlusKeys generates two 2048-bit key pairs. It takes a
// noticeable fraction of a second: generate them once per test binary and
// pass them to each simulator with WithAlipayPlusKeys.
func GenerateAlipayPlusKeys() (*AlipayPlusKeys, error) {
	m, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	a, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return &AlipayPlusKeys{Merchant: m, Alipay: a}, nil
}

// PrivateKeyPEM encodes a private key as a PKCS #8 PEM block ("PRIVATE
// KEY"), the form the Antom portal hands out.
func PrivateKeyPEM(k *rsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// PublicKeyPEM encodes a public key as a PEM SubjectPublicKeyInfo block
// ("PUBLIC KEY").
func PublicKeyPEM(k *rsa.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func apTime(t time.Time) string {
	return t.In(time.FixedZone("UTC+8", 8*60*60)).Format(apTimeLayout)
}

func apSignedContent(method, path, clientID, at string, body []byte) []byte {
	b := make([]byte, 0, len(method)+len(path)+len(clientID)+len(at)+len(body)+4)
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, path...)
	b = append(b, '\n')
	b = append(b, clientID...)
	b = append(b, '.')
	b = append(b, at...)
	b = append(b, '.')
	b = append(b, body...)
	return b
}

// apSign returns a Signature header value for content.
func apSign(k *rsa.PrivateKey, content []byte) (string, error) {
	sum := sha256.Sum256(content)
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return "algorithm=" + apAlgorithm + ",keyVersion=" + apKeyVersion + ",signature=" +
		url.QueryEscape(base64.StdEncoding.EncodeToString(sig)), nil
}

// apParseSignature reads the signature out of a Signature header, leniently
// as to spaces and order ("algorithm=RSA256, keyVersion=0, signature=…"
// appears in the documentation too).
func apParseSignature(h string) ([]byte, bool) {
	var sig string
	found := false
	for part := range strings.SplitSeq(h, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "algorithm":
			if v != apAlgorithm {
				return nil, false
			}
		case "signature":
			sig, found = v, true
		}
	}
	if !found || sig == "" {
		return nil, false
	}
	unescaped, err := url.QueryUnescape(sig)
	if err != nil {
		return nil, false
	}
	raw, err := base64.StdEncoding.DecodeString(unescaped)
	// Base64 decoding skips line breaks, so "%0A" decodes to nothing: an
	// empty signature, which is no signature.
	if err != nil || len(raw) == 0 {
		return nil, false
	}
	return raw, true
}

// apVerify checks the Signature header of a request (or answer) with pub.
func apVerify(pub *rsa.PublicKey, h http.Header, method, path, at string, body []byte) bool {
	sig, ok := apParseSignature(h.Get(apSignatureHeader))
	if !ok || at == "" {
		return false
	}
	sum := sha256.Sum256(apSignedContent(method, path, h.Get(apClientIDHeader), at, body))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil
}
