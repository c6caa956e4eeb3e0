package instore_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// corpusEntry is one documented sample code in testdata/codes.
type corpusEntry struct {
	Name          string `json:"name"`
	Raw           string `json:"raw"`
	Source        string `json:"source"`
	Wallet        string `json:"wallet"`
	Format        string `json:"format"`
	RoutingNumber string `json:"routing_number"`
	Error         string `json:"error"` // "", "invalid" or "unknown_wallet"
}

func loadCorpus(t testing.TB) []corpusEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "codes", "documented.json"))
	require.NoError(t, err)
	var entries []corpusEntry
	require.NoError(t, json.Unmarshal(b, &entries))
	require.NotEmpty(t, entries)
	return entries
}

// errorKind names the sentinel err matches, for table and fuzz comparisons.
func errorKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, instore.ErrInvalidPaymentCode):
		return "invalid"
	case errors.Is(err, instore.ErrUnknownWallet):
		return "unknown_wallet"
	}
	return "untyped: " + err.Error()
}

// stripSeparators is the normalisation DESIGN describes, written out
// independently of the code under test.
func stripSeparators(raw string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n', '-':
			return -1
		}
		return r
	}, raw)
}

func TestClassifyPaymentCodeCorpus(t *testing.T) {
	t.Parallel()
	for _, e := range loadCorpus(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			require.NotEmpty(t, e.Source, "every sample names its source")
			got, err := instore.ClassifyPaymentCode(e.Raw)
			require.Equal(t, e.Error, errorKind(err))
			if e.Error != "" {
				assert.Zero(t, got)
				return
			}
			assert.Equal(t, instore.PaymentCode{
				Digits:        stripSeparators(e.Raw),
				Wallet:        instore.Wallet(e.Wallet),
				Format:        instore.CodeFormat(e.Format),
				RoutingNumber: e.RoutingNumber,
			}, got)
		})
	}
}

func TestClassifyPaymentCodeRules(t *testing.T) {
	t.Parallel()
	rep := strings.Repeat
	tests := []struct {
		name    string
		raw     string
		wallet  instore.Wallet
		format  instore.CodeFormat
		routing string
		err     string
	}{
		// WeChat Pay: exactly 18 digits, 10 to 15.
		{"wechat 10", "10" + rep("0", 16), instore.WalletWeChatPay, instore.CodeFormatWeChatPay, "", ""},
		{"wechat 15", "15" + rep("9", 16), instore.WalletWeChatPay, instore.CodeFormatWeChatPay, "", ""},
		{"wechat prefix 09", "09" + rep("0", 16), "", "", "", "unknown_wallet"},
		{"wechat prefix 16", "16" + rep("0", 16), "", "", "", "unknown_wallet"},
		{"wechat 17 digits", "13" + rep("0", 15), "", "", "", "unknown_wallet"},
		{"wechat 19 digits", "13" + rep("0", 17), "", "", "", "unknown_wallet"},

		// Alipay family: 16 to 24 digits, 25 to 30.
		{"alipay 25 16 digits", "25" + rep("0", 14), instore.WalletAlipay, instore.CodeFormatAlipay, "", ""},
		{"alipay 30 23 digits", "30" + rep("1", 21), instore.WalletAlipay, instore.CodeFormatAlipay, "", ""},
		{"alipay 15 digits", "28" + rep("0", 13), "", "", "", "unknown_wallet"},
		{"alipay 25 digits", "28" + rep("0", 23), "", "", "", "unknown_wallet"},
		{"alipay 32 digits", "28" + rep("0", 30), "", "", "", "unknown_wallet"},
		{"prefix 24", "24" + rep("0", 16), "", "", "", "unknown_wallet"},
		{"prefix 31", "31" + rep("0", 16), "", "", "", "unknown_wallet"},
		{"prefix 39", "39" + rep("0", 16), "", "", "", "unknown_wallet"},
		{"cgcp prefix 30", "30" + "9" + "123" + rep("4", 18), instore.WalletAlipay, instore.CodeFormatAlipayPlusCGCP, "123", ""},
		{"cgcp prefix 25", "25" + "0" + "000" + rep("0", 18), instore.WalletAlipay, instore.CodeFormatAlipayPlusCGCP, "000", ""},
		{"alipay+ 19", "289" + rep("0", 10) + "6" + rep("0", 5), instore.WalletAlipay, instore.CodeFormatAlipayPlus19, "", ""},
		{"alipay+ 19, 14th not 6", "289" + rep("0", 10) + "7" + rep("0", 5), instore.WalletAlipay, instore.CodeFormatAlipay, "", ""},
		{"alipay+ 19, 3rd not 9", "288" + rep("0", 10) + "6" + rep("0", 5), instore.WalletAlipay, instore.CodeFormatAlipay, "", ""},
		{"alipay+ 19 layout, prefix 29", "299" + rep("0", 10) + "6" + rep("0", 5), instore.WalletAlipay, instore.CodeFormatAlipay, "", ""},
		{"alipay+ 19 layout, 18 digits", "289" + rep("0", 9) + "6" + rep("0", 5), instore.WalletAlipay, instore.CodeFormatAlipay, "", ""},

		// UnionPay: 19 digits, 62.
		{"unionpay", "62" + rep("5", 17), instore.WalletUnionPay, instore.CodeFormatUnionPay, "", ""},
		{"unionpay 18 digits", "62" + rep("5", 16), "", "", "", "unknown_wallet"},
		{"unionpay 20 digits", "62" + rep("5", 18), "", "", "", "unknown_wallet"},
		{"prefix 61", "61" + rep("5", 17), "", "", "", "unknown_wallet"},

		// Normalisation.
		{"tabs and CR inside", "2893\t6122\r0426\n3667-830", instore.WalletAlipay, instore.CodeFormatAlipayPlus19, "", ""},
		{"leading blanks", "  \t-2893612204263667830", instore.WalletAlipay, instore.CodeFormatAlipayPlus19, "", ""},
		{"one digit", "7", "", "", "", "unknown_wallet"},
		{"only separators", " -\t\r\n", "", "", "", "invalid"},
		{"empty", "", "", "", "", "invalid"},
		{"trailing letter", "2893612204263667830X", "", "", "", "invalid"},
		{"plus sign", "+2893612204263667830", "", "", "", "invalid"},
		{"underscore", "2893_6122_0426_3667_830", "", "", "", "invalid"},
		{"NUL", "2893612204263667830\x00", "", "", "", "invalid"},
		{"full-width digits", "２８９３６１２２０４２６３６６７８３０", "", "", "", "invalid"},
		{"non-breaking space", "2893\u00a06122", "", "", "", "invalid"},
		{"invalid UTF-8", "2893\xff6122", "", "", "", "invalid"},
		{"long digits", rep("2", 10000), "", "", "", "unknown_wallet"},
		{"long spaced digits", rep("2 ", 10000), "", "", "", "unknown_wallet"},
	}
	for _, tt := range tests {
		got, err := instore.ClassifyPaymentCode(tt.raw)
		require.Equal(t, tt.err, errorKind(err), tt.name)
		if tt.err != "" {
			assert.Zero(t, got, tt.name)
			continue
		}
		assert.Equal(t, instore.PaymentCode{
			Digits:        stripSeparators(tt.raw),
			Wallet:        tt.wallet,
			Format:        tt.format,
			RoutingNumber: tt.routing,
		}, got, tt.name)
	}
}

// TestClassifyPaymentCodeEveryByte puts every byte value at every position
// of codes of several lengths, against the word-at-a-time digit test.
func TestClassifyPaymentCodeEveryByte(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"1351122", "13511229", "135112298638468293", "2893612204263667830", "281010897274821897274821"} {
		for pos := range len(code) {
			for b := range 256 {
				raw := code[:pos] + string([]byte{byte(b)}) + code[pos+1:]
				got, err := instore.ClassifyPaymentCode(raw)
				want, wantErr := classifyRegexp(raw)
				require.Equal(t, errorKind(wantErr), errorKind(err), "%q", raw)
				require.Equal(t, want, got, "%q", raw)
			}
		}
	}
}

func TestClassifyPaymentCodeErrorMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want string
	}{
		{"", "instore: invalid payment code: no digits"},
		{"\r\n", "instore: invalid payment code: no digits"},
		{"2893612204263667830X", "instore: invalid payment code: unexpected character at offset 19"},
		{"https://qr.alipay.com/x", "instore: invalid payment code: unexpected character at offset 0"},
		{"1234567890123456", "instore: payment code of an unknown wallet: 16 digits match no rule"},
		{"2810108972748218972748210", "instore: payment code of an unknown wallet: 25 digits match no rule"},
		{"9000 8181 8800 0000 0000 0000", "instore: payment code of an unknown wallet: 24 digits match no rule"},
	}
	for _, tt := range tests {
		_, err := instore.ClassifyPaymentCode(tt.raw)
		require.EqualError(t, err, tt.want, "%q", tt.raw)
	}
}

func TestClassifyPaymentCodeAllocs(t *testing.T) {
	// Not parallel: AllocsPerRun counts the allocations of every goroutine.
	for _, raw := range []string{
		"135112298638468293",       // clean
		"281010897274821897274821", // clean, with a routing number
		"2893612204263667830\r\n",  // scanner suffix: trimmed, still a substring
		" 2893612204263667830 ",    // blanks around
		"6200000000000000001\n",    // UnionPay
	} {
		var code instore.PaymentCode
		allocs := testing.AllocsPerRun(100, func() {
			code, _ = instore.ClassifyPaymentCode(raw)
		})
		assert.Zero(t, allocs, "%q", raw)
		if code.Digits != "" {
			assert.Equal(t, stripSeparators(raw), code.Digits)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = instore.ClassifyPaymentCode("2893 6122 0426 3667 830")
	})
	assert.LessOrEqual(t, allocs, 1.0, "inner separators cost the one copy of the digits")
}

func TestPaymentCodeString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		digits string
		want   string
	}{
		{"2893612204263667830", "2893***********7830"},
		{"135112298638468293", "1351**********8293"},
		{"281010897274821897274821", "2810****************4821"},
		{"3000000000000001", "3000********0001"},
		// Shorter than any wallet's code: showing 8 characters would show
		// too much, so all are starred.
		{"123456789012345", "***************"},
		{"12345678", "********"},
		{"1", "*"},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, instore.PaymentCode{Digits: tt.digits}.String())
	}
}

// TestPaymentCodeNeverPrintsDigits prints classified codes every way a
// program may print or log them, and looks for the digits in the output.
func TestPaymentCodeNeverPrintsDigits(t *testing.T) {
	t.Parallel()
	type order struct {
		Code instore.PaymentCode
		Note string
	}
	type jsonOrder struct {
		Code  instore.PaymentCode  `json:"code"`
		Codes *instore.PaymentCode `json:"codes"`
	}
	for _, e := range loadCorpus(t) {
		code, err := instore.ClassifyPaymentCode(e.Raw)
		if err != nil {
			// Refused codes: the error names no digit run of the input.
			for _, run := range regexp.MustCompile(`[0-9]{5,}`).FindAllString(e.Raw, -1) {
				assert.NotContains(t, err.Error(), run, e.Name)
			}
			continue
		}
		masked := code.String()
		require.Len(t, masked, len(code.Digits))
		require.NotEqual(t, code.Digits, masked)

		outputs := map[string]string{
			"String":   code.String(),
			"GoString": code.GoString(),
			"Sprint":   fmt.Sprint(code),
			"Sprintln": fmt.Sprintln(code),
			"Errorf":   fmt.Errorf("pay %v: %w", code, errors.New("declined")).Error(),
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%30s", "%-30v", "%.6s", "%T"} {
			outputs[verb] = fmt.Sprintf(verb, code)
			outputs[verb+" pointer"] = fmt.Sprintf(verb, &code)
		}
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			outputs[verb+" in struct"] = fmt.Sprintf(verb, order{Code: code, Note: "n"})
			outputs[verb+" in slice"] = fmt.Sprintf(verb, []instore.PaymentCode{code})
			outputs[verb+" in map"] = fmt.Sprintf(verb, map[string]instore.PaymentCode{"k": code})
			outputs[verb+" in any"] = fmt.Sprintf(verb, []any{code, &code})
		}
		j, err := json.Marshal(code)
		require.NoError(t, err)
		outputs["json"] = string(j)
		j, err = json.Marshal(jsonOrder{Code: code, Codes: &code})
		require.NoError(t, err)
		outputs["json in struct"] = string(j)

		for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
			"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var buf bytes.Buffer
			logger := slog.New(h(&buf))
			logger.Info("scan", slog.Any("code", code))
			logger.Info("scan", slog.Any("code", &code))
			logger.Info("scan", slog.Any("order", order{Code: code}))
			logger.Info("scan", slog.Any("orders", []instore.PaymentCode{code}))
			logger.With(slog.Any("code", code)).Info("scan")
			outputs["slog "+name] = buf.String()
		}

		for how, out := range outputs {
			assert.NotContains(t, out, code.Digits, "%s printed %s", how, e.Name)
			assert.NotContains(t, out, code.Digits[4:len(code.Digits)-4], "%s printed the middle of %s", how, e.Name)
			assert.NotContains(t, out, hex.EncodeToString([]byte(code.Digits)), "%s printed %s in hex", how, e.Name)
			switch how {
			case "%x", "%X", "%x pointer", "%X pointer", "%T", "%T pointer", "%.6s", "%.6s pointer":
			default:
				assert.Contains(t, out, masked, "%s of %s", how, e.Name)
			}
		}
	}
}

func TestPaymentCodeLogValue(t *testing.T) {
	t.Parallel()
	code, err := instore.ClassifyPaymentCode("281010897274821897274821")
	require.NoError(t, err)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.Info("scan", slog.Any("code", code))
	assert.JSONEq(t, `{"level":"INFO","msg":"scan","code":{
		"digits":"2810****************4821","wallet":"alipay","format":"alipayplus_cgcp","routing_number":"010"}}`,
		buf.String())

	assert.Equal(t,
		`instore.PaymentCode{Digits:"2810****************4821", Wallet:"alipay", Format:"alipayplus_cgcp", RoutingNumber:"010"}`,
		fmt.Sprintf("%#v", code))
	text, err := code.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "2810****************4821", string(text))
}

// FuzzClassifyPaymentCode checks that the classifier never panics, agrees
// with the regular-expression classifier of the baseline benchmark, gives
// the same answer whatever separators are inserted, and never puts the
// digits in an error or a printed code.
func FuzzClassifyPaymentCode(f *testing.F) {
	for _, e := range loadCorpus(f) {
		f.Add(e.Raw, uint64(0))
		f.Add(e.Raw, uint64(0x9249249249249249))
	}
	f.Add("62"+strings.Repeat("0", 17), uint64(1))
	f.Add("2893612204263667830X", uint64(3))

	f.Fuzz(func(t *testing.T, raw string, seps uint64) {
		got, err := instore.ClassifyPaymentCode(raw)
		want, wantErr := classifyRegexp(raw)
		require.Equal(t, errorKind(wantErr), errorKind(err))
		require.Equal(t, want, got)

		digits := stripSeparators(raw)
		if err != nil {
			require.Zero(t, got)
			if len(digits) >= 8 {
				require.NotContains(t, err.Error(), digits)
			}
		} else {
			require.Equal(t, digits, got.Digits)
			require.NotContains(t, got.String(), got.Digits)
			require.NotContains(t, fmt.Sprintf("%+v %#v", got, got), got.Digits)
		}

		spaced := insertSeparators(raw, seps)
		got2, err2 := instore.ClassifyPaymentCode(spaced)
		require.Equal(t, errorKind(err), errorKind(err2), "%q", spaced)
		require.Equal(t, got, got2, "%q", spaced)
	})
}

// insertSeparators inserts one of the characters normalising drops before
// each byte of raw whose bit in seps (cycling) is set.
func insertSeparators(raw string, seps uint64) string {
	const chars = " \t\r\n-"
	var b strings.Builder
	for i := 0; i <= len(raw); i++ {
		if seps>>(i%64)&1 == 1 {
			b.WriteByte(chars[(seps>>((i+7)%64))%uint64(len(chars))])
		}
		if i < len(raw) {
			b.WriteByte(raw[i])
		}
	}
	return b.String()
}

// The baseline: the same classification written with the standard
// library's regular expressions, as DESIGN states the rules. Normalising
// uses strings.Map, which does not allocate when nothing is dropped, so the
// baseline is not slowed down by a needless copy.
var (
	reDigits       = regexp.MustCompile(`^[0-9]+$`)
	reWeChatPay    = regexp.MustCompile(`^1[0-5]\d{16}$`)
	reAlipay       = regexp.MustCompile(`^(?:2[5-9]|30)\d{14,22}$`)
	reAlipayPlus19 = regexp.MustCompile(`^289\d{10}6\d{5}$`)
	reCGCP         = regexp.MustCompile(`^(?:2[5-9]|30)\d(\d{3})\d{18}$`)
	reUnionPay     = regexp.MustCompile(`^62\d{17}$`)
)

func classifyRegexp(raw string) (instore.PaymentCode, error) {
	d := stripSeparators(raw)
	switch {
	case !reDigits.MatchString(d):
		return instore.PaymentCode{}, instore.ErrInvalidPaymentCode
	case reWeChatPay.MatchString(d):
		return instore.PaymentCode{Digits: d, Wallet: instore.WalletWeChatPay, Format: instore.CodeFormatWeChatPay}, nil
	case reAlipay.MatchString(d):
		p := instore.PaymentCode{Digits: d, Wallet: instore.WalletAlipay, Format: instore.CodeFormatAlipay}
		if m := reCGCP.FindStringSubmatch(d); m != nil {
			p.Format, p.RoutingNumber = instore.CodeFormatAlipayPlusCGCP, m[1]
		} else if reAlipayPlus19.MatchString(d) {
			p.Format = instore.CodeFormatAlipayPlus19
		}
		return p, nil
	case reUnionPay.MatchString(d):
		return instore.PaymentCode{Digits: d, Wallet: instore.WalletUnionPay, Format: instore.CodeFormatUnionPay}, nil
	}
	return instore.PaymentCode{}, instore.ErrUnknownWallet
}

var benchCodes = []struct{ name, raw string }{
	{"wechat_18", "135112298638468293"},
	{"alipayplus_19", "2893612204263667830"},
	{"cgcp_24", "281010897274821897274821"},
	{"scanner_crlf", "135112298638468293\r\n"},
	{"spaced", "2893 6122 0426 3667 830"},
}

func BenchmarkClassifyPaymentCode(b *testing.B) {
	for _, bc := range benchCodes {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := instore.ClassifyPaymentCode(bc.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkClassifyPaymentCodeBaseline(b *testing.B) {
	for _, bc := range benchCodes {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := classifyRegexp(bc.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
