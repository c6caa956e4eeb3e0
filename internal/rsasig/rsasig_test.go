package rsasig

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testKey is generated once per test binary: RSA key generation is slow.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

var otherKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func TestContentLayout(t *testing.T) {
	t.Parallel()
	m := &Message{Method: "POST", Path: "/aps/api/v1/payments/pay", ClientID: "TEST_5X00000000000000", Time: "2019-05-28T12:12:12+08:00"}
	got := m.Content([]byte(`{"a":"b"}`))
	// The Alipay+ documentation's example, byte for byte.
	assert.Equal(t, "POST /aps/api/v1/payments/pay\nTEST_5X00000000000000.2019-05-28T12:12:12+08:00.{\"a\":\"b\"}", string(got))
}

func TestSignMatchesIndependentVerification(t *testing.T) {
	t.Parallel()
	m := &Message{Method: "POST", Path: "/ams/api/v1/payments/pay", ClientID: "C1", Time: "1700000000000"}
	body := []byte(`{"paymentRequestId":"r1"}`)
	sig, err := Sign(testKey(), m, body)
	require.NoError(t, err)

	// Verify with crypto/rsa directly over a hand-written message.
	sum := sha256.Sum256([]byte("POST /ams/api/v1/payments/pay\nC1.1700000000000." + string(body)))
	require.NoError(t, rsa.VerifyPKCS1v15(&testKey().PublicKey, crypto.SHA256, sum[:], sig))
	require.NoError(t, Verify(&testKey().PublicKey, m, body, sig))
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	m := Message{Method: "POST", Path: "/p", ClientID: "C1", Time: "1"}
	body := []byte(`{"x":1}`)
	sig, err := Sign(testKey(), &m, body)
	require.NoError(t, err)

	tests := []struct {
		name string
		key  *rsa.PublicKey
		m    Message
		body []byte
		sig  []byte
	}{
		{"other key", &otherKey().PublicKey, m, body, sig},
		{"body changed", &testKey().PublicKey, m, []byte(`{"x":2}`), sig},
		{"path changed", &testKey().PublicKey, Message{Method: "POST", Path: "/q", ClientID: "C1", Time: "1"}, body, sig},
		{"client changed", &testKey().PublicKey, Message{Method: "POST", Path: "/p", ClientID: "C2", Time: "1"}, body, sig},
		{"time changed", &testKey().PublicKey, Message{Method: "POST", Path: "/p", ClientID: "C1", Time: "2"}, body, sig},
		{"signature truncated", &testKey().PublicKey, m, body, sig[:len(sig)-1]},
		{"empty signature", &testKey().PublicKey, m, body, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Verify(tt.key, &tt.m, tt.body, tt.sig)
			require.ErrorIs(t, err, ErrVerification)
		})
	}
}

func TestFormatHeader(t *testing.T) {
	t.Parallel()
	sig := []byte{0xfb, 0xff, 0xfe, 0x01} // base64 "+//+AQ==", every character that needs escaping
	got := FormatHeader(1, sig)
	assert.Equal(t, "algorithm=RSA256,keyVersion=1,signature=%2B%2F%2F%2BAQ%3D%3D", got)
	h, err := ParseHeader(got)
	require.NoError(t, err)
	assert.Equal(t, sig, h.Signature)
	assert.Equal(t, "1", h.KeyVersion)
	assert.Equal(t, "RSA256", h.Algorithm)
}

// headerCases seed both the table test and the fuzz target.
var headerCases = []struct {
	name    string
	header  string
	wantSig []byte
	wantKV  string
	wantErr error
}{
	{"canonical", "algorithm=RSA256,keyVersion=1,signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("sig+/"))), []byte("sig+/"), "1", nil},
	{"doc sample spacing", "algorithm=RSA256, keyVersion=0, signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("abc"))), []byte("abc"), "0", nil},
	{"any order", "signature=YWJj,keyVersion=2,algorithm=RSA256", []byte("abc"), "2", nil},
	{"unknown keys", "foo=bar,algorithm=RSA256,signature=YWJj,extra=1", []byte("abc"), "", nil},
	{"no algorithm", "signature=YWJj", []byte("abc"), "", nil},
	{"case-insensitive keys", "Algorithm=rsa256,KeyVersion=3,Signature=YWJj", []byte("abc"), "3", nil},
	{"unescaped plus", "signature=+/8=", []byte{0xfb, 0xff}, "", nil},
	{"no padding", "signature=YWJjZA", []byte("abcd"), "", nil},
	{"trailing comma", "algorithm=RSA256,signature=YWJj,", []byte("abc"), "", nil},
	{"spaces around equals", "algorithm = RSA256 , signature = YWJj", []byte("abc"), "", nil},
	{"empty", "", nil, "", ErrMalformedHeader},
	{"missing signature", "algorithm=RSA256,keyVersion=1", nil, "", ErrMalformedHeader},
	{"empty signature", "algorithm=RSA256,signature=", nil, "", ErrMalformedHeader},
	{"two signatures", "signature=YWJj,signature=ZGVm", nil, "", ErrMalformedHeader},
	{"pair without equals", "algorithm=RSA256,signature", nil, "", ErrMalformedHeader},
	{"bad base64", "signature=!!!", nil, "", ErrMalformedHeader},
	{"bad escape", "signature=%zz", nil, "", ErrMalformedHeader},
	{"escaped newline only", "signature=%0A", nil, "", ErrMalformedHeader},
	{"other algorithm", "algorithm=HMAC256,signature=YWJj", nil, "", ErrAlgorithm},
	{"too long", "signature=" + strings.Repeat("A", MaxHeaderLen), nil, "", ErrMalformedHeader},
	{"signature too long", "signature=" + strings.Repeat("A", (MaxSignatureLen+3)*4/3), nil, "", ErrMalformedHeader},
	{"longest signature", "signature=" + base64.StdEncoding.EncodeToString(make([]byte, MaxSignatureLen)), make([]byte, MaxSignatureLen), "", nil},
}

func TestParseHeader(t *testing.T) {
	t.Parallel()
	for _, tt := range headerCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := ParseHeader(tt.header)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Empty(t, h.Signature)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantSig, h.Signature)
			assert.Equal(t, tt.wantKV, h.KeyVersion)
		})
	}
}

func TestErrorsNeverQuoteInput(t *testing.T) {
	t.Parallel()
	secret := "c2VjcmV0LXNpZ25hdHVyZQ!!"
	_, err := ParseHeader("algorithm=RSA256,signature=" + secret)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
}

func FuzzParseSignatureHeader(f *testing.F) {
	for _, tt := range headerCases {
		f.Add(tt.header)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHeader(s)
		if err != nil {
			if h.Signature != nil {
				t.Fatalf("signature returned with error %v", err)
			}
			return
		}
		if len(h.Signature) == 0 {
			t.Fatal("success without a signature")
		}
		// What we parsed must survive our own formatting.
		h2, err := ParseHeader(FormatHeader(0, h.Signature))
		if err != nil {
			t.Fatalf("reformatted header does not parse: %v", err)
		}
		if !bytes.Equal(h2.Signature, h.Signature) {
			t.Fatal("signature changed through FormatHeader")
		}
	})
}

func BenchmarkSign(b *testing.B) {
	m := &Message{Method: "POST", Path: "/ams/api/v1/payments/pay", ClientID: "C1", Time: "1700000000000"}
	body := []byte(strings.Repeat("x", 1024))
	k := testKey()
	for b.Loop() {
		if _, err := Sign(k, m, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignBaseline is crypto/rsa alone over the same message.
func BenchmarkSignBaseline(b *testing.B) {
	content := []byte("POST /ams/api/v1/payments/pay\nC1.1700000000000." + strings.Repeat("x", 1024))
	k := testKey()
	for b.Loop() {
		sum := sha256.Sum256(content)
		if _, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:]); err != nil {
			b.Fatal(err)
		}
	}
}
