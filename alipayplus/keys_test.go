package alipayplus_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/alipayplus"
)

func pemText(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// wrap76 breaks base64 into lines, as portals and mail clients do.
func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteString("\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}

func privateKeyForms(t *testing.T) map[string]string {
	t.Helper()
	k := merchantKey()
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	pkcs1 := x509.MarshalPKCS1PrivateKey(k)
	return map[string]string{
		"PEM PKCS#8":           pemText("PRIVATE KEY", pkcs8),
		"PEM PKCS#1":           pemText("RSA PRIVATE KEY", pkcs1),
		"bare base64 PKCS#8":   base64.StdEncoding.EncodeToString(pkcs8),
		"wrapped base64 PKCS8": "  " + wrap76(base64.StdEncoding.EncodeToString(pkcs8)) + "\n",
		"bare base64 PKCS#1":   base64.StdEncoding.EncodeToString(pkcs1),
	}
}

func publicKeyForms(t *testing.T) map[string]string {
	t.Helper()
	pub := &alipayKey().PublicKey
	spki, err := x509.MarshalPKIXPublicKey(pub)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "alipay test"},
		NotBefore:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, alipayKey())
	require.NoError(t, err)
	return map[string]string{
		"PEM SPKI":           pemText("PUBLIC KEY", spki),
		"bare base64 SPKI":   base64.StdEncoding.EncodeToString(spki),
		"wrapped base64":     wrap76(base64.StdEncoding.EncodeToString(spki)),
		"PEM certificate":    pemText("CERTIFICATE", cert),
		"bare certificate":   base64.StdEncoding.EncodeToString(cert),
		"PEM PKCS#1 public":  pemText("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(pub)),
		"PEM with CRLF ends": strings.ReplaceAll(pemText("PUBLIC KEY", spki), "\n", "\r\n"),
	}
}

// TestParsedKeysWork parses every key format and pays with the result
// against the gateway, which verifies with its own copy of the keys.
func TestParsedKeysWork(t *testing.T) {
	t.Parallel()
	g := newGateway(t, fixed(reply{Body: fixture(t, "pay_success.json")}))
	pubs := publicKeyForms(t)
	for name, text := range privateKeyForms(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			k, err := alipayplus.ParsePrivateKey(text)
			require.NoError(t, err)
			assert.True(t, k.Equal(merchantKey()))
		})
	}
	for name, text := range pubs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p, err := alipayplus.ParsePublicKey(text)
			require.NoError(t, err)
			assert.True(t, p.Equal(&alipayKey().PublicKey))
		})
	}
	k, err := alipayplus.ParsePrivateKey(privateKeyForms(t)["bare base64 PKCS#8"])
	require.NoError(t, err)
	p, err := alipayplus.ParsePublicKey(pubs["PEM certificate"])
	require.NoError(t, err)
	c, err := alipayplus.NewClient(testClientID, k, p, alipayplus.WithBaseURL(g.srv.URL))
	require.NoError(t, err)
	resp, err := c.Pay(t.Context(), payRequest())
	require.NoError(t, err)
	assert.True(t, resp.Result.Succeeded())
}

func TestParseKeyRefuses(t *testing.T) {
	t.Parallel()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ecPKCS8, err := x509.MarshalPKCS8PrivateKey(ec)
	require.NoError(t, err)
	ecSPKI, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	require.NoError(t, err)
	small := genKey(1024)
	smallPKCS8, err := x509.MarshalPKCS8PrivateKey(small)
	require.NoError(t, err)
	smallSPKI, err := x509.MarshalPKIXPublicKey(&small.PublicKey)
	require.NoError(t, err)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(merchantKey())
	require.NoError(t, err)
	spki, err := x509.MarshalPKIXPublicKey(&alipayKey().PublicKey)
	require.NoError(t, err)
	encrypted := "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\n" + base64.StdEncoding.EncodeToString(pkcs8[:64]) + "\n-----END RSA PRIVATE KEY-----\n"

	private := map[string]string{
		"empty":                 "",
		"spaces":                "   \n ",
		"garbage":               "not a key at all!",
		"truncated PEM":         pemText("PRIVATE KEY", pkcs8)[:100],
		"truncated DER":         base64.StdEncoding.EncodeToString(pkcs8[:200]),
		"public key as private": pemText("PUBLIC KEY", spki),
		"EC key":                pemText("PRIVATE KEY", ecPKCS8),
		"1024-bit key":          pemText("PRIVATE KEY", smallPKCS8),
		"encrypted PEM":         encrypted,
		"encrypted PKCS#8":      pemText("ENCRYPTED PRIVATE KEY", pkcs8),
		"huge":                  strings.Repeat("A", 1<<20),
	}
	for name, text := range private {
		t.Run("private "+name, func(t *testing.T) {
			t.Parallel()
			k, err := alipayplus.ParsePrivateKey(text)
			assert.Nil(t, k)
			require.ErrorIs(t, err, alipayplus.ErrInvalidKey)
			assertNoKeyText(t, err.Error(), text)
		})
	}
	public := map[string]string{
		"empty":                 "",
		"garbage":               "%%%",
		"private key as public": pemText("PRIVATE KEY", pkcs8),
		"EC key":                pemText("PUBLIC KEY", ecSPKI),
		"1024-bit key":          base64.StdEncoding.EncodeToString(smallSPKI),
		"truncated":             base64.StdEncoding.EncodeToString(spki[:100]),
	}
	for name, text := range public {
		t.Run("public "+name, func(t *testing.T) {
			t.Parallel()
			k, err := alipayplus.ParsePublicKey(text)
			assert.Nil(t, k)
			require.ErrorIs(t, err, alipayplus.ErrInvalidKey)
			assertNoKeyText(t, err.Error(), text)
		})
	}
}

// assertNoKeyText checks that no 16-character run of the key text appears in
// msg.
func assertNoKeyText(t *testing.T, msg, key string) {
	t.Helper()
	clean := strings.Join(strings.Fields(key), "")
	for i := 0; i+16 <= len(clean) && i < 4096; i += 8 {
		if strings.Contains(msg, clean[i:i+16]) {
			t.Fatalf("error quotes the key: %q", msg)
		}
	}
}

func FuzzParsePrivateKey(f *testing.F) {
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(merchantKey())
	f.Add(pemText("PRIVATE KEY", pkcs8))
	f.Add(pemText("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(merchantKey())))
	f.Add(base64.StdEncoding.EncodeToString(pkcs8))
	f.Add("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := alipayplus.ParsePrivateKey(s)
		if err == nil && (k == nil || k.N.BitLen() < alipayplus.MinKeyBits) {
			t.Fatal("accepted an unusable key")
		}
		if err != nil && k != nil {
			t.Fatal("key returned with an error")
		}
	})
}

func FuzzParsePublicKey(f *testing.F) {
	spki, _ := x509.MarshalPKIXPublicKey(&alipayKey().PublicKey)
	f.Add(pemText("PUBLIC KEY", spki))
	f.Add(base64.StdEncoding.EncodeToString(spki))
	f.Add(pemText("CERTIFICATE", spki))
	f.Add("MIIB")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := alipayplus.ParsePublicKey(s)
		if err == nil && (k == nil || k.N.BitLen() < alipayplus.MinKeyBits) {
			t.Fatal("accepted an unusable key")
		}
		if err != nil && k != nil {
			t.Fatal("key returned with an error")
		}
	})
}
