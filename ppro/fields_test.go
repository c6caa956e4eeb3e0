package ppro

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var parseCases = []struct {
	name string
	body string
	want map[string]string // nil: malformed
}{
	{"simple", "STATUS=PENDING&TXID=1", map[string]string{"STATUS": "PENDING", "TXID": "1"}},
	{"rand key anywhere", "RAND123=ab&STATUS=FAILED&TXID=0", map[string]string{"RAND123": "ab", "STATUS": "FAILED", "TXID": "0"}},
	{"percent and plus", "ERRMSG=Ambiguous%20MerchantTxId+x&A=%C3%BC", map[string]string{"ERRMSG": "Ambiguous MerchantTxId x", "A": "ü"}},
	{"empty values", "FLAGS=&ERRMSG=&X", map[string]string{"FLAGS": "", "ERRMSG": "", "X": ""}},
	{"line breaks as in the docs", "STATUS=SUCCEEDED\r\n&TXID=9\n&ERRMSG=\n", map[string]string{"STATUS": "SUCCEEDED", "TXID": "9", "ERRMSG": ""}},
	{"blank pairs and spaces", "&& STATUS=PENDING &&TXID=5&", map[string]string{"STATUS": "PENDING", "TXID": "5"}},
	{"keys any case", "status=PENDING&SpecOut.Foo=1", map[string]string{"STATUS": "PENDING", "SPECOUT.FOO": "1"}},
	{"broken escape kept", "ERRMSG=100%&STATUS=FAILED", map[string]string{"ERRMSG": "100%", "STATUS": "FAILED"}},
	{"invalid utf-8 replaced", "ERRMSG=%FF", map[string]string{"ERRMSG": "\uFFFD"}},
	{"same value twice", "STATUS=FAILED&STATUS=FAILED", map[string]string{"STATUS": "FAILED"}},
	{"equals in value", "URL=a=b", map[string]string{"URL": "a=b"}},
	{"empty", "", nil},
	{"only separators", "&\n&", nil},
	{"html", "<html><body>502 Bad Gateway</body></html>", nil},
	{"json", `{"STATUS":"SUCCEEDED"}`, nil},
	{"empty key", "=x&STATUS=PENDING", nil},
	{"key with a space", "MY KEY=1", nil},
	{"conflicting duplicate", "STATUS=FAILED&STATUS=SUCCEEDED", nil},
	{"key too long", strings.Repeat("K", 65) + "=1", nil},
}

func TestParseFields(t *testing.T) {
	t.Parallel()
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseFields([]byte(tc.body))
			if tc.want == nil {
				require.ErrorIs(t, err, ErrMalformedResponse)
				if len(tc.body) > 8 {
					assert.NotContains(t, err.Error(), tc.body, "the body is never quoted")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseFieldsCaps(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range maxFields + 1 {
		b.WriteString("K")
		b.WriteString(strings.Repeat("X", i%7))
		b.WriteString(string(rune('A' + i%26)))
		b.WriteString(url.QueryEscape(string(rune('a' + i/26))))
		b.WriteString("=1&")
	}
	_, err := parseFields([]byte(b.String()))
	require.ErrorIs(t, err, ErrMalformedResponse)
	_, err = parseFields([]byte("A=" + strings.Repeat("x", maxResponseBytes)))
	require.ErrorIs(t, err, ErrMalformedResponse)
}

func TestFixturesParse(t *testing.T) {
	t.Parallel()
	names, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, names)
	for _, n := range names {
		b, err := os.ReadFile(n)
		require.NoError(t, err)
		f, err := parseFields(b)
		require.NoError(t, err, n)
		assert.Contains(t, f, "STATUS", n)
	}
}

func TestScrub(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, secret, want string }{
		{"Transaction not found", "", "Transaction not found"},
		{"code 281234567890123456 refused", "", "code 2812**********3456 refused"},
		{"code \u202e2812 3456 7890 1234 56\r\nSTATUS=SUCCEEDED", "", "code 2812 **** **** **34 56 STATUS=SUCCEEDED"},
		{"txid 643772308", "", "txid 643772308"},
		{"bad password hunter2!", "hunter2!", "bad password [redacted]"},
		{"123456789012", "", "1234****9012"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, scrub(tc.in, tc.secret))
	}
}

// seedParse adds the fixtures and the table bodies to a fuzz corpus.
func seedParse(f *testing.F) {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, tc := range parseCases {
		f.Add([]byte(tc.body))
	}
}

// FuzzParseResponse feeds arbitrary bodies to the parser and the response
// decoders. Properties: no panic; an error is ErrMalformedResponse; every
// key returned is a valid upper-case key and every value valid UTF-8;
// re-encoding what was parsed and parsing it again gives the same fields;
// the decoders account for every key exactly once, read TXID=0 as no id,
// and never put a known key in Other or a SPECOUT key outside SpecOut.
func FuzzParseResponse(f *testing.F) {
	seedParse(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := parseFields(body)
		if err != nil {
			if !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("error %v is not ErrMalformedResponse", err)
			}
			return
		}
		if len(got) == 0 || len(got) > maxFields {
			t.Fatalf("%d fields", len(got))
		}
		again := url.Values{}
		for k, v := range got {
			if !validKey(k) || k != strings.ToUpper(k) {
				t.Fatalf("key %q", k)
			}
			if !utf8.ValidString(v) {
				t.Fatalf("value of %s not UTF-8", k)
			}
			again.Set(k, v)
		}
		round, err := parseFields([]byte(again.Encode()))
		if err != nil {
			t.Fatalf("re-encoded fields do not parse: %v", err)
		}
		if len(round) != len(got) {
			t.Fatalf("round trip changed the fields: %d != %d", len(round), len(got))
		}
		for k, v := range got {
			if round[k] != v {
				t.Fatalf("round trip changed %s", k)
			}
		}

		copyOf := func() map[string]string {
			m := make(map[string]string, len(got))
			for k, v := range got {
				m[k] = v
			}
			return m
		}
		tx := decodeTransaction(reader{copyOf()})
		known := []string{"STATUS", "TXID", "MERCHANTTXID", "FUNDSSTATUS", "FAILREASON", "ERRMSG", "CHANNEL", "TAG", "REDIRECTURL", "REDIRECTSECRET"}
		taken := 0
		for _, k := range known {
			if _, ok := got[k]; ok {
				taken++
			}
			if _, ok := tx.Other[k]; ok {
				t.Fatalf("known key %s in Other", k)
			}
		}
		if taken+len(tx.SpecOut)+len(tx.Other) != len(got) {
			t.Fatalf("keys lost or doubled: %d+%d+%d != %d", taken, len(tx.SpecOut), len(tx.Other), len(got))
		}
		for k := range tx.Other {
			if strings.HasPrefix(k, specOutPrefix) && k != specOutPrefix {
				t.Fatalf("SPECOUT key %s in Other", k)
			}
		}
		if tx.TxID == "0" {
			t.Fatal("TXID=0 read as an id")
		}
		if got["TXID"] == "0" && tx.Created() {
			t.Fatal("TXID=0 read as created")
		}
		if s := tx.Status; strings.EqualFold(string(s), "succeeded") || strings.EqualFold(string(s), statusSuccessfulAlias) {
			if s != StatusSucceeded {
				t.Fatalf("status %q not normalised", s)
			}
		}
		rf := decodeRefund(reader{copyOf()})
		if rf.RefundID == "0" {
			t.Fatal("REFUNDID=0 read as an id")
		}
	})
}

// FuzzParseNotification checks that no body panics ParseNotification, that
// only a body carrying the right hash verifies, and that every error is
// one of the two notification errors.
func FuzzParseNotification(f *testing.F) {
	const secret = "fuzz-secret"
	good := url.Values{"txid": {"643772308"}, "finaltimestamp": {"2025-03-01T10:00:00Z"}}
	good.Set("sha256hash", NotificationHash("643772308", "2025-03-01T10:00:00Z", secret))
	f.Add([]byte(good.Encode()))
	f.Add([]byte("txid=1&finaltimestamp=x&sha256hash=00"))
	f.Add([]byte("txid=0&finaltimestamp=x"))
	seedParse(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ParseNotification(body, secret, "")
		if err != nil {
			if !errors.Is(err, ErrNotificationSignature) && !errors.Is(err, ErrNotificationMalformed) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		fields, perr := parseFields(body)
		if perr != nil {
			t.Fatal("verified a body that does not parse")
		}
		if !strings.EqualFold(fields[notificationKeyHash], NotificationHash(n.TxID, n.FinalTimestamp, secret)) {
			t.Fatal("verified a body whose hash is not the secret's")
		}
		if _, err := ParseNotification(body); err == nil {
			t.Fatal("verified with no secret")
		}
	})
}
