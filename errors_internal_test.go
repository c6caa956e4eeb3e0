package instore

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	fuzzSecretKey = "skey_test_61abcdefghijklmnopq"
	fuzzPublicKey = "pkey_test_61rstuvwxyz0123456"
	fuzzCode      = "281234567890123456"
)

func fuzzSecrets() []string {
	s := appendSecrets(nil, fuzzSecretKey, fuzzPublicKey)
	return append(s, fuzzCode)
}

var decodeErrorCases = []struct {
	name    string
	status  int
	body    string
	code    string
	message string
}{
	{"omise error", 404, `{"object":"error","location":"https://www.omise.co/api-errors#not-found","code":"not_found","message":"charge x was not found"}`, "not_found", "charge x was not found"},
	{"code without object", 400, `{"code":"invalid_charge","message":"currency is currently not supported"}`, "invalid_charge", "currency is currently not supported"},
	{"message with newlines and a key", 401, `{"object":"error","code":"authentication_failure","message":"key ` + fuzzSecretKey + `\nis\tbad"}`, "authentication_failure", "key [redacted] is bad"},
	{"message quoting a payment code", 400, `{"object":"error","code":"bad_request","message":"barcode ` + fuzzCode + ` invalid"}`, "bad_request", "barcode [redacted] invalid"},
	{"an unknown code", 403, `{"object":"error","code":"forbidden","message":"no"}`, "forbidden", "no"},
	{"html page", 502, "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>", "", "502 Bad Gateway 502 Bad Gateway"},
	{"plain text", 503, "upstream connect error or disconnect/reset before headers", "", "upstream connect error or disconnect/reset before headers"},
	{"json that is not an error", 500, `{"ok":false}`, "", `{"ok":false}`},
	{"json array", 500, `[1,2,3]`, "", `[1,2,3]`},
	{"empty", 504, "", "", ""},
	{"someone else's key in a page", 500, "<p>pkey_live_5xabc and skey_5xdef</p>", "", "[redacted] and [redacted]"},
	{"an unknown payment code", 500, "code 2899123456789012345 refused", "", "code 2899***********2345 refused"},
	{"basic auth echoed", 500, "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(fuzzSecretKey+":")), "", "Authorization: Basic [redacted]"},
}

func TestDecodeAPIError(t *testing.T) {
	t.Parallel()
	for _, tt := range decodeErrorCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{"X-Request-Id": {"req\r\n" + fuzzSecretKey}}
			e := decodeAPIError(tt.status, h, []byte(tt.body), fuzzSecrets())
			require.NotNil(t, e)
			assert.Equal(t, tt.status, e.StatusCode)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.message, e.Message)
			assert.Equal(t, "req [redacted]", e.RequestID)
		})
	}
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		maxLen   int
	}{
		{"", "", 10},
		{"  plain  text  ", "plain text", 100},
		{"a\x00b\x1fc\x7fd", "abcd", 100},
		{"bad \xff\xfe utf8", "bad \ufffd utf8", 100},
		{"0123456789", "01234...", 5},
		{"ééé", "é...", 3},
		{"key " + fuzzSecretKey + " end", "key [redacted] end", 100},
		{"prefix " + fuzzSecretKey, "prefix [re...", 10},
		{"xskey_notakey", "xskey_notakey", 100},
		{"1234567890123456", "1234********3456", 100},
		{"123456789012345", "1234*******2345", 100},
		{"12345678901", "12345678901", 100},
		{"declined \u202egnp.exe", "declined gnp.exe", 100},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, sanitize(tt.in, tt.maxLen, fuzzSecrets()), "sanitize(%q, %d)", tt.in, tt.maxLen)
	}
}

// FuzzDecodeError feeds any status, body and request id to the error-body
// decoder: it must not panic, and what it returns must be short, printable
// and free of the keys and the payment code.
func FuzzDecodeError(f *testing.F) {
	for _, tt := range decodeErrorCases {
		f.Add(tt.status, []byte(tt.body), "req-1")
	}
	f.Add(500, []byte("\x00\xff<"+fuzzSecretKey), fuzzPublicKey)
	f.Add(418, []byte(`{"object":"error","code":"`+fuzzCode+`","location":"`+fuzzPublicKey+`"}`), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, requestID string) {
		e := decodeAPIError(status, http.Header{"X-Request-Id": {requestID}}, body, fuzzSecrets())
		if e == nil {
			t.Fatal("nil error")
		}
		if e.StatusCode != status {
			t.Fatalf("status %d, want %d", e.StatusCode, status)
		}
		if len(e.Message) > maxMessageLen+3 || len(e.Code) > 64+3 || len(e.Location) > 256+3 || len(e.RequestID) > 128+3 {
			t.Fatalf("field too long: %q", e.Error())
		}
		msg := e.Error()
		if !utf8.ValidString(msg) {
			t.Fatalf("invalid UTF-8: %q", msg)
		}
		for _, r := range msg {
			if !unicode.IsPrint(r) {
				t.Fatalf("unprintable %q in %q", r, msg)
			}
		}
		for _, s := range append(fuzzSecrets(), fuzzCode[:16]) {
			if strings.Contains(msg, s) || strings.Contains(e.RequestID, s) {
				t.Fatalf("secret in %q", msg)
			}
		}
		// Matching against the sentinels never panics either.
		_ = e.Is(ErrNotFound) || e.Is(ErrInvalidRequest) || e.Is(ErrOutcomeUnknown)
	})
}
