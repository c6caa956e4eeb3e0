package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

const (
	testCode   = "281234567890123456"       // 18 digits, an Alipay-family code
	testCode24 = "281111222233334444555566" // 24 digits, a CGCP code
	testSecret = "skey_test_SENTINELsecret"
)

var textCases = []struct {
	name, in, want string
	maxLen         int
}{
	{"empty", "", "", 10},
	{"plain", "payment declined", "payment declined", 100},
	{"spaces collapsed and trimmed", "  declined \t by\r\nissuer  ", "declined by issuer", 100},
	{"unicode spaces", "a\u00a0b\u2028c\u3000d", "a b c d", 100},
	{"control characters removed", "a\x00b\x1fc\x7fd\u0085e", "abcd e", 100},
	{"bidi controls removed", "ok\u202etxt.exe\u202c \u2066x\u2069\u200e\u200f\u061cy", "oktxt.exe xy", 100},
	{"zero-width and private use removed", "a\u200bb\ufeffc\ue000d", "abcd", 100},
	{"invalid UTF-8 replaced once per run", "bad \xff\xfe utf8 \xc3", "bad \ufffd utf8 \ufffd", 100},
	{"an 18-digit code masked", "code " + testCode + " refused", "code 2812**********3456 refused", 100},
	{"a 24-digit code masked", testCode24, "2811****************5566", 100},
	{"twelve digits masked", "123456789012", "1234****9012", 100},
	{"eleven digits kept", "12345678901", "12345678901", 100},
	{"a grouped code masked", "code 2812 3456 7890 1234 56", "code 2812 **** **** **34 56", 100},
	{"a dashed code masked", "2812-3456-7890-1234-56", "2812-****-****-**34-56", 100},
	{"two runs of digits", "1234567890123 and 98765432109876", "1234*****0123 and 9876******9876", 100},
	{"a code split by invisible characters", "2812\u200b3456\u202e7890123456", "2812**********3456", 100},
	{"a date and an amount kept", "2024-01-31 12:00 THB 1,500.00", "2024-01-31 12:00 THB 1,500.00", 100},
	{"cut with an ellipsis", "0123456789abc", "0123456789...", 10},
	{"cut on a rune boundary", "ééé", "é...", 3},
	{"masked before cut", testCode + testCode, "2812***...", 7},
	{"secret replaced", "key " + testSecret + " bad", "key [redacted] bad", 100},
	{"secret split by a bidi control", "key skey_test_\u202eSENTINELsecret", "key [redacted]", 100},
	{"zero cap", "abc", "...", 0},
	{"key shapes redacted", "<p>pkey_live_5xabc and skey_5xdef</p>", "<p>[redacted] and [redacted]</p>", 100},
	{"not a key shape", "xskey_notakey", "xskey_notakey", 100},
}

func TestText(t *testing.T) {
	t.Parallel()
	for _, tt := range textCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Text(tt.in, tt.maxLen, testSecret))
		})
	}
}

// TestTextSecretPasses checks both passes of the secrets in Text: a secret
// the cleaning would alter is found before it, one split by an invisible
// character only after it.
func TestTextSecretPasses(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, secret, in string }{
		{"a tab in the secret", "pa\tss-word", "bad password pa\tss-word"},
		{"a double space in the secret", "pa  ss-word", "bad password pa  ss-word"},
		{"an invisible character in the secret", "pa\u200bss-word", "bad password pa\u200bss-word"},
		{"a trailing space in the secret", "pass-word ", "bad password pass-word "},
		{"the secret split in the text", "pass-word", "bad password pa\u202ess-word"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, "bad password [redacted]", Text(tt.in, 100, tt.secret))
		})
	}
}

func TestCode(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{testCode, "2812**********3456"},
		{testCode24, "2811****************5566"},
		{"123456789012345", "***************"},
		{"ü1234567890123456", "*****************"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Code(tt.in), "Code(%q)", tt.in)
	}
}

func TestSecret(t *testing.T) {
	t.Parallel()
	assert.Empty(t, Secret(""))
	assert.Equal(t, Redacted, Secret(testSecret))
}

type sample struct {
	ID   string
	Code string
}

type samplePrint sample

func (s sample) Format(f fmt.State, verb rune) {
	m := samplePrint(s)
	m.Code = Code(m.Code)
	Format(f, verb, "redact.sample", m)
}

func TestFormat(t *testing.T) {
	t.Parallel()
	v := sample{ID: "id-1", Code: testCode}
	tests := []struct{ format, want string }{
		{"%v", "{id-1 2812**********3456}"},
		{"%+v", "{ID:id-1 Code:2812**********3456}"},
		{"%#v", `redact.sample{ID:"id-1", Code:"2812**********3456"}`},
		{"%s", "{id-1 2812**********3456}"},
		{"%q", `"{id-1 2812**********3456}"`},
		{"%x", "%!x(redact.sample)"},
		{"%d", "%!d(redact.sample)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, fmt.Sprintf(tt.format, v), tt.format)
		assert.Equal(t, tt.want, fmt.Sprintf(tt.format, &v), tt.format+" of a pointer")
	}
}

// unmaskedRun is MinCodeDigits digits, a single space or '-' allowed
// between two of them.
var unmaskedRun = regexp.MustCompile(`[0-9](?:[ -]?[0-9]){11}`)

// FuzzText holds Text to its promises for any input and cap: valid UTF-8,
// nothing invisible, no bidi control, within the cap, no run of digits long
// enough to be a code, no secret, and the same answer twice.
func FuzzText(f *testing.F) {
	for _, tt := range textCases {
		f.Add(tt.in, tt.maxLen)
	}
	f.Add(strings.Repeat(testCode+"\u202e", 64), 4096)
	f.Add("\xf0\x9f\x98", 3)
	f.Fuzz(func(t *testing.T, in string, maxLen int) {
		maxLen = int(uint(maxLen) % 8192)
		out := Text(in, maxLen, testSecret)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 %q", out)
		}
		if len(out) > maxLen+len(ellipsis) {
			t.Fatalf("%d bytes over the cap %d", len(out), maxLen)
		}
		if strings.Contains(out, testSecret) {
			t.Fatalf("secret in %q", out)
		}
		for _, r := range out {
			if r != ' ' && (unicode.IsSpace(r) || !unicode.IsGraphic(r) || IsBidi(r)) {
				t.Fatalf("invisible %U in %q", r, out)
			}
		}
		if code := unmaskedRun.FindString(out); code != "" {
			t.Fatalf("unmasked run %q in %q", code, out)
		}
		if again := Text(in, maxLen, testSecret); again != out {
			t.Fatalf("not deterministic: %q then %q", out, again)
		}
	})
}

func TestJSON(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{``, ``},
		{`null`, `null`},
		{`{"amount":123456789012345,"barcode":"` + testCode + `"}`, `{"amount":123456789012345,"barcode":"2812**********3456"}`},
		{`{"k":"a \"` + testSecret + `\" b","n":[1,"2"]}`, `{"k":"a \"[redacted]\" b","n":[1,"2"]}`},
		{`"` + testCode24, `"2811****************5566`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(JSON([]byte(tt.in))), "JSON(%s)", tt.in)
	}
	raw := []byte(`{"barcode":"` + testCode + `"}`)
	_ = JSON(raw)
	assert.Contains(t, string(raw), testCode, "the input is not modified")
}

// FuzzJSON checks that masking keeps valid JSON valid, changes nothing
// outside strings, and is done in one pass (masking twice changes nothing).
func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"barcode":"` + testCode + `","amount":100}`))
	f.Add([]byte(`["\"` + testSecret + `", 1e9]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		out := JSON(raw)
		if json.Valid(raw) && !json.Valid(out) {
			t.Fatalf("%s became invalid: %s", raw, out)
		}
		if again := JSON(out); !bytes.Equal(again, out) {
			t.Fatalf("masking %s twice gave %s then %s", raw, out, again)
		}
	})
}

func TestHeader(t *testing.T) {
	t.Parallel()
	h := http.Header{
		"Authorization":   {"Basic " + testSecret},
		"Signature":       {"algorithm=RSA256,keyVersion=1,signature=abc"},
		"Omise-Signature": {"deadbeef"},
		"X-Unreviewed":    {testCode},
		"Content-Type":    {"application/json"},
		"X-Request-Id":    {"req-1"},
	}
	got := Header(h)
	assert.Equal(t, http.Header{
		"Authorization":   {Redacted},
		"Signature":       {Redacted},
		"Omise-Signature": {Redacted},
		"X-Unreviewed":    {Redacted},
		"Content-Type":    {"application/json"},
		"X-Request-Id":    {"req-1"},
	}, got)
	assert.Equal(t, "Basic "+testSecret, h.Get("Authorization"), "the original is not modified")
	assert.Nil(t, Header(nil))
	assert.Equal(t, "[3 bytes]", Body([]byte("abc")))
	assert.Empty(t, Body(nil))
}
