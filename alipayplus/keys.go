package alipayplus

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/instorepay/instore/internal/acqerr"
)

// MinKeyBits is the smallest RSA key the client accepts. Alipay+ and Antom
// issue "RSA2" keys of 2048 bits.
const MinKeyBits = 2048

// maxKeyText caps the text ParsePrivateKey and ParsePublicKey read: a 4096-bit
// key or a certificate chain is a few KiB.
const maxKeyText = 64 << 10

// ErrInvalidKey reports a key that cannot be used. Its messages never quote
// the key. It matches ErrInvalidConfig, and so instore.ErrInvalidConfig.
var ErrInvalidKey = acqerr.Sentinel("alipayplus: invalid key", ErrInvalidConfig)

// ParsePrivateKey parses the merchant's RSA private key as the Antom and
// Alipay+ portals hand it out or as openssl writes it: PEM PKCS#8 ("BEGIN
// PRIVATE KEY"), PEM PKCS#1 ("BEGIN RSA PRIVATE KEY"), or bare base64 of
// PKCS#8 DER (what the official Java and Go SDKs expect), with or without
// line breaks. Parse the key once, when the program starts, and pass it to
// [NewClient].
func ParsePrivateKey(s string) (*rsa.PrivateKey, error) {
	der, pemType, err := keyDER(s)
	if err != nil {
		return nil, err
	}
	var key any
	switch pemType {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(der)
	case "PRIVATE KEY", "":
		key, err = x509.ParsePKCS8PrivateKey(der)
		if err != nil && pemType == "" {
			// Bare base64 is documented as PKCS#8; PKCS#1 is the common
			// mistake, and harmless to accept.
			if k, err1 := x509.ParsePKCS1PrivateKey(der); err1 == nil {
				key, err = k, nil
			}
		}
	case "ENCRYPTED PRIVATE KEY":
		return nil, fmt.Errorf("%w: encrypted private keys are not supported; decrypt it first", ErrInvalidKey)
	default:
		return nil, fmt.Errorf("%w: unexpected PEM block type, want PRIVATE KEY or RSA PRIVATE KEY", ErrInvalidKey)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: not a PKCS#8 or PKCS#1 private key", ErrInvalidKey)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: not an RSA key", ErrInvalidKey)
	}
	if err := checkBits(rk.N.BitLen()); err != nil {
		return nil, err
	}
	return rk, nil
}

// ParsePublicKey parses the Alipay+ (or Antom) public key from the portal:
// PEM SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"), bare base64 of the same
// (what the portal shows), or a PEM certificate. This is Alipay's key, not
// the public half of the merchant's own key; mixing the two up makes every
// response fail verification.
func ParsePublicKey(s string) (*rsa.PublicKey, error) {
	der, pemType, err := keyDER(s)
	if err != nil {
		return nil, err
	}
	var key any
	switch pemType {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(der)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(der)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(der); err == nil {
			key = cert.PublicKey
		}
	case "":
		key, err = x509.ParsePKIXPublicKey(der)
		if err != nil {
			if cert, err1 := x509.ParseCertificate(der); err1 == nil {
				key, err = cert.PublicKey, nil
			}
		}
	default:
		return nil, fmt.Errorf("%w: unexpected PEM block type, want PUBLIC KEY or CERTIFICATE", ErrInvalidKey)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: not a SubjectPublicKeyInfo public key or certificate", ErrInvalidKey)
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: not an RSA key", ErrInvalidKey)
	}
	if err := checkBits(rk.N.BitLen()); err != nil {
		return nil, err
	}
	return rk, nil
}

// keyDER returns the DER bytes of a PEM block or of bare base64, and the PEM
// block type ("" for bare base64).
func keyDER(s string) (der []byte, pemType string, err error) {
	if len(s) > maxKeyText {
		return nil, "", fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, maxKeyText)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, "", fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if strings.HasPrefix(s, "-----BEGIN") {
		block, _ := pem.Decode([]byte(s))
		if block == nil {
			return nil, "", fmt.Errorf("%w: malformed PEM", ErrInvalidKey)
		}
		if len(block.Headers) > 0 {
			// Proc-Type/DEK-Info: a legacy encrypted key.
			return nil, "", fmt.Errorf("%w: encrypted PEM keys are not supported; decrypt it first", ErrInvalidKey)
		}
		return block.Bytes, block.Type, nil
	}
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	der, err = base64.StdEncoding.DecodeString(clean)
	if err != nil {
		der, err = base64.RawStdEncoding.DecodeString(clean)
	}
	if err != nil || len(der) == 0 {
		return nil, "", fmt.Errorf("%w: neither PEM nor base64", ErrInvalidKey)
	}
	return der, "", nil
}

func checkBits(n int) error {
	if n < MinKeyBits {
		return fmt.Errorf("%w: %d-bit RSA key, want at least %d bits", ErrInvalidKey, n, MinKeyBits)
	}
	return nil
}
